import type { TokenCredential } from '@azure/core-auth';
import { Client, MiddlewareFactory, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { retryAfterMs } from './callPolicy';
import type { ThrottleBudget } from './throttleBudget';

/**
 * Spends Graph's throttle budget: every request the Graph client sends (each retry of its
 * RetryHandler included, as this sits after it) waits for a token of its class (GET: `read`,
 * anything else: `write`), and a 429 lowers the class's rate and holds it for Retry-After.
 */
export class GraphThrottleHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly budget: ThrottleBudget) {}

  async execute(context: Context): Promise<void> {
    const method = (context.options?.method ?? 'GET').toUpperCase();
    const operationClass = this.budget.classOf(method === 'GET' ? 'read' : 'write');
    await this.budget.acquire(operationClass, undefined, context.options?.signal ?? undefined);
    const sentAt = this.budget.now();
    if (!this.next) throw new Error('GraphThrottleHandler must not be the last middleware.');
    await this.next.execute(context);
    if (context.response?.status === 429) {
      this.budget.throttled(operationClass, retryAfterMs({ response: { headers: context.response.headers } }), sentAt);
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/**
 * A Graph client for `baseUrl` as `createGraphClient` makes one (its default middleware, the
 * bearer token also sent to `baseUrl`'s host), whose requests spend `budget` just before they go
 * out. Without a budget it is the plain client.
 */
export function createThrottledGraphClient(baseUrl: string, credential: TokenCredential, budget: ThrottleBudget | undefined): Client {
  const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: ['https://graph.microsoft.com/.default'] });
  const common = { baseUrl, defaultVersion: 'v1.0', customHosts: new Set([new URL(baseUrl).hostname]) };
  if (!budget) return Client.initWithMiddleware({ ...common, authProvider });
  const middleware = MiddlewareFactory.getDefaultMiddlewareChain(authProvider);
  // The last one sends the request; the budget is spent right before it.
  middleware.splice(middleware.length - 1, 0, new GraphThrottleHandler(budget));
  return Client.initWithMiddleware({ ...common, middleware });
}
