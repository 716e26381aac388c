import type { IncomingHttpHeaders } from 'node:http';
import type { InnerRequest, Route, SandboxResponse } from '../common';
import { badRequest } from './graphErrors';

/** Graph takes at most this many requests in one batch. */
export const MAX_BATCH_REQUESTS = 20;

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** One request of a batch, checked. */
interface BatchRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  dependsOn: string[];
}

/** One answer of a batch, as Graph correlates it: by the request's id. */
interface BatchResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/**
 * `POST /v1.0/$batch` (JSON batching): up to 20 requests, each served by the sandbox's own routes
 * in process and evaluated on its own (throttled, counted, failed one by one: a 404 or 429 of one
 * request does not fail the batch). Requests with `dependsOn` run after the requests they name,
 * and answer 424 when one of those failed.
 */
export function batchRoutes(): Route[] {
  return [{
    method: 'POST',
    pattern: '/v1.0/$batch',
    batch: true,
    handler: async ({ body, headers, dispatch }) => {
      const requests = parseBatch(body);
      const serve = (request: BatchRequest) => dispatch(innerRequest(request, headers));
      const sequential = requests.some((request) => request.dependsOn.length > 0);
      const responses = sequential ? await inOrder(requests, serve) : await Promise.all(requests.map(async (request) => answer(request.id, await serve(request))));
      return { status: 200, body: { responses } };
    },
  }];
}

/** Runs the requests one after another, so each finds what it depends on answered. */
async function inOrder(requests: readonly BatchRequest[], serve: (request: BatchRequest) => Promise<SandboxResponse>): Promise<BatchResponse[]> {
  const statusById = new Map<string, number>();
  const responses: BatchResponse[] = [];
  for (const request of requests) {
    const failed = request.dependsOn.some((id) => (statusById.get(id.toLowerCase()) ?? 424) >= 400);
    const response = failed ? failedDependency(request.id) : answer(request.id, await serve(request));
    statusById.set(request.id.toLowerCase(), response.status);
    responses.push(response);
  }
  return responses;
}

function answer(id: string, response: SandboxResponse): BatchResponse {
  const headers: Record<string, string> = { ...response.headers };
  if (response.body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/json';
  }
  return { id, status: response.status, headers, ...(response.body !== undefined && { body: response.body }) };
}

function failedDependency(id: string): BatchResponse {
  return {
    id,
    status: 424,
    headers: { 'Content-Type': 'application/json' },
    body: { error: { code: 'FailedDependency', message: 'A request this request depends on failed.' } },
  };
}

/** The inner request as the routes see it: its own headers over the batch's (Authorization, client-request-id). */
function innerRequest(request: BatchRequest, batchHeaders: IncomingHttpHeaders): InnerRequest {
  const { 'content-length': _length, 'content-type': _type, ...inherited } = batchHeaders;
  const own = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { method: request.method, url: `/v1.0${request.url}`, headers: { ...inherited, ...own }, body: request.body };
}

/** The batch's requests, or a 400 as Graph answers a malformed batch. */
function parseBatch(body: unknown): BatchRequest[] {
  const requests = (body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests) || requests.length === 0) throw badRequest('Invalid batch payload format: the body needs a non-empty "requests" array.');
  if (requests.length > MAX_BATCH_REQUESTS) throw badRequest(`The number of batch requests exceeds the limit of ${MAX_BATCH_REQUESTS}.`);
  const parsed = requests.map(parseRequest);
  const ids = new Set<string>();
  for (const { id } of parsed) {
    if (ids.has(id.toLowerCase())) throw badRequest(`Batch request id '${id}' is used more than once.`);
    ids.add(id.toLowerCase());
  }
  const earlier = new Set<string>();
  for (const request of parsed) {
    if (request.dependsOn.some((id) => !earlier.has(id.toLowerCase()))) throw badRequest(`Batch request '${request.id}' depends on a request that does not come before it.`);
    earlier.add(request.id.toLowerCase());
  }
  return parsed;
}

function parseRequest(input: unknown): BatchRequest {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw badRequest('Each batch request must be a JSON object.');
  const { id, method, url, headers = {}, body, dependsOn = [] } = input as Record<string, unknown>;
  if (typeof id !== 'string' || id === '') throw badRequest('Each batch request needs an "id" string.');
  if (typeof method !== 'string' || !METHODS.has(method.toUpperCase())) throw badRequest(`Batch request '${id}' needs a "method" of GET, POST, PUT, PATCH or DELETE.`);
  // Relative to the version root: "/users/{id}", not "https://graph.microsoft.com/v1.0/users/{id}".
  if (typeof url !== 'string' || !url.startsWith('/') || url.startsWith('//')) throw badRequest(`Batch request '${id}' needs a "url" relative to the version root, such as "/users".`);
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers) || Object.values(headers).some((value) => typeof value !== 'string')) {
    throw badRequest(`Batch request '${id}' has "headers" that are not an object of strings.`);
  }
  if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    throw badRequest(`Batch request '${id}' has a body but no Content-Type header.`);
  }
  if (!Array.isArray(dependsOn) || dependsOn.some((other) => typeof other !== 'string')) throw badRequest(`Batch request '${id}' has a "dependsOn" that is not an array of ids.`);
  return { id, method: method.toUpperCase(), url, headers: headers as Record<string, string>, ...(body !== undefined && { body }), dependsOn: dependsOn as string[] };
}
