import type { Route } from './sandboxService';

/**
 * Wraps routes so each first hands the request's `api-version` (`null` when absent) to `check`,
 * which throws the service's own error for a missing or unsupported version.
 */
export function checkingApiVersion(routes: readonly Route[], check: (version: string | null) => void): Route[] {
  return routes.map((route) => ({
    ...route,
    handler: (request) => {
      check(request.query.get('api-version'));
      return route.handler(request);
    },
  }));
}
