import { createIntl, IntlShape } from '@formatjs/intl';
import type { TabLocale } from './contract';
import en from '../../i18n/catalogs/en/tab.json';
import de from '../../i18n/catalogs/de/tab.json';
import fr from '../../i18n/catalogs/fr/tab.json';
import es from '../../i18n/catalogs/es/tab.json';

/** The tab's words: only the catalog's `tab` area, in the four languages of the bot. */
const CATALOGS: Record<TabLocale, Record<string, string>> = { en, de, fr, es };

export type TabKey = keyof typeof en;
export type Words = IntlShape<string>;

/** The first of the tags (`de-DE`, `fr`) the catalog speaks; English when none. */
export function tabLocale(...tags: (string | undefined)[]): TabLocale {
  for (const tag of tags) {
    const language = tag?.slice(0, 2).toLowerCase();
    if (language && language in CATALOGS) return language as TabLocale;
  }
  return 'en';
}

export function wordsFor(locale: TabLocale): Words {
  return createIntl({ locale, messages: CATALOGS[locale] });
}

/** The words of `key`, or undefined when the catalog has none for it (a code the app does not know yet). */
export function known(words: Words, key: string, values?: Record<string, string | number | Date>): string | undefined {
  return key in words.messages ? words.formatMessage({ id: key }, values) : undefined;
}

/** State codes arrive as the domain spells them (`awaiting_approval`) or in camel case (`awaitingApproval`). */
export function stateKey(state: string): string {
  return `state.${state.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}`;
}
