import path from 'node:path';
import type { SettingReader } from './settingReader';

/** Bytes of the audit key at least (HMAC-SHA256: a key shorter than the hash weakens it). */
export const AUDIT_KEY_MIN_BYTES = 32;

/** The sandbox's audit key file under DSR_DATA_DIR, unless DSR_AUDIT_KEY_FILE names another. */
export const AUDIT_KEY_FILE_NAME = 'audit-hmac.key';

/**
 * Where the audit chain's HMAC key comes from: the setting DSR_AUDIT_HMAC_KEY (in Azure a Key
 * Vault reference, resolved by App Service), or a key file (the sandbox's, under DSR_DATA_DIR).
 * Never from the Storage account the chain is kept in.
 */
export type AuditKeySource = { kind: 'setting'; key: Buffer } | { kind: 'file'; path: string };

/**
 * The audit key's source, or a problem naming the setting. A key given in the setting is checked
 * here (base64, at least {@link AUDIT_KEY_MIN_BYTES} bytes) and its value never appears in a problem.
 */
export function auditKeySettings({ text, problems }: SettingReader, sandbox: boolean, dataDir: string): AuditKeySource {
  const given = text('DSR_AUDIT_HMAC_KEY', '');
  const file = text('DSR_AUDIT_KEY_FILE', '');
  const generate = 'generate one with `openssl rand -base64 32`';
  if (given && file) problems.push('DSR_AUDIT_HMAC_KEY and DSR_AUDIT_KEY_FILE are both set: give the audit key one way.');
  if (given) {
    const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(given) && given.length % 4 === 0 ? Buffer.from(given, 'base64') : undefined;
    if (!bytes) problems.push(`DSR_AUDIT_HMAC_KEY must be standard base64 (A-Z, a-z, 0-9, +, /, padded with =): ${generate}.`);
    else if (bytes.length < AUDIT_KEY_MIN_BYTES) problems.push(`DSR_AUDIT_HMAC_KEY decodes to ${bytes.length} bytes; the audit key needs at least ${AUDIT_KEY_MIN_BYTES}: ${generate}.`);
    return { kind: 'setting', key: bytes ?? Buffer.alloc(0) };
  }
  if (file) return { kind: 'file', path: path.resolve(file) };
  if (!sandbox) {
    problems.push(`DSR_AUDIT_HMAC_KEY is required outside sandbox mode: the key (base64, ${AUDIT_KEY_MIN_BYTES}+ bytes) sealing the audit chain, kept out of the Storage account; in Azure a Key Vault reference (infra/azure.bicep), or ${generate}.`);
  }
  return { kind: 'file', path: path.join(dataDir, AUDIT_KEY_FILE_NAME) };
}
