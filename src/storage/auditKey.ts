import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AUDIT_KEY_MIN_BYTES, AuditKeySource, ConfigError } from '../config';

/**
 * The audit key's bytes. From the setting as given; from a key file as stored, or, when `create`
 * is set (the bot in sandbox mode) and the file does not exist yet, a new file of 32 random bytes
 * readable by its owner only (mode 0600). Created with `wx`, so two processes starting at once
 * end up with the one key the first wrote. `audit:verify` never creates one: a new key would make
 * every sealed entry look forged.
 *
 * Throws a ConfigError naming DSR_AUDIT_KEY_FILE when the file is missing (and not to be
 * created) or too short; the key's bytes never appear in it.
 */
export function loadAuditKey(source: AuditKeySource, options: { create?: boolean } = {}): Buffer {
  if (source.kind === 'setting') return source.key;
  if (options.create) {
    mkdirSync(path.dirname(source.path), { recursive: true });
    try {
      writeFileSync(source.path, randomBytes(AUDIT_KEY_MIN_BYTES), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  let key: Buffer;
  try {
    key = readFileSync(source.path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new ConfigError([
      `DSR_AUDIT_KEY_FILE: there is no audit key at ${source.path}. The bot creates it on its first start in sandbox mode; audit:verify needs the file the bot uses (same DSR_DATA_DIR or DSR_AUDIT_KEY_FILE), or DSR_AUDIT_HMAC_KEY.`,
    ]);
  }
  if (key.length < AUDIT_KEY_MIN_BYTES) {
    throw new ConfigError([`DSR_AUDIT_KEY_FILE: ${source.path} holds ${key.length} bytes; the audit key needs at least ${AUDIT_KEY_MIN_BYTES}.`]);
  }
  return key;
}
