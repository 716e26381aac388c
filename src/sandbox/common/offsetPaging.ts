import type { SandboxRequest } from './sandboxService';

/** A position in a list as an opaque page token: base64url JSON. Opaque to clients, not secret. */
export function encodeOffsetToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

/**
 * The position an {@link encodeOffsetToken} token names; `null` (no token) is the start.
 * @throws what `invalid` returns, in the service's own error shape, for any other token.
 */
export function decodeOffsetToken(raw: string | null, invalid: () => Error): number {
  if (raw === null) return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // falls through to the error below
  }
  throw invalid();
}

/** How one service pages a `{ value, nextLink? }` list. */
export interface NextLinkPaging {
  readonly pageSize: number;
  /** The query parameter that carries the position in `nextLink`, e.g. `$skiptoken`. */
  readonly tokenParameter: string;
  /** The service's error for a token it did not hand out. */
  readonly invalidToken: () => Error;
}

/**
 * The page of `items` the request asks for: `{ value, nextLink? }`, the `nextLink` repeating the
 * request's other query parameters plus the opaque position, so a client only ever follows the
 * link; the last page has no `nextLink`.
 */
export function nextLinkPage<T>(request: SandboxRequest, items: readonly T[], paging: NextLinkPaging): { value: T[]; nextLink?: string } {
  const offset = decodeOffsetToken(request.query.get(paging.tokenParameter), paging.invalidToken);
  const end = offset + paging.pageSize;
  const value = items.slice(offset, end);
  if (end >= items.length) return { value };
  const query = new URLSearchParams([...request.query.entries()].filter(([name]) => name !== paging.tokenParameter));
  query.set(paging.tokenParameter, encodeOffsetToken(end));
  return { value, nextLink: `${request.baseUrl}${request.path}?${query.toString()}` };
}
