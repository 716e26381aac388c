import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureSandboxCertificate, sandboxCertificatePath } from '../../src/sandbox/common';

/**
 * Runs jest with one sandbox TLS certificate for the whole run. Node reads NODE_EXTRA_CA_CERTS
 * only when a process starts, so it is set here, before jest (and its workers) start; every
 * test's data folder gets a copy of the certificate (test/support/dataDir.ts).
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'dsr-test-tls-'));
ensureSandboxCertificate(dir);
const summaryFile = path.join(dir, 'jest-summary.json');
const result = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--json', `--outputFile=${summaryFile}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, DSR_TEST_TLS_DIR: dir, NODE_EXTRA_CA_CERTS: sandboxCertificatePath(dir) },
});
// The plain closing line CI reads, whatever runner: 'N passed, N failed'.
try {
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { numPassedTests: number; numFailedTests: number };
  console.log(`tests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed`);
} catch {
  console.log('tests: 0 passed, 1 failed');
}
process.exit(result.status ?? 1);
