import { digestText } from '../../src/bot/digestAnnouncer';
import { approvalCard, requestDetailsCard } from '../../src/cards/approverCards';
import { reminderText, reportCard } from '../../src/cards/complianceCards';
import { exportReadyCard } from '../../src/cards/personCards';
import { Card } from '../../src/cards/render';
import { registerRows, registerSummary } from '../../src/dsr';
import { catalogOf, LOCALES, Locale, wordsFor, Words } from '../../src/i18n';
import { byteSize, elementsOfType, parseEvents } from './cardChecks';
import { exported, extendedOnce, link, NOW, sampleCards, softDeleted } from './cardSamples';
import { sampleRequest } from './sampleRequest';

/** Teams refuses an Adaptive Card over 28 KB. */
const TEAMS_CARD_LIMIT_BYTES = 28 * 1024;

const REGISTER_LINK = { url: 'https://127.0.0.1:10000/devstoreaccount1/exports/register/dsr-register.csv?sig=abc', expiresAt: new Date('2026-12-01T10:00:00.000Z') };
const planned = { ...softDeleted, planHash: 'ef'.repeat(32) };

/** Every card builder in one language: the samples every card test uses, plus the details and the register report. */
function cardsIn(words: Words): [string, Card][] {
  const summary = registerSummary(registerRows([softDeleted, extendedOnce, sampleRequest({ id: 'DSR-2026-0007', state: 'completed', closedAt: '2026-11-24T08:15:00.000Z' })], { pseudonymKey: 'unit-test-pseudonym-key-0001', now: NOW }), NOW);
  return [
    ...sampleCards(words).map(([name, card]): [string, Card] => [name, card]),
    ['request details with a plan', requestDetailsCard(words, planned)],
    ['register report', reportCard(words, summary, REGISTER_LINK)],
  ];
}

/** Every string a card holds, wherever it sits (text, fact, label, choice, button, error message). */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}

/** A message without its placeholders, split where they were: the literal runs of words a reader would see. */
function literalRuns(message: string): string[] {
  let text = message;
  // Innermost `{...}` first, until no placeholder (plural, select or plain) is left.
  while (/\{[^{}]*\}/.test(text)) text = text.replace(/\{[^{}]*\}/g, '\u0000');
  return text.split('\u0000').map((run) => run.trim().replace(/^[\s,.;:()«»"“”]+|[\s,.;:()«»"“”]+$/g, ''));
}

/** The English sentences and phrases of three words or more that the cards and notices can show. */
const ENGLISH_PHRASES = [
  ...new Set(
    Object.entries(catalogOf('en'))
      .filter(([key]) => key.startsWith('cards.') || key.startsWith('notices.'))
      .flatMap(([, message]) => literalRuns(message))
      .filter((run) => run.split(/\s+/).length >= 3),
  ),
];

const englishIn = (texts: string[]) => ENGLISH_PHRASES.filter((phrase) => texts.some((text) => text.includes(phrase)));

describe.each(LOCALES.map((locale) => [locale]))('cards in %s', (locale: Locale) => {
  const words = wordsFor(locale, 'Europe/Berlin');

  describe.each(cardsIn(words))('the %s card', (_name, card) => {
    it('parses in the Adaptive Cards library without a warning or an error', () => {
      expect(parseEvents(card)).toEqual([]);
    });

    it('stays under Teams’ 28 KB card limit', () => {
      expect(byteSize(card)).toBeLessThan(TEAMS_CARD_LIMIT_BYTES);
    });

    if (locale !== 'en') {
      it('holds no English sentence of the catalog', () => {
        expect(englishIn(stringsOf(card))).toEqual([]);
      });
    }
  });

  if (locale !== 'en') {
    it('words the channel notices without English', () => {
      const texts = [
        reminderText(words, extendedOnce, 'dueIn7Days', NOW),
        reminderText(words, sampleRequest({ dueAt: '2026-11-20' }), 'overdue', NOW),
        digestText(words, { sequence: 3, at: '2026-11-25T12:00:00.000Z', heads: [], root: 'ab'.repeat(32) }),
      ];
      expect(englishIn(texts)).toEqual([]);
    });
  }
});

describe('a card in the reader’s language', () => {
  it('finds the English catalog’s sentences on an English card, so their absence elsewhere means something', () => {
    expect(ENGLISH_PHRASES.length).toBeGreaterThan(100);
    expect(englishIn(stringsOf(approvalCard(wordsFor('en'), extendedOnce, { erasureApprovals: 2 })))).toEqual(
      expect.arrayContaining(['Waiting for a privacy admin to decide', 'Extend the deadline by']),
    );
  });

  it('gives a German approver German buttons and facts, with times in the tenant’s zone', () => {
    const card = approvalCard(wordsFor('de', 'Europe/Berlin'), extendedOnce, { erasureApprovals: 2 });
    expect(elementsOfType(card, 'Action.Execute').map((a) => a.title)).toEqual(expect.arrayContaining(['Aktualisieren', 'Genehmigen', 'Ablehnen']));
    // 08:15 UTC is 09:15 in Berlin in November.
    expect(stringsOf(card).join('\n')).toMatch(/24\.11\.2026, 09:15 MEZ: vom 22\.12\.2026 auf den 22\.01\.2027/);
  });

  it('gives a French requester the download card in French, sizes and dates formatted for France', () => {
    const card = exportReadyCard(wordsFor('fr', 'Europe/Paris'), exported, link);
    const texts = stringsOf(card);
    expect(texts).toEqual(expect.arrayContaining(['Vos données sont prêtes : DSR-2026-0042', 'Télécharger vos données', '47 Ko']));
    expect(texts.join('\n')).toMatch(/1 déc\. 2026, 11:00 UTC\+1|1 déc\. 2026, 11:00 CET|1 déc\. 2026 à 11:00/);
  });
});
