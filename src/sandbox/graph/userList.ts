import { decodeOffsetToken, encodeOffsetToken, type SandboxRequest, type SandboxResponse } from '../common';
import type { GraphUser } from './graphState';
import { badRequest } from './graphErrors';
import { parseUserFilter } from './userFilter';
import { odataContext, parseUserSelect, projectUser, type UserProjection } from './userProjection';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 999;
const LIST_QUERY_OPTIONS = new Set(['$select', '$top', '$filter', '$skiptoken']);

/** How one list endpoint renders its users. */
export interface UserListShape {
  /** The entity set named in `@odata.context`, for example `users`. */
  readonly entitySet: string;
  readonly defaults?: UserProjection['defaults'];
  readonly odataType?: boolean;
}

/**
 * Answers a user collection the Graph way: `$filter`, `$select`, `$top`
 * (default 100, at most 999) and paging by an opaque `$skiptoken` in `@odata.nextLink`.
 */
export function listUsers(request: SandboxRequest, users: readonly GraphUser[], shape: UserListShape): SandboxResponse {
  rejectUnsupportedOptions(request.query, LIST_QUERY_OPTIONS);
  const select = parseUserSelect(request.query);
  const filterText = request.query.get('$filter');
  const matching = filterText === null ? users : users.filter(parseUserFilter(filterText));
  return pagedCollection(request, matching, odataContext(request.baseUrl, shape.entitySet, select), (user) =>
    projectUser(user, { select, defaults: shape.defaults, odataType: shape.odataType }));
}

/**
 * One page of a Graph collection: `$top` (default 100, at most 999) items from the `$skiptoken`
 * position, each `render`ed, with `@odata.nextLink` while more follow. Callers check the query options.
 */
export function pagedCollection<T>(
  request: SandboxRequest,
  items: readonly T[],
  context: string,
  render: (item: T) => Record<string, unknown>,
): SandboxResponse {
  const top = parseTop(request.query.get('$top'));
  const offset = decodeOffsetToken(request.query.get('$skiptoken'), () => badRequest('The $skiptoken is not valid.'));
  const end = offset + top;
  return {
    status: 200,
    body: {
      '@odata.context': context,
      ...(end < items.length && { '@odata.nextLink': nextLink(request, end) }),
      value: items.slice(offset, end).map(render),
    },
  };
}

/** Refuses `$`-options the sandbox does not implement rather than silently ignoring them. */
export function rejectUnsupportedOptions(query: URLSearchParams, supported: ReadonlySet<string>): void {
  for (const name of query.keys()) {
    if (name.startsWith('$') && !supported.has(name)) {
      throw badRequest(`The query option '${name}' is not supported by the Graph sandbox here.`);
    }
  }
}

function parseTop(raw: string | null): number {
  if (raw === null) return DEFAULT_PAGE_SIZE;
  const top = Number(raw);
  if (!/^\d+$/.test(raw) || top < 1 || top > MAX_PAGE_SIZE) {
    throw badRequest(`Invalid page size specified: '${raw}'. Must be between 1 and ${MAX_PAGE_SIZE} inclusive.`);
  }
  return top;
}

/** Graph's own link form: option names such as `$skiptoken` stay unescaped (URLSearchParams would write `%24`). */
function nextLink(request: SandboxRequest, offset: number): string {
  const options = [...request.query.entries()].filter(([name]) => name !== '$skiptoken');
  options.push(['$skiptoken', encodeOffsetToken(offset)]);
  const queryString = options.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
  return `${request.baseUrl}${request.path}?${queryString}`;
}
