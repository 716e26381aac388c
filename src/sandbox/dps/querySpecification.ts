import { IOT_HUB_QUERY, tokenizeQuery } from '../common';
import { dpsBadRequest } from './dpsErrors';

/**
 * Checks a query specification body. The DPS query language has one documented form per
 * collection, `SELECT * FROM enrollments` (or `enrollmentGroups`): no projection, no WHERE,
 * no ORDER BY. Anything else is refused, not silently answered with everything.
 * @throws 400 for a missing body, a missing query or any other query text.
 */
export function requireSelectAll(body: unknown, collection: 'enrollments' | 'enrollmentGroups'): void {
  const query = (body as { query?: unknown } | undefined)?.query;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof query !== 'string') {
    throw dpsBadRequest("The request body must be a query specification: { \"query\": \"SELECT * FROM ...\" }.");
  }
  const unsupported = () => dpsBadRequest(`The query is not supported: only 'SELECT * FROM ${collection}' is.`);
  // Read with IoT Hub's rules (DPS queries take the same SQL-like form); the collection, like the keywords, matches in any case.
  const [select, star, from, named, ...rest] = tokenizeQuery(query, IOT_HUB_QUERY, unsupported);
  const selectsAll = select?.kind === 'keyword' && select.word === 'SELECT' && star?.kind === 'mark' && star.text === '*';
  const fromCollection = from?.kind === 'keyword' && from.word === 'FROM' && named?.kind === 'name' && named.text.toLowerCase() === collection.toLowerCase();
  if (!selectsAll || !fromCollection || rest.length > 0) throw unsupported();
}
