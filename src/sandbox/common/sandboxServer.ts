import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as wait } from 'node:timers/promises';
import { hasAcceptedAuthorization } from './authorization';
import { CONTROL_PATH_PREFIX, formatControlError, sandboxControlRoutes } from './controlRoutes';
import { FaultInjector, type FaultRule } from './faultInjector';
import { readJsonBody } from './jsonBody';
import { RequestStats } from './requestStats';
import { Router, type RouteMatch, type RoutingResult } from './router';
import { SandboxHttpError } from './sandboxHttpError';
import type { ErrorBodyFormatter, InnerRequest, SandboxResponse, SandboxServiceDefinition } from './sandboxService';
import type { PemKeyPair } from './selfSignedCertificate';
import { SandboxThrottle, SINGLE_CLASS_PROFILE, type ThrottleProfile } from './throttleLimiter';

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const CONTROL_MAX_BODY_BYTES = 16 * 1024;

/** Where and how to serve one sandbox service. */
export interface SandboxServerOptions extends SandboxServiceDefinition {
  readonly host: string;
  /** `0` picks a free port; the real one is in the result. */
  readonly port: number;
  /** Serve HTTPS with this certificate instead of plain HTTP. */
  readonly tls?: PemKeyPair;
  /**
   * How the service sorts requests into the operation classes its throttling limits are given
   * in, and its documented limits. Throttling stays off until `POST /_sandbox/throttle`.
   * Default: one class, `all`, with no documented limit.
   */
  readonly throttleProfile?: ThrottleProfile;
  /** Time for the throttle's buckets, in ms (tests); default `performance.now`. */
  readonly throttleClock?: () => number;
}

/** A listening sandbox server. */
export interface RunningSandboxServer {
  /** Base URL without trailing slash, for example `https://127.0.0.1:4010`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening, drops open connections and cuts injected delays short. */
  close(): Promise<void>;
}

/**
 * Serves a sandbox service: its routes behind an Authorization check,
 * throttling (when turned on) and fault injection, plus the `/_sandbox/`
 * control endpoints (health, faults, throttle, stats), which need no Authorization. Errors take the service's JSON shape.
 * Nothing about requests is logged: bodies and paths can hold personal data.
 */
