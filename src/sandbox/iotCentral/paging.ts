import type { SandboxRequest } from '../common';
import { badRequest } from './iotCentralErrors';

/** One page of a collection: the spec's `{ value, nextLink? }`. */
export interface Page<T> {
  value: T[];
  nextLink?: string;
}

/**
 * Cuts `items` into the page the request asks for. The position travels in an opaque
 * `$skiptoken` inside `nextLink`, which repeats the request's other query options, so a
 * client only ever follows the link; the last page has no `nextLink`.
 */
export function pageOf<T>(request: SandboxRequest, items: readonly T[], pageSize: number): Page<T> {
  const offset = readSkipToken(request.query.get('$skiptoken'));
  const value = items.slice(offset, offset + pageSize);
  const next = offset + pageSize;
  return next < items.length ? { value, nextLink: nextLink(request, next) } : { value };
}

function readSkipToken(raw: string | null): number {
  if (raw === null) return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // falls through to the error below
  }
  throw badRequest('The continuation token is not valid.');
}

function nextLink(request: SandboxRequest, offset: number): string {
  const query = new URLSearchParams([...request.query.entries()].filter(([name]) => name !== '$skiptoken'));
  query.set('$skiptoken', Buffer.from(JSON.stringify({ offset })).toString('base64url'));
  return `${request.baseUrl}${request.path}?${query.toString()}`;
}
