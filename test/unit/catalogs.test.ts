import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { MessageFormatElement, TYPE, parse } from '@formatjs/icu-messageformat-parser';
import { createIntl } from '@formatjs/intl';
import { LOCALES, catalogOf, wordsFor, type MessageKey } from '../../src/i18n';
import { FORMAT_TAGS } from '../../src/i18n/locales';

const CATALOGS = path.join(__dirname, '..', '..', 'src', 'i18n', 'catalogs');

/** The names a message's placeholders use, with their type (`count:plural`, `day:date`, `name:argument`). */
function placeholders(elements: MessageFormatElement[], found = new Set<string>()): Set<string> {
  for (const element of elements) {
    if (element.type === TYPE.literal || element.type === TYPE.pound) continue;
    if (element.type === TYPE.tag) {
      placeholders(element.children, found);
      continue;
    }
    found.add(`${element.value}:${TYPE[element.type]}`);
    if (element.type === TYPE.plural || element.type === TYPE.select) {
      for (const option of Object.values(element.options)) placeholders(option.value, found);
    }
  }
  return found;
}

describe('the message catalogs', () => {
  const english = catalogOf('en');

  it('hold the same areas in every language', () => {
    const areasOf = (locale: string) => readdirSync(path.join(CATALOGS, locale)).sort();
    for (const locale of LOCALES) expect(areasOf(locale)).toEqual(areasOf('en'));
  });

  it.each(LOCALES.filter((l) => l !== 'en'))('%s has every English key and no other', (locale) => {
    expect(Object.keys(catalogOf(locale)).sort()).toEqual(Object.keys(english).sort());
  });

  it.each(LOCALES)('%s: every message parses as ICU MessageFormat, with the placeholders of the English one', (locale) => {
    const catalog = catalogOf(locale);
    const wrong: string[] = [];
    for (const [key, message] of Object.entries(catalog)) {
      const expected = [...placeholders(parse(english[key]))].sort();
      let actual: string[];
      try {
        actual = [...placeholders(parse(message))].sort();
      } catch (error) {
        wrong.push(`${key}: does not parse (${(error as Error).message})`);
        continue;
      }
      if (JSON.stringify(actual) !== JSON.stringify(expected)) wrong.push(`${key}: ${actual.join(',')} instead of ${expected.join(',')}`);
      if (!message.trim()) wrong.push(`${key}: empty`);
    }
    expect(wrong).toEqual([]);
  });

  it.each(LOCALES.filter((l) => l !== 'en'))('%s is a translation, not a copy of the English', (locale) => {
    const catalog = catalogOf(locale);
    // Short labels (ids, "OK", service names) may rightly read the same; sentences may not.
    const copied = Object.entries(catalog).filter(([key, message]) => message === english[key] && message.split(/\s+/).length >= 4);
    expect(copied.map(([key]) => key)).toEqual([]);
  });

  it('files are plain JSON objects of strings', () => {
    for (const locale of LOCALES) {
      for (const file of readdirSync(path.join(CATALOGS, locale))) {
        const messages = JSON.parse(readFileSync(path.join(CATALOGS, locale, file), 'utf8')) as Record<string, unknown>;
        expect(Object.values(messages).every((m) => typeof m === 'string')).toBe(true);
      }
    }
  });

  it('formats every message with values as @formatjs/intl formatMessage does, in every language', () => {
    const moment = new Date('2026-12-22T23:30:00Z');
    // A value for each placeholder of its type; a select takes its first option.
    const sampleValues = (elements: MessageFormatElement[], values: Record<string, string | number | Date> = {}) => {
      for (const element of elements) {
        if (element.type === TYPE.tag) sampleValues(element.children, values);
        if (element.type === TYPE.argument) values[element.value] ??= 'Ada <&> 1';
        if (element.type === TYPE.number || element.type === TYPE.plural) values[element.value] = 2;
        if (element.type === TYPE.date || element.type === TYPE.time) values[element.value] = moment;
        if (element.type === TYPE.select) values[element.value] = Object.keys(element.options)[0];
        if (element.type === TYPE.plural || element.type === TYPE.select) {
          for (const option of Object.values(element.options)) sampleValues(option.value, values);
        }
      }
      return values;
    };
    let compared = 0;
    for (const locale of LOCALES) {
      const messages = catalogOf(locale);
      const intl = createIntl({ locale: FORMAT_TAGS[locale], timeZone: 'Europe/Berlin', messages, onError: () => undefined });
      const words = wordsFor(locale, 'Europe/Berlin');
      for (const [key, message] of Object.entries(messages)) {
        const values = sampleValues(parse(message));
        if (Object.keys(values).length === 0) continue;
        expect([key, words.t(key as MessageKey, values)]).toEqual([key, intl.formatMessage({ id: key }, values)]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(4 * 150);
  });

  it('formats days and times as @formatjs/intl formatDate does, in every language and zone, unreadable dates included', () => {
    const dates = ['2026-12-22T23:30:00Z', '2026-03-29T00:59:59Z', '2026-03-29T01:00:00Z', '2026-10-25T00:30:00Z', '2027-01-01T00:00:00Z', 'not a date'];
    let compared = 0;
    for (const locale of LOCALES) {
      for (const timeZone of ['UTC', 'Europe/Berlin', 'Europe/Dublin', 'America/New_York']) {
        const intl = createIntl({ locale: FORMAT_TAGS[locale], timeZone, onError: () => undefined });
        const words = wordsFor(locale, timeZone);
        for (const text of dates) {
          const date = new Date(text);
          const zone = intl.formatDateToParts(date, { timeZoneName: 'short' }).find((part) => part.type === 'timeZoneName')?.value ?? timeZone;
          expect([text, words.day(text), words.day(date)]).toEqual([text, intl.formatDate(date, { dateStyle: 'medium' }), intl.formatDate(date, { dateStyle: 'medium' })]);
          expect([text, words.dateTime(text)]).toEqual([text, `${intl.formatDate(date, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' })} ${zone}`]);
          compared++;
        }
      }
    }
    expect(compared).toBe(LOCALES.length * 4 * dates.length);
    expect(wordsFor('en', 'UTC').day('not a date')).toBe('Invalid Date');
  });

  it('formats dates and numbers for the locale in the tenant time zone', () => {
    const moment = new Date('2026-12-22T23:30:00Z');
    expect(wordsFor('en', 'UTC').day(moment)).toBe('22 Dec 2026');
    expect(wordsFor('de', 'Europe/Berlin').day(moment)).toBe('23.12.2026');
    expect(wordsFor('de', 'Europe/Berlin').number(1234.5)).toBe('1.234,5');
    expect(wordsFor('fr', 'Europe/Paris').number(1234.5)).toMatch(/^1\s234,5$/);
    expect(wordsFor('es', 'UTC').list(['a', 'b', 'c'])).toBe('a, b y c');
  });
});
