import type { QueryLanguage } from './queryTokenizer';

/**
 * The Azure Digital Twins query language, as far as the sandbox reads it: names such as `$dtId`
 * and `T` with `.` between them, single-quoted strings with backslash escapes, and the keywords
 * of the subset its parser evaluates.
 */
export const DIGITAL_TWINS_QUERY: QueryLanguage = {
  nameStart: /[A-Za-z_$]/,
  namePart: /[A-Za-z0-9_]/,
  dottedNames: false,
  escape: 'backslash',
  keywords: ['SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'IN', 'JOIN', 'RELATED', 'DIGITALTWINS', 'RELATIONSHIPS'],
  marks: ['*', ',', '.', '=', '!=', '<', '<=', '>', '>=', '(', ')', '[', ']'],
  guidLiterals: false,
};

/**
 * IoT Hub's query language: a property is one dotted path (`tags.owner.id`, `$` allowed
 * anywhere in a segment), strings are single-quoted with backslash escapes, and the comparison
 * and arithmetic operators of the language are marks.
 */
export const IOT_HUB_QUERY: QueryLanguage = {
  nameStart: /[A-Za-z_$]/,
  namePart: /[A-Za-z0-9_$]/,
  dottedNames: true,
  escape: 'backslash',
  keywords: ['SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'IN'],
  marks: ['!=', '<>', '<=', '>=', '*', '=', '(', ')', '[', ']', ',', '<', '>', '+', '-', '/', '%'],
  guidLiterals: false,
};

/**
 * OData's `$filter` (Graph and ARM): strings double a quote (`'O''Brien'`), GUIDs may be written
 * bare, and operators (`eq`, `or`) are case-sensitive names that the filter's parser compares.
 */
export const ODATA_FILTER: QueryLanguage = {
  nameStart: /[A-Za-z_]/,
  namePart: /[A-Za-z0-9_]/,
  dottedNames: false,
  escape: 'doubled',
  keywords: [],
  marks: ['(', ')', ',', '/'],
  guidLiterals: true,
};
