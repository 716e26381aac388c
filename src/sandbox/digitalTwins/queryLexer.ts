import { sqlQueryError } from './digitalTwinsErrors';

/** One token of a query: a name (keyword, alias, property), a string literal or a punctuation mark. */
export type Token =
  | { readonly kind: 'name'; readonly text: string; readonly at: number }
  | { readonly kind: 'string'; readonly value: string; readonly at: number }
  | { readonly kind: 'mark'; readonly text: string; readonly at: number };

const MARKS = new Set(['*', ',', '.', '=', '(', ')', '[', ']']);
const NAME_START = /[A-Za-z_$]/;
const NAME_PART = /[A-Za-z0-9_]/;

/**
 * Splits query text into tokens. String literals are single-quoted; inside them a backslash
 * escapes a quote (`\'`) or a backslash (`\\`), so `'x\' OR 1=1'` is one literal and never code.
 * Anything outside the sandbox's subset (numbers, double quotes, comparison operators other
 * than `=`) is a `SqlQueryError`, as an unparsable query is in the service.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      const { value, end } = readString(text, i);
      tokens.push({ kind: 'string', value, at: i });
      i = end;
    } else if (NAME_START.test(c)) {
      let end = i + 1;
      while (end < text.length && NAME_PART.test(text[end])) end++;
      tokens.push({ kind: 'name', text: text.slice(i, end), at: i });
      i = end;
    } else if (MARKS.has(c)) {
      tokens.push({ kind: 'mark', text: c, at: i });
      i++;
    } else {
      throw sqlQueryError(`Syntax error at position ${i}: unexpected character.`);
    }
  }
  return tokens;
}

function readString(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "'") return { value, end: i + 1 };
    if (c === '\\') {
      const next = text[i + 1];
      if (next !== "'" && next !== '\\') throw sqlQueryError(`Syntax error at position ${i}: unsupported escape sequence in a string literal.`);
      value += next;
      i += 2;
    } else {
      value += c;
      i++;
    }
  }
  throw sqlQueryError(`Syntax error at position ${start}: the string literal is not terminated.`);
}
