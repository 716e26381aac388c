import { SandboxHttpError } from '../common';
import type { GraphUser } from './graphState';

/** Decides whether a user matches a `$filter`. */
export type UserPredicate = (user: GraphUser) => boolean;

const FILTERABLE_BY_LOWER_NAME: ReadonlyMap<string, 'mail' | 'userPrincipalName'> = new Map([
  ['mail', 'mail'],
  ['userprincipalname', 'userPrincipalName'],
]);

type Token = { kind: 'word'; text: string } | { kind: 'string'; value: string };

/**
 * Parses the `$filter` subset the sandbox supports:
 * `mail eq '...'` and `userPrincipalName eq '...'` joined by `or`.
 * Values match case-insensitively, as in Graph. String literals follow OData
 * (`''` is a quote), so a value can never become part of the expression.
 * @throws 400 for a malformed or unsupported filter.
 */
export function parseUserFilter(text: string): UserPredicate {
  const tokens = tokenize(text);
  const comparisons: { property: 'mail' | 'userPrincipalName'; value: string }[] = [];
  let position = 0;
  for (;;) {
    const [propertyToken, operator, literal] = tokens.slice(position, position + 3);
    if (propertyToken?.kind !== 'word' || operator?.kind !== 'word' || literal?.kind !== 'string') {
      throw invalidFilter();
    }
    const property = FILTERABLE_BY_LOWER_NAME.get(propertyToken.text.toLowerCase());
    if (!property || operator.text !== 'eq') throw unsupportedFilter();
    comparisons.push({ property, value: literal.value.toLowerCase() });
    position += 3;
    if (position === tokens.length) break;
    const joiner = tokens[position];
    if (joiner.kind !== 'word' || joiner.text !== 'or') throw unsupportedFilter();
    position += 1;
  }
  return (user) => comparisons.some(({ property, value }) => user[property]?.toLowerCase() === value);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const rest = text.slice(index);
    const space = /^\s+/.exec(rest);
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (space) {
      index += space[0].length;
    } else if (word) {
      tokens.push({ kind: 'word', text: word[0] });
      index += word[0].length;
    } else if (rest.startsWith("'")) {
      const { value, length } = readStringLiteral(rest);
      tokens.push({ kind: 'string', value });
      index += length;
    } else {
      throw invalidFilter();
    }
  }
  return tokens;
}

/** Reads a literal that starts with a quote; returns its value and how many characters it spans. */
function readStringLiteral(text: string): { value: string; length: number } {
  let value = '';
  let index = 1;
  while (index < text.length) {
    if (text[index] !== "'") {
      value += text[index++];
    } else if (text[index + 1] === "'") {
      value += "'";
      index += 2;
    } else {
      return { value, length: index + 1 };
    }
  }
  throw invalidFilter();
}

function invalidFilter(): SandboxHttpError {
  return new SandboxHttpError(400, 'Invalid filter clause.', 'BadRequest');
}

function unsupportedFilter(): SandboxHttpError {
  return new SandboxHttpError(
    400,
    "Unsupported query: the sandbox filters users only by mail eq '...' or userPrincipalName eq '...', joined by or.",
    'Request_UnsupportedQuery',
  );
}
