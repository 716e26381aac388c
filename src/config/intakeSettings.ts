import { REGIMES, Regime } from '../dsr';
import type { Config } from './config';
import type { SettingReader } from './settingReader';

/** What a person filing requests gets by default and how much they may send. */
export function intakeSettings(read: SettingReader): Pick<Config, 'defaultRegime' | 'maxOpenRequests' | 'messagesPerMinute' | 'invokesPerMinute'> {
  const regime = read.text('DSR_DEFAULT_REGIME', 'GDPR').toUpperCase();
  if (!(REGIMES as readonly string[]).includes(regime)) read.problems.push('DSR_DEFAULT_REGIME must be GDPR or CCPA.');
  return {
    defaultRegime: regime as Regime,
    maxOpenRequests: read.whole('DSR_MAX_OPEN_REQUESTS', 5, 1, 100),
    messagesPerMinute: read.whole('DSR_MESSAGES_PER_MINUTE', 30, 1, 10_000),
    invokesPerMinute: read.whole('DSR_INVOKES_PER_MINUTE', 60, 1, 10_000),
  };
}
