import { TurnContext } from 'botbuilder';
import { Actor } from '../dsr';
import { Locale, Words, resolveLocale, wordsFor } from '../i18n';
import { isPersonalChat } from './turnIdentity';

/** What the words of a turn depend on. */
export interface WordsSettings {
  defaultLocale: Locale;
  timeZone: string;
}

/**
 * The words for whoever sent this activity: their Teams locale, else their Entra
 * `preferredLanguage` (when the caller knows it), else the tenant's default.
 */
export function wordsForPerson(settings: WordsSettings, person: Pick<Actor, 'locale'> & { preferredLanguage?: string } | undefined): Words {
  return wordsFor(resolveLocale(settings.defaultLocale, person?.locale, person?.preferredLanguage), settings.timeZone);
}

/** The words of the turn's reply: the sender's language in a 1:1 chat or as an invoke answer; the default in a channel post. */
export function wordsForTurn(context: TurnContext, settings: WordsSettings, audience: 'sender' | 'conversation' = 'sender'): Words {
  if (audience === 'conversation' && !isPersonalChat(context)) return wordsForChannel(settings);
  return wordsFor(resolveLocale(settings.defaultLocale, context.activity.locale), settings.timeZone);
}

/** Channels are read by many: they get the tenant's default language. */
export function wordsForChannel(settings: WordsSettings): Words {
  return wordsFor(settings.defaultLocale, settings.timeZone);
}
