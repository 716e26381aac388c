export { LOCALES, localeOf, resolveLocale } from './locales';
export type { Locale } from './locales';
export { catalogOf } from './catalog';
export type { MessageKey } from './catalog';
export { wordsFor } from './words';
export type { MessageValues, Words } from './words';
