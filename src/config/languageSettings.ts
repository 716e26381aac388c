import { LOCALES, localeOf } from '../i18n';
import type { Config } from './config';
import type { SettingReader } from './settingReader';

/** Whether the runtime's time zone data knows `timeZone` (an IANA name such as Europe/Berlin). */
function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

/** The tenant's language (channel posts, and people whose settings name none the bot speaks) and time zone. */
export function languageSettings({ text, problems }: SettingReader): Pick<Config, 'defaultLocale' | 'timeZone'> {
  const givenLocale = text('DSR_DEFAULT_LOCALE', 'en');
  // The language alone (`de`): a regional tag would suggest formats the bot does not follow.
  const defaultLocale = localeOf(givenLocale);
  if (!defaultLocale || defaultLocale !== givenLocale.toLowerCase()) problems.push(`DSR_DEFAULT_LOCALE must be one of ${LOCALES.join(', ')}.`);
  const timeZone = text('DSR_TIME_ZONE', 'UTC');
  const knownZone = isTimeZone(timeZone);
  if (!knownZone) problems.push('DSR_TIME_ZONE must be an IANA time zone name such as Europe/Berlin or UTC.');
  return { defaultLocale: defaultLocale ?? 'en', timeZone: knownZone ? timeZone : 'UTC' };
}
