import type { Route } from './sandboxService';
import { SandboxHttpError } from './sandboxHttpError';

/** The route a request matched and the values of its `{name}` segments. */
export interface RouteMatch {
  readonly route: Route;
  readonly params: Readonly<Record<string, string>>;
}

/** The outcome of routing: a match, a path known only for other methods, or nothing. */
export type RoutingResult =
  | { readonly kind: 'matched'; readonly match: RouteMatch }
  | { readonly kind: 'methodNotAllowed' }
  | { readonly kind: 'notFound' };

interface CompiledRoute {
  readonly route: Route;
  readonly segments: readonly string[];
}

/**
 * Matches method + path against patterns such as `/v1.0/users/{id}/restore`.
 * Routes are tried in the order given, so list literal routes before
 * parameterised ones that could also match them.
 */
export class Router {
  private readonly compiled: readonly CompiledRoute[];

  constructor(routes: readonly Route[]) {
    this.compiled = routes.map((route) => ({ route, segments: splitPath(route.pattern) }));
  }

  /** Finds the route for a request path (raw, still percent-encoded). */
  resolve(method: string, rawPath: string): RoutingResult {
    const segments = splitPath(rawPath).map(decodeSegment);
    let pathKnown = false;
    for (const candidate of this.compiled) {
      const params = matchSegments(candidate.segments, segments);
      if (!params) continue;
      if (candidate.route.method === method) {
        return { kind: 'matched', match: { route: candidate.route, params } };
      }
      pathKnown = true;
    }
    return pathKnown ? { kind: 'methodNotAllowed' } : { kind: 'notFound' };
  }
}

function matchSegments(pattern: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const name = /^\{(\w+)\}$/.exec(pattern[i])?.[1];
    if (name) params[name] = actual[i];
    else if (pattern[i] !== actual[i]) return undefined;
  }
  return params;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment.length > 0);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new SandboxHttpError(400, 'The request path is not correctly percent-encoded.');
  }
}
