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

/** Polls `check` until it returns a value, or fails after `timeoutMs` with `what` in the message. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
