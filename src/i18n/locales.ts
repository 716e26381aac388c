/** The languages the bot speaks. A person gets the first of these their Teams or Entra setting names. */
export const LOCALES = ['en', 'de', 'fr', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

/**
 * The regional form each language is formatted in: our users are mostly in Europe, so English
 * dates read `22 Dec 2026`, not `Dec 22, 2026`.
 */
export const FORMAT_TAGS: Record<Locale, string> = { en: 'en-GB', de: 'de-DE', fr: 'fr-FR', es: 'es-ES' };

/** The language a BCP 47 tag (`de-AT`, `fr`, `es-419`, `EN_us`) names, if the bot speaks it. */
export function localeOf(tag: string | undefined | null): Locale | undefined {
  const language = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return (LOCALES as readonly string[]).includes(language ?? '') ? (language as Locale) : undefined;
}

/**
 * A person's language: the first candidate the bot speaks, in the order given (Teams'
 * `activity.locale`, then Entra's `preferredLanguage`), else the tenant's default.
 */
export function resolveLocale(fallback: Locale, ...candidates: (string | undefined | null)[]): Locale {
  for (const candidate of candidates) {
    const locale = localeOf(candidate);
    if (locale) return locale;
  }
  return fallback;
}
