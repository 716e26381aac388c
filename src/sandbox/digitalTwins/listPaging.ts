import type { SandboxRequest } from '../common';
import { digitalTwinsError } from './digitalTwinsErrors';

/**
 * Relationships per page of the list operations. The service documents no number (only that it
 * pages by `nextLink`); the sandbox uses 100, as models are paged, so paging shows in tests.
 */
export const LIST_PAGE_SIZE = 100;

const TOKEN_PARAMETER = 'continuationToken';

/**
 * One page of a list answer: `{ value, nextLink }`, the nextLink repeating the request's query
 * parameters (api-version, relationshipName) plus an opaque position.
 */
export function listPage<T>(request: SandboxRequest, items: readonly T[]): { value: T[]; nextLink?: string } {
  const offset = decodeOffset(request.query.get(TOKEN_PARAMETER));
  const end = offset + LIST_PAGE_SIZE;
  return { value: items.slice(offset, end), ...(end < items.length && { nextLink: nextLink(request, end) }) };
}

function nextLink(request: SandboxRequest, offset: number): string {
  const query = new URLSearchParams([...request.query.entries()].filter(([name]) => name !== TOKEN_PARAMETER));
  query.set(TOKEN_PARAMETER, Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url'));
  return `${request.baseUrl}${request.path}?${query.toString()}`;
}

function decodeOffset(raw: string | null): number {
  if (raw === null) return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // falls through to the error below
  }
  throw digitalTwinsError(400, 'InvalidArgument', 'The continuation token is invalid.');
}
