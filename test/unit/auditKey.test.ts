import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadAuditKey } from '../../src/storage/auditKey';

/** The sandbox's audit key file (its setting is checked in config.test.ts). */
const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'dsr-audit-key-'));

describe('the sandbox key file', () => {
  it('is created with 32 random bytes readable by its owner only, then read back the same', () => {
    const file = path.join(tempDir(), 'nested', 'audit-hmac.key');
    const key = loadAuditKey({ kind: 'file', path: file }, { create: true });
    expect(key).toHaveLength(32);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadAuditKey({ kind: 'file', path: file }, { create: true })).toEqual(key);
    expect(loadAuditKey({ kind: 'file', path: file })).toEqual(key);
    // Another file, another key.
    expect(loadAuditKey({ kind: 'file', path: path.join(tempDir(), 'k') }, { create: true })).not.toEqual(key);
  });

  it('is never made up by a reader (audit:verify), and refused when too short', () => {
    const dir = tempDir();
    expect(() => loadAuditKey({ kind: 'file', path: path.join(dir, 'missing.key') })).toThrow(/DSR_AUDIT_KEY_FILE: there is no audit key at/);
    writeFileSync(path.join(dir, 'short.key'), Buffer.alloc(16));
    expect(() => loadAuditKey({ kind: 'file', path: path.join(dir, 'short.key') }, { create: true })).toThrow(/holds 16 bytes; the audit key needs at least 32/);
  });
});
