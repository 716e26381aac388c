import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh data folder (so a freshly seeded tenant) holding the run's trusted sandbox certificate. */
export function freshDataDir(label: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `dsr-${label}-`));
  const tlsDir = process.env.DSR_TEST_TLS_DIR;
  if (!tlsDir) throw new Error('DSR_TEST_TLS_DIR is not set: run the tests through jest (test/support/globalSetup.ts).');
  cpSync(path.join(tlsDir, 'sandbox'), path.join(dir, 'sandbox'), { recursive: true });
  return dir;
}
