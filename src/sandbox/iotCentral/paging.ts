import { nextLinkPage, type SandboxRequest } from '../common';
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
  return nextLinkPage(request, items, {
    pageSize,
    tokenParameter: '$skiptoken',
    invalidToken: () => badRequest('The continuation token is not valid.'),
  });
}
