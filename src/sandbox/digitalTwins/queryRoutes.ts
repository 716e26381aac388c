import type { JsonStateStore, Route, SandboxRequest, SandboxResponse } from '../common';
import { digitalTwinsError, sqlQueryError } from './digitalTwinsErrors';
import type { DigitalTwinsState } from './digitalTwinsState';
import { runQuery } from './queryEvaluator';
import { parseQuery } from './queryParser';

/** Items per page when the caller asks for none, and the most it gets however many it asks for. */
export const QUERY_PAGE_SIZE = 1000;
/** Longest query text the service takes. */
export const MAX_QUERY_LENGTH = 8000;

/**
 * `POST /query`: body `{ query, continuationToken }`, header `max-items-per-page`, answer
 * `{ value, continuationToken }` with a `query-charge` header. With a token the query text is
 * ignored. The token is opaque to clients; it carries the query and a position, never results.
 */
export function queryRoutes(store: JsonStateStore<DigitalTwinsState>): Route[] {
  return [{ method: 'POST', pattern: '/query', handler: (request) => answerQuery(request, store.current) }];
}

function answerQuery(request: SandboxRequest, state: Readonly<DigitalTwinsState>): SandboxResponse {
  const specification = querySpecification(request.body);
  const pageSize = maxItemsPerPage(request.headers['max-items-per-page']);
  const { text, position } = specification.continuationToken !== undefined
    ? decodeToken(specification.continuationToken)
    : { text: queryText(specification.query), position: 0 };
  const page = runQuery(parseQuery(text), state, position, pageSize);
  return {
    status: 200,
    headers: { 'query-charge': queryCharge(page.examined, page.value.length) },
    body: { value: page.value, ...(page.next !== undefined && { continuationToken: encodeToken(text, page.next) }) },
  };
}

function querySpecification(body: unknown): { query?: unknown; continuationToken?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw digitalTwinsError(400, 'BadRequest', 'The request body must be a query specification object.');
  }
  const { query, continuationToken } = body as Record<string, unknown>;
  if (continuationToken !== undefined && continuationToken !== null && typeof continuationToken !== 'string') {
    throw digitalTwinsError(400, 'BadRequest', 'The continuation token is invalid.');
  }
  return { query, ...(typeof continuationToken === 'string' && continuationToken !== '' && { continuationToken }) };
}

function queryText(query: unknown): string {
  if (typeof query !== 'string' || query.trim() === '') throw sqlQueryError('The query is empty.');
  if (query.length > MAX_QUERY_LENGTH) throw sqlQueryError(`The query is longer than ${MAX_QUERY_LENGTH} characters.`);
  return query;
}

function maxItemsPerPage(header: string | string[] | undefined): number {
  if (header === undefined) return QUERY_PAGE_SIZE;
  const raw = Array.isArray(header) ? header[0] : header;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < 1) {
    throw digitalTwinsError(400, 'BadRequest', 'The max-items-per-page header must be a positive integer.');
  }
  // "The server may choose to return less than the requested number."
  return Math.min(value, QUERY_PAGE_SIZE);
}

function encodeToken(text: string, position: number): string {
  return Buffer.from(JSON.stringify({ v: 1, q: text, p: position }), 'utf8').toString('base64url');
}

function decodeToken(token: string): { text: string; position: number } {
  try {
    const { v, q, p } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; q?: unknown; p?: unknown };
    if (v === 1 && typeof q === 'string' && typeof p === 'number' && Number.isInteger(p) && p >= 0) return { text: q, position: p };
  } catch {
    // falls through to the error below
  }
  throw digitalTwinsError(400, 'BadRequest', 'The continuation token is invalid.');
}

/** Query units: a base cost plus a little per document looked at and returned. */
function queryCharge(examined: number, returned: number): string {
  return (1 + examined * 0.01 + returned * 0.05).toFixed(2);
}
