/**
 * One token of a query or filter. `at` is the token's position in the text, which the services
 * quote in their syntax errors.
 */
export type QueryToken =
  /** An identifier: a property, alias, function or (in OData) operator name; a dotted path where the language reads one as a whole. */
  | { readonly kind: 'name'; readonly text: string; readonly at: number }
  /** A keyword of the language, matched case-insensitively and given in the language's spelling (`SELECT`). */
  | { readonly kind: 'keyword'; readonly word: string; readonly at: number }
  | { readonly kind: 'string'; readonly value: string; readonly at: number }
  | { readonly kind: 'number'; readonly value: number; readonly at: number }
  /** `true`, `false` or `null`, in any case. */
  | { readonly kind: 'literal'; readonly value: boolean | null; readonly at: number }
  /** An OData GUID literal, written without quotes (`principalId eq 6f1c...`). */
  | { readonly kind: 'guid'; readonly value: string; readonly at: number }
  /** Punctuation or an operator (`(`, `,`, `=`, `!=`). */
  | { readonly kind: 'mark'; readonly text: string; readonly at: number };

/** The lexical rules of one query language. */
export interface QueryLanguage {
  /** The first character of a name, and the ones that may follow it. */
  readonly nameStart: RegExp;
  readonly namePart: RegExp;
  /** Whether `a.b.c` is one name (IoT Hub's paths) or names and `.` marks (ADT's `T.$dtId`). */
  readonly dottedNames: boolean;
  /**
   * How a quote gets inside a single-quoted literal: `backslash` (`\'`; `\\` is a backslash, any
   * other escape is refused) or `doubled` (OData's `''`).
   */
  readonly escape: 'backslash' | 'doubled';
  readonly keywords: readonly string[];
  /** Punctuation and operators; a longer one wins over its prefix (`<=` over `<`). */
  readonly marks: readonly string[];
  readonly guidLiterals: boolean;
}

/** Why a text could not be split into tokens, and where. */
export interface QueryTokenProblem {
  readonly reason: 'unexpectedCharacter' | 'unterminatedString' | 'invalidEscape';
  /** The character, the literal's opening quote, or the escaping backslash. */
  readonly at: number;
}

const QUOTE = "'";
const NUMBER = /\d+(\.\d+)?([eE][+-]?\d+)?/y;
const GUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/y;
const LITERALS: ReadonlyMap<string, boolean | null> = new Map([['true', true], ['false', false], ['null', null]]);

/**
 * Splits query text into tokens by the language's rules. A string literal's value is unescaped
 * here, so `'x\' OR 1=1'` is one literal and never code.
 * @param refuse builds the service's own error for text that is not made of tokens.
 */
export function tokenizeQuery(text: string, language: QueryLanguage, refuse: (problem: QueryTokenProblem) => Error): QueryToken[] {
  const marks = [...language.marks].sort((a, b) => b.length - a.length);
  const keywords = new Map(language.keywords.map((word) => [word.toUpperCase(), word]));
  const tokens: QueryToken[] = [];
  let at = 0;
  while (at < text.length) {
    const c = text[at];
    const guid = language.guidLiterals ? matchAt(GUID, text, at) : undefined;
    const mark = marks.find((candidate) => text.startsWith(candidate, at));
    if (/\s/.test(c)) {
      at++;
    } else if (c === QUOTE) {
      const { value, end } = readString(text, at, language.escape, refuse);
      tokens.push({ kind: 'string', value, at });
      at = end;
    } else if (guid !== undefined && !language.namePart.test(text[at + guid.length] ?? '')) {
      tokens.push({ kind: 'guid', value: guid, at });
      at += guid.length;
    } else if (language.nameStart.test(c)) {
      const end = nameEnd(text, at, language);
      const word = text.slice(at, end);
      const keyword = keywords.get(word.toUpperCase());
      const literal = LITERALS.get(word.toLowerCase());
      if (keyword !== undefined) tokens.push({ kind: 'keyword', word: keyword, at });
      else if (literal !== undefined) tokens.push({ kind: 'literal', value: literal, at });
      else tokens.push({ kind: 'name', text: word, at });
      at = end;
    } else if (/\d/.test(c)) {
      const number = matchAt(NUMBER, text, at) as string;
      tokens.push({ kind: 'number', value: Number(number), at });
      at += number.length;
    } else if (mark !== undefined) {
      tokens.push({ kind: 'mark', text: mark, at });
      at += mark.length;
    } else {
      throw refuse({ reason: 'unexpectedCharacter', at });
    }
  }
  return tokens;
}

function matchAt(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0];
}

/** Where the name starting at `start` ends; a dotted path continues only where a name follows the dot. */
function nameEnd(text: string, start: number, language: QueryLanguage): number {
  let end = start + 1;
  for (;;) {
    while (end < text.length && language.namePart.test(text[end])) end++;
    if (!language.dottedNames || text[end] !== '.' || !language.nameStart.test(text[end + 1] ?? '')) return end;
    end += 2;
  }
}

function readString(
  text: string, start: number, escape: QueryLanguage['escape'], refuse: (problem: QueryTokenProblem) => Error,
): { value: string; end: number } {
  let value = '';
  let at = start + 1;
  while (at < text.length) {
    const c = text[at];
    if (c === QUOTE && escape === 'doubled' && text[at + 1] === QUOTE) {
      value += QUOTE;
      at += 2;
    } else if (c === QUOTE) {
      return { value, end: at + 1 };
    } else if (c === '\\' && escape === 'backslash') {
      const next = text[at + 1];
      if (next !== QUOTE && next !== '\\') throw refuse({ reason: 'invalidEscape', at });
      value += next;
      at += 2;
    } else {
      value += c;
      at++;
    }
  }
  throw refuse({ reason: 'unterminatedString', at: start });
}
