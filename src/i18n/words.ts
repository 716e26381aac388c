import { IntlShape, createIntl, createIntlCache } from '@formatjs/intl';
import { IntlMessageFormat, type Formats } from 'intl-messageformat';
import { MessageKey, catalogOf } from './catalog';
import { FORMAT_TAGS, Locale } from './locales';

/** What a message's placeholders take: text, counts and dates (formatted by the message itself). */
export type MessageValues = Record<string, string | number | Date>;

/**
 * Everything a person reads, in their language: catalog messages (ICU MessageFormat) and dates
 * and numbers formatted for the locale in the tenant's time zone.
 */
export interface Words {
  readonly locale: Locale;
  readonly timeZone: string;
  t(key: MessageKey, values?: MessageValues): string;
  /** `22 Dec 2026` / `22.12.2026`. */
  day(date: Date | string): string;
  /** Day and time, with the time zone named. */
  dateTime(date: Date | string): string;
  number(value: number): string;
  /** `10 bytes`, `10 Byte`, `10 octets`: the unit is CLDR's, as a date's month names are. */
  bytes(value: number): string;
  /** `a, b and c` / `a, b und c`. */
  list(items: readonly string[]): string;
}

const cache = createIntlCache();
const made = new Map<string, Words>();

const asDate = (date: Date | string) => (typeof date === 'string' ? new Date(date) : date);

/**
 * The formatter `intl.formatDate(date, options)` uses (the time zone added from `intl`), found
 * once: formatDate finds its cached formatter by the JSON of the options on every call (3–4 µs a
 * date against under 1), and a card has many dates.
 */
function keptDateFormat(intl: IntlShape<string>, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return intl.formatters.getDateTimeFormat(intl.locale, { ...(intl.timeZone && { timeZone: intl.timeZone }), ...options });
}

/** `date` by `format`; as formatDate answers, a date it cannot format comes back as text. */
function formatted(format: Intl.DateTimeFormat, date: Date): string {
  try {
    return format.format(date);
  } catch {
    return String(date);
  }
}

/** The zone's short name (`UTC`, `CET`) by a `timeZoneName: 'short'` format; the zone's id when it gives none. */
function zoneName(format: Intl.DateTimeFormat, date: Date, timeZone: string): string {
  try {
    return format.formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? timeZone;
  } catch {
    return timeZone;
  }
}

/** IntlMessageFormat's named date and time styles in `timeZone`, as @formatjs/intl's formatMessage sets them. */
function formatsIn(timeZone: string): Formats {
  const inZone = (styles: Record<string, Intl.DateTimeFormatOptions>) =>
    Object.fromEntries(Object.entries(styles).map(([name, options]) => [name, { timeZone, ...options }]));
  const { formats } = IntlMessageFormat;
  return { ...formats, date: inZone(formats.date), time: inZone(formats.time) };
}

/**
 * Formats a message with values by its IntlMessageFormat, compiled once per key: the same
 * formatting as intl.formatMessage, which on every call merges the formats and finds the compiled
 * message by their JSON (30–50 µs a message against 6 µs, most of a card's wording time). As
 * formatMessage does, a message that cannot be formatted with its values is given as written.
 */
function compiledMessages(intl: IntlShape<string>, messages: Record<string, string>, timeZone: string) {
  const formats = formatsIn(timeZone);
  const compiled = new Map<string, IntlMessageFormat>();
  return (key: MessageKey, values: MessageValues): string => {
    const message = messages[key];
    if (message === undefined) return intl.formatMessage({ id: key }, values) as string;
    try {
      let format = compiled.get(key);
      if (!format) {
        format = new IntlMessageFormat(message, intl.locale, formats, { formatters: intl.formatters });
        compiled.set(key, format);
      }
      return format.format(values) as string;
    } catch {
      return message;
    }
  };
}

function makeWords(locale: Locale, timeZone: string): Words {
  const messages = catalogOf(locale);
  const intl: IntlShape<string> = createIntl(
    {
      locale: FORMAT_TAGS[locale],
      timeZone,
      messages,
      // A missing message is a bug the catalog test catches; in production it must not throw.
      onError: () => undefined,
    },
    cache,
  );
  const withValues = compiledMessages(intl, messages, timeZone);
  const day = keptDateFormat(intl, { dateStyle: 'medium' });
  const dayAndTime = keptDateFormat(intl, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' });
  // The zone is said apart, so every locale's date and time read alike.
  const zone = keptDateFormat(intl, { timeZoneName: 'short' });
  return {
    locale,
    timeZone,
    t: (key, values) => (values ? withValues(key, values) : (intl.formatMessage({ id: key }) as string)),
    day: (date) => formatted(day, asDate(date)),
    dateTime: (date) => `${formatted(dayAndTime, asDate(date))} ${zoneName(zone, asDate(date), timeZone)}`,
    number: (value) => intl.formatNumber(value),
    // intl keeps one formatter per options (the cache): making one is most of formatting one value.
    bytes: (value) => intl.formatNumber(value, { style: 'unit', unit: 'byte', unitDisplay: 'long' }),
    list: (items) => intl.formatList(items, { type: 'conjunction' }) as string,
  };
}

/** The words of one language in one time zone, made once and shared. */
export function wordsFor(locale: Locale, timeZone = 'UTC'): Words {
  const id = `${locale} ${timeZone}`;
  let words = made.get(id);
  if (!words) {
    words = makeWords(locale, timeZone);
    made.set(id, words);
  }
  return words;
}