export async function startSandboxServer(options: SandboxServerOptions): Promise<RunningSandboxServer> {
  const faults = new FaultInjector();
  const stats = new RequestStats();
  const serviceRouter = new Router(options.routes);
  const throttle = new SandboxThrottle(options.throttleProfile ?? SINGLE_CLASS_PROFILE, options.throttleClock);
  const controlRouter = new Router(sandboxControlRoutes(faults, stats, throttle));
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const closing = new AbortController();
  let baseUrl = '';

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const method = (request.method ?? 'GET').toUpperCase();
    // A path may start with '//' (the ARM SDK joins `/{scope}` with a scope that starts with '/'; ARM
    // accepts it): parsed as is, URL would take it for a host.
    const { pathname: path, searchParams: query } = new URL((request.url ?? '/').replace(/^\/{2,}/, '/'), 'http://sandbox.invalid');
    const isControl = path === CONTROL_PATH_PREFIX || path.startsWith(`${CONTROL_PATH_PREFIX}/`);
    const formatError = isControl ? formatControlError : options.formatError;
    try {
      if (isControl) {
        const routing = controlRouter.resolve(method, path);
        const { route, params } = matched(routing);
        const body = await readJsonBody(request, CONTROL_MAX_BODY_BYTES);
        writeResponse(response, await route.handler({ method, path, query, params, headers: request.headers, body, baseUrl, dispatch }));
        return;
      }
      const authorized = hasAcceptedAuthorization(request.headers.authorization, options.authorizationSchemes);
      writeResponse(response, await serve({ method, path, query, headers: request.headers, authorized }, () => readJsonBody(request, maxBodyBytes)));
    } catch (error) {
      if (closing.signal.aborted || error instanceof DroppedConnection) {
        response.destroy();
        return;
      }
      writeResponse(response, errorResponse(error, formatError, request.headers));
    }
  }

  /**
   * One request to the service: counted, refused without Authorization, throttled (except a JSON
   * batch, whose inner requests are throttled one by one), faulted, then handled.
   */
  async function serve(
    request: { method: string; path: string; query: URLSearchParams; headers: http.IncomingHttpHeaders; authorized: boolean },
    readBody: () => Promise<unknown>,
  ): Promise<SandboxResponse> {
    const { method, path, query, headers } = request;
    const routing = serviceRouter.resolve(method, path);
    if (routing.kind === 'matched' && routing.match.route.batch) stats.recordBatch(method, routing.match.route.pattern);
    else stats.recordRequest(method, routing.kind === 'matched' ? routing.match.route.pattern : undefined);
    if (!request.authorized) throw new SandboxHttpError(401, 'The request has no Authorization header with an accepted scheme.');
    if (routing.kind === 'matched' && !routing.match.route.batch) {
      const { route, params } = routing.match;
      const refused = throttle.check(method, route.pattern, params);
      if (refused) {
        stats.recordThrottled(refused.operationClass, method, route.pattern);
        throw new SandboxHttpError(429, faultMessage(429), undefined, {
          'Retry-After': String(refused.retryAfterSeconds),
          ...(refused.retryAfterMs !== undefined && { 'x-ms-retry-after-ms': String(refused.retryAfterMs) }),
        });
      }
    }
    const fault = faults.take(method, path);
    if (fault) {
      stats.recordFault();
      await applyFault(fault, closing.signal);
    }
    const { route, params } = matched(routing);
    const body = await readBody();
    return route.handler({ method, path, query, params, headers, body, baseUrl, dispatch });
  }

  /** An inner request of a JSON batch, served in process as if it came alone (the batch was authorized); errors in the service's shape. */
  async function dispatch(inner: InnerRequest): Promise<SandboxResponse> {
    try {
      const { pathname: path, searchParams: query } = new URL(inner.url, 'http://sandbox.invalid');
      return await serve({ method: inner.method.toUpperCase(), path, query, headers: inner.headers, authorized: true }, async () => inner.body);
    } catch (error) {
      // A dropped inner request drops the batch's connection: there is no answer to put it in.
      if (closing.signal.aborted || error instanceof DroppedConnection) throw error;
      return errorResponse(error, options.formatError, inner.headers);
    }
  }

  const listener = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    void handle(request, response);
  };
  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, listener)
    : http.createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  baseUrl = `${options.tls ? 'https' : 'http'}://${host}:${port}`;

  return {
    url: baseUrl,
    port,
    close: () => new Promise<void>((resolve, reject) => {
      closing.abort();
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    }),
  };
}

/** Thrown by a `drop` fault: the request's connection is closed without an answer. */
class DroppedConnection extends Error {}

async function applyFault(fault: FaultRule, signal: AbortSignal): Promise<void> {
  if (fault.delayMs) await wait(fault.delayMs, undefined, { signal });
  if (fault.drop) throw new DroppedConnection('The sandbox dropped this connection.');
  if (fault.status === undefined) return;
  const headers: Record<string, string> =
    fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
  throw new SandboxHttpError(fault.status, faultMessage(fault.status), undefined, headers);
}

function faultMessage(status: number): string {
  if (status === 429) return 'Too many requests.';
  if (status === 503) return 'The service is temporarily unavailable.';
  return 'The sandbox injected this fault.';
}

function matched(routing: RoutingResult): RouteMatch {
  if (routing.kind === 'notFound') throw new SandboxHttpError(404, 'No resource matches the request path.');
  if (routing.kind === 'methodNotAllowed') throw new SandboxHttpError(405, 'The HTTP method is not allowed on this resource.');
  return routing.match;
}

function errorResponse(error: unknown, formatError: ErrorBodyFormatter, headers: http.IncomingHttpHeaders): SandboxResponse {
  // Anything but a SandboxHttpError is a bug in a handler; its message may
  // hold personal data, so it is neither logged nor sent.
  const known = error instanceof SandboxHttpError
    ? error
    : new SandboxHttpError(500, 'The sandbox failed to handle the request.');
  const body = formatError(
    { status: known.status, code: known.code, message: known.message },
    { requestId: randomUUID(), headers },
  );
  return { status: known.status, body, headers: known.headers };
}

function writeResponse(response: http.ServerResponse, { status, body, headers = {} }: SandboxResponse): void {
  if (response.headersSent || response.destroyed) return;
  if (body === undefined) {
    // Not chained: restify, loaded in the same process, patches writeHead to return undefined.
    response.writeHead(status, headers);
    response.end();
    return;
  }
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  const hasContentType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  response.writeHead(status, {
    ...(hasContentType ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
    ...headers,
    'Content-Length': String(payload.length),
  });
  response.end(payload);
}
