import type { SandboxRequest, SandboxResponse } from '../common';
import { dpsBadRequest } from './dpsErrors';

/** What a query answers when the caller names no page size. */
export const DEFAULT_QUERY_PAGE_SIZE = 100;
/** The largest page the sandbox hands out in one answer. */
export const MAX_QUERY_PAGE_SIZE = 1000;

/** The `x-ms-item-type` of a query answer, as the service names it (the SDKs parse these names). */
export type QueryItemType = 'Enrollment' | 'EnrollmentGroup' | 'DeviceRegistration';

/**
 * Answers one page of a DPS query: a JSON array, the page size from `x-ms-max-item-count`,
 * the position from an opaque `x-ms-continuation` request header, and the next position in
 * the `x-ms-continuation` response header (absent on the last page). Only the page's items are
 * rendered. A token is bound to the
 * query it came from (`scope`), so it cannot be replayed against another collection.
 */
export function queryPage<T>(
  request: SandboxRequest,
  items: readonly T[],
  itemType: QueryItemType,
  scope: string,
  render: (item: T) => unknown = (item) => item,
): SandboxResponse {
  const pageSize = parsePageSize(headerValue(request, 'x-ms-max-item-count'));
  const offset = decodeContinuation(headerValue(request, 'x-ms-continuation'), scope);
  const end = offset + pageSize;
  return {
    status: 200,
    body: items.slice(offset, end).map(render),
    headers: {
      'x-ms-item-type': itemType,
      'x-ms-max-item-count': String(pageSize),
      ...(end < items.length && { 'x-ms-continuation': encodeContinuation(end, scope) }),
    },
  };
}

function headerValue(request: SandboxRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parsePageSize(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_QUERY_PAGE_SIZE;
  const size = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || size < 1 || size > MAX_QUERY_PAGE_SIZE) {
    throw dpsBadRequest(`The page size in x-ms-max-item-count must be from 1 to ${MAX_QUERY_PAGE_SIZE}.`);
  }
  return size;
}

// Opaque to clients, not secret.
function encodeContinuation(offset: number, scope: string): string {
  return Buffer.from(JSON.stringify({ offset, scope }), 'utf8').toString('base64url');
}

function decodeContinuation(raw: string | undefined, scope: string): number {
  if (raw === undefined || raw === '') return 0;
  try {
    const token = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { offset?: unknown; scope?: unknown };
    if (token.scope === scope && typeof token.offset === 'number' && Number.isInteger(token.offset) && token.offset >= 0) {
      return token.offset;
    }
  } catch {
    // falls through to the error below
  }
  throw dpsBadRequest('The continuation token in x-ms-continuation is not valid.');
}
