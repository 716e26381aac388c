import { Locale } from './locales';
import enCards from './catalogs/en/cards.json';
import enChat from './catalogs/en/chat.json';
import enNotices from './catalogs/en/notices.json';
import enOutcomes from './catalogs/en/outcomes.json';
import enPackage from './catalogs/en/package.json';
import enSteps from './catalogs/en/steps.json';
import enTab from './catalogs/en/tab.json';
import deCards from './catalogs/de/cards.json';
import deChat from './catalogs/de/chat.json';
import deNotices from './catalogs/de/notices.json';
import deOutcomes from './catalogs/de/outcomes.json';
import dePackage from './catalogs/de/package.json';
import deSteps from './catalogs/de/steps.json';
import deTab from './catalogs/de/tab.json';
import frCards from './catalogs/fr/cards.json';
import frChat from './catalogs/fr/chat.json';
import frNotices from './catalogs/fr/notices.json';
import frOutcomes from './catalogs/fr/outcomes.json';
import frPackage from './catalogs/fr/package.json';
import frSteps from './catalogs/fr/steps.json';
import frTab from './catalogs/fr/tab.json';
import esCards from './catalogs/es/cards.json';
import esChat from './catalogs/es/chat.json';
import esNotices from './catalogs/es/notices.json';
import esOutcomes from './catalogs/es/outcomes.json';
import esPackage from './catalogs/es/package.json';
import esSteps from './catalogs/es/steps.json';
import esTab from './catalogs/es/tab.json';

/**
 * One catalog per language, kept in one file per area (chat replies, cards, posts and proactive
 * notices, domain outcomes, service steps, the export package, the dashboard tab) so the areas can
 * be written and reviewed apart; the tab's web app bundles only its own area. A key is
 * `<area>.<name>`; English is the reference every other language must match key for key.
 */
const AREAS = {
  en: { cards: enCards, chat: enChat, notices: enNotices, outcomes: enOutcomes, package: enPackage, steps: enSteps, tab: enTab },
  de: { cards: deCards, chat: deChat, notices: deNotices, outcomes: deOutcomes, package: dePackage, steps: deSteps, tab: deTab },
  fr: { cards: frCards, chat: frChat, notices: frNotices, outcomes: frOutcomes, package: frPackage, steps: frSteps, tab: frTab },
  es: { cards: esCards, chat: esChat, notices: esNotices, outcomes: esOutcomes, package: esPackage, steps: esSteps, tab: esTab },
} satisfies Record<Locale, Record<string, Record<string, string>>>;

type English = (typeof AREAS)['en'];
/** Every message the bot can say, checked by the compiler against the English catalog. */
export type MessageKey = { [Area in keyof English]: `${Area & string}.${keyof English[Area] & string}` }[keyof English];

/** The flat catalog of one language: `{ 'cards.approve': 'Approve', ... }`. */
export function catalogOf(locale: Locale): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [area, messages] of Object.entries(AREAS[locale] as Record<string, Record<string, string>>)) {
    for (const [name, message] of Object.entries(messages)) flat[`${area}.${name}`] = message;
  }
  return flat;
}
