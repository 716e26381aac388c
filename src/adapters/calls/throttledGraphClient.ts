import type { TokenCredential } from '@azure/core-auth';
import type { Client, Context, Middleware } from '@microsoft/microsoft-graph-client';
import { retryAfterMs } from './callPolicy';
import { createGraphClient } from './graphClient';
import { innerRetryAfterMs } from './graphBatch';
import type { ThrottleBudget } from './throttleBudget';

/**
 * Spends Graph's throttle budget: every request the Graph client sends (each retry of its
 * RetryHandler included, as this sits after it) waits for a token of its class (GET: `read`,
 * anything else: `write`), and a 429 lowers the class's rate and holds it for Retry-After.
 * A JSON batch (`POST /$batch`) costs a token per inner request, of the inner request's class, as
 * Graph counts each; an inner 429 lowers and holds its own class.
 */
export class GraphThrottleHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly budget: ThrottleBudget) {}

  async execute(context: Context): Promise<void> {
    const method = (context.options?.method ?? 'GET').toUpperCase();
    const inner = batchedMethods(context, method);
    const classOf = (requestMethod: string) => this.budget.classOf(requestMethod === 'GET' ? 'read' : 'write');
    const signal = context.options?.signal ?? undefined;
    for (const requestMethod of inner ? inner.values() : [method]) await this.budget.acquire(classOf(requestMethod), undefined, signal);
    const sentAt = this.budget.now();
    if (!this.next) throw new Error('GraphThrottleHandler must not be the last middleware.');
    await this.next.execute(context);
    const response = context.response;
    if (response?.status === 429) {
      this.budget.throttled(classOf(inner ? 'POST' : method), retryAfterMs({ response: { headers: response.headers } }), sentAt);
    } else if (inner && response?.ok) {
      const answer = (await response.clone().json()) as { responses?: { id: string; status: number; headers?: Record<string, string> }[] };
      for (const { id, status, headers } of answer.responses ?? []) {
        if (status === 429) this.budget.throttled(classOf(inner.get(id) ?? 'GET'), innerRetryAfterMs(headers), sentAt);
      }
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** The method of each inner request by id, when the request is a JSON batch; otherwise undefined. */
function batchedMethods(context: Context, method: string): Map<string, string> | undefined {
  const url = typeof context.request === 'string' ? context.request : context.request.url;
  if (method !== 'POST' || !new URL(url).pathname.endsWith('/$batch') || typeof context.options?.body !== 'string') return undefined;
  const { requests } = JSON.parse(context.options.body) as { requests: { id: string; method: string }[] };
  return new Map(requests.map((request) => [request.id, request.method.toUpperCase()]));
}

/**
 * A Graph client for `baseUrl` as `createGraphClient` makes one, whose requests spend `budget`
 * just before they go out. Without a budget it is the plain client.
 */
export function createThrottledGraphClient(baseUrl: string, credential: TokenCredential, budget: ThrottleBudget | undefined): Client {
  return createGraphClient(baseUrl, credential, budget ? [new GraphThrottleHandler(budget)] : []);
}
