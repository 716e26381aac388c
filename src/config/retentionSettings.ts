import type { Config } from './config';
import type { SettingReader } from './settingReader';

/** How long personal data outlives a request, and the key of the pseudonyms that replace it. */
export function retentionSettings(read: SettingReader, sandbox: boolean): Pick<Config, 'pseudonymKey' | 'retentionMonths' | 'purgeGraceDays'> {
  const pseudonymKey = read.text('DSR_PSEUDONYM_KEY', sandbox ? 'sandbox-only-pseudonym-key' : '');
  if (pseudonymKey.length < 16) read.problems.push('DSR_PSEUDONYM_KEY must be a secret of at least 16 characters: it keys the pseudonyms of erased subjects.');
  return {
    pseudonymKey,
    // CCPA (11 CCR §7101) keeps records 24 months; the register's fields outlive pseudonymisation, so shorter is allowed.
    retentionMonths: read.whole('DSR_RETENTION_MONTHS', 24, 1, 120),
    purgeGraceDays: read.whole('DSR_PURGE_GRACE_DAYS', 14, 0, 30),
  };
}
