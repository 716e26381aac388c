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
  const pattern = new RegExp(`^\\s*SELECT\\s+\\*\\s+FROM\\s+${collection}\\s*$`, 'i');
  if (!pattern.test(query)) {
    throw dpsBadRequest(`The query is not supported: only 'SELECT * FROM ${collection}' is.`);
  }
}
