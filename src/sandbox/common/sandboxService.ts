import type { IncomingHttpHeaders } from 'node:http';

/** A request as a route handler sees it. */
export interface SandboxRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The raw path, without query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Values of the `{name}` segments of the matched pattern, URL-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body, or `undefined` when the request had none. */
  readonly body: unknown;
  /** The server's own base URL (`https://127.0.0.1:4010`), for links such as `@odata.nextLink`. */
  readonly baseUrl: string;
  /** Serves one inner request of a JSON batch (see {@link Route.batch}). */
  readonly dispatch: (inner: InnerRequest) => Promise<SandboxResponse>;
}

/** One request inside a JSON batch, as the batch route hands it on. */
export interface InnerRequest {
  readonly method: string;
  /** Path and query from the server's root, e.g. `/v1.0/users/abc?$select=id`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/** What a route handler answers; `body`, when present, is sent as JSON. */
export interface SandboxResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Handles one route. Throw a `SandboxHttpError` to answer with an error. */
export type RouteHandler = (request: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

/** One route: method and a path pattern whose `{name}` segments match one path segment each. */
export interface Route {
  readonly method: string;
  /** For example `/v1.0/users/{id}`. Literal segments match case-sensitively. */
  readonly pattern: string;
  readonly handler: RouteHandler;
  /**
   * A JSON batch (Graph's `$batch`): not throttled itself; the inner requests it hands to
   * `dispatch` are routed, counted, throttled and faulted each on its own, as the service does.
   */
  readonly batch?: boolean;
}

/** The facts of an error answer, before a service gives them its JSON shape. */
export interface SandboxErrorDetails {
  readonly status: number;
  /** The service's error code, when the thrower chose one. */
  readonly code?: string;
  readonly message: string;
}

/** What an error formatter may use besides the error itself. */
export interface ErrorContext {
  /** A fresh id for this request (services put it in `request-id` and the like). */
  readonly requestId: string;
  readonly headers: IncomingHttpHeaders;
}

/** Renders an error in a service's own JSON shape. */
export type ErrorBodyFormatter = (error: SandboxErrorDetails, context: ErrorContext) => unknown;

/** Everything the shared server needs to know about one sandbox service. */
export interface SandboxServiceDefinition {
  readonly routes: readonly Route[];
  readonly formatError: ErrorBodyFormatter;
  /**
   * Authorization schemes the service accepts, for example `['Bearer']` or
   * `['Bearer', 'SharedAccessSignature']`. Any credential of these schemes is accepted.
   */
  readonly authorizationSchemes: readonly string[];
  /** Largest accepted request body; defaults to 1 MiB. */
  readonly maxBodyBytes?: number;
}
