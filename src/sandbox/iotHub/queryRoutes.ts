import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { JsonStateStore, Route } from '../common';
import { argumentInvalid } from './iotHubErrors';
import type { IotHubState } from './iotHubState';
import { renderTwin } from './projection';
import { requireApiVersion } from './requestChecks';
import { parseTwinQuery } from './twinQuery';

/** Twins per page when the caller sends no `x-ms-max-item-count`. */
export const DEFAULT_QUERY_PAGE_SIZE = 100;
/** The largest page served; a larger `x-ms-max-item-count` is lowered to it ("the service may use a different value"). */
export const MAX_QUERY_PAGE_SIZE = 1000;

/**
 * `POST /devices/query`: body `{ "query": "..." }`, answer a JSON array of twins, ordered by
 * device id. When more remain, the response header `x-ms-continuation` carries an opaque token
 * that the caller sends back in the request header of the same name; the token remembers the last
 * device id served, so devices deleted between pages do not shift the next page.
 */
export function queryRoutes(store: JsonStateStore<IotHubState>): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/devices/query',
      handler: ({ query, headers, body }) => {
        requireApiVersion(query);
        const text = (body as { query?: unknown } | undefined)?.query;
        if (typeof text !== 'string' || text.trim() === '') throw argumentInvalid('The request body needs a query string');
        const matches = parseTwinQuery(text);
        const pageSize = readPageSize(headers);
        const after = readContinuation(headers, text);
        const ordered = store.current.devices
          .filter((device) => (after === undefined || device.deviceId > after) && matches(device))
          .sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
        const page = ordered.slice(0, pageSize);
        const more = ordered.length > pageSize;
        return {
          status: 200,
          body: page.map(renderTwin),
          headers: {
            'x-ms-item-type': 'twin',
            ...(more && { 'x-ms-continuation': continuationToken(text, page[page.length - 1].deviceId) }),
          },
        };
      },
    },
  ];
}

function readPageSize(headers: IncomingHttpHeaders): number {
  const raw = headers['x-ms-max-item-count'];
  if (raw === undefined) return DEFAULT_QUERY_PAGE_SIZE;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw argumentInvalid('x-ms-max-item-count must be a positive integer');
  return Math.min(Number(value), MAX_QUERY_PAGE_SIZE);
}

// Opaque to callers, not secret: the query's hash (a token is only valid for its own query) and a cursor.
function continuationToken(queryText: string, lastDeviceId: string): string {
  return Buffer.from(JSON.stringify({ q: queryHash(queryText), after: lastDeviceId }), 'utf8').toString('base64');
}

function readContinuation(headers: IncomingHttpHeaders, queryText: string): string | undefined {
  const raw = headers['x-ms-continuation'];
  if (raw === undefined || raw === '') return undefined;
  try {
    const token = JSON.parse(Buffer.from(String(raw), 'base64').toString('utf8')) as { q?: unknown; after?: unknown };
    if (token.q === queryHash(queryText) && typeof token.after === 'string') return token.after;
  } catch {
    // falls through to the error below
  }
  throw argumentInvalid('The continuation token is not valid for this query');
}

function queryHash(queryText: string): string {
  return createHash('sha256').update(queryText).digest('base64url').slice(0, 16);
}
