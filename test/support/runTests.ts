import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
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
// Jest's transform cache stays where jest puts it by default (jest-config's `cacheDirectory`), so
// a run does not compile every test again.
const cacheDirectory = path.join(realpathSync(os.tmpdir()), process.getuid ? `jest_${process.getuid().toString(36)}` : 'jest');
// Everything the tests and what they start (Azurite, the sandboxes, Chromium) put in the temporary
// folder goes under this run's folder, removed when the run ends: a run leaves nothing behind.
const tmp = path.join(dir, 'tmp');
mkdirSync(tmp);
const result = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--json', `--outputFile=${summaryFile}`, `--cacheDirectory=${cacheDirectory}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, DSR_TEST_TLS_DIR: dir, NODE_EXTRA_CA_CERTS: sandboxCertificatePath(dir), TMPDIR: tmp },
});
// The plain closing line CI reads, whatever runner: 'N passed, N failed'.
try {
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { numPassedTests: number; numFailedTests: number };
  console.log(`tests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed`);
} catch {
  console.log('tests: 0 passed, 1 failed');
}
rmSync(dir, { recursive: true, force: true });
process.exit(result.status ?? 1);
