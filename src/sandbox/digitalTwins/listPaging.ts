import { nextLinkPage, type SandboxRequest } from '../common';
import { digitalTwinsError } from './digitalTwinsErrors';

/**
 * Relationships per page of the list operations. The service documents no number (only that it
 * pages by `nextLink`); the sandbox uses 100, as models are paged, so paging shows in tests.
 */
export const LIST_PAGE_SIZE = 100;

/**
 * One page of a list answer: `{ value, nextLink }`, the nextLink repeating the request's query
 * parameters (api-version, relationshipName) plus an opaque position.
 */
export function listPage<T>(request: SandboxRequest, items: readonly T[]): { value: T[]; nextLink?: string } {
  return nextLinkPage(request, items, {
    pageSize: LIST_PAGE_SIZE,
    tokenParameter: 'continuationToken',
    invalidToken: () => digitalTwinsError(400, 'InvalidArgument', 'The continuation token is invalid.'),
  });
}
