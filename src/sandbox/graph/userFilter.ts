import { ODATA_FILTER, SandboxHttpError, tokenizeQuery } from '../common';
import type { GraphUser } from './graphState';

/** Decides whether a user matches a `$filter`. */
export type UserPredicate = (user: GraphUser) => boolean;

const FILTERABLE_BY_LOWER_NAME: ReadonlyMap<string, 'mail' | 'userPrincipalName'> = new Map([
  ['mail', 'mail'],
  ['userprincipalname', 'userPrincipalName'],
]);

/**
 * Parses the `$filter` subset the sandbox supports:
 * `mail eq '...'` and `userPrincipalName eq '...'` joined by `or`.
 * Values match case-insensitively, as in Graph. String literals follow OData
 * (`''` is a quote), so a value can never become part of the expression.
 * @throws 400 for a malformed or unsupported filter.
 */
export function parseUserFilter(text: string): UserPredicate {
  const tokens = tokenizeQuery(text, ODATA_FILTER, invalidFilter);
  const comparisons: { property: 'mail' | 'userPrincipalName'; value: string }[] = [];
  let position = 0;
  for (;;) {
    const [propertyToken, operator, literal] = tokens.slice(position, position + 3);
    if (propertyToken?.kind !== 'name' || operator?.kind !== 'name' || literal?.kind !== 'string') {
      throw invalidFilter();
    }
    const property = FILTERABLE_BY_LOWER_NAME.get(propertyToken.text.toLowerCase());
    if (!property || operator.text !== 'eq') throw unsupportedFilter();
    comparisons.push({ property, value: literal.value.toLowerCase() });
    position += 3;
    if (position === tokens.length) break;
    const joiner = tokens[position];
    if (joiner.kind !== 'name' || joiner.text !== 'or') throw unsupportedFilter();
    position += 1;
  }
  return (user) => comparisons.some(({ property, value }) => user[property]?.toLowerCase() === value);
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
