import { TokenCredential } from '@azure/core-auth';
import { Client, type Middleware } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { graphMiddleware } from './graphTransport';

/**
 * A Graph client for `baseUrl` (https://graph.microsoft.com, or the sandbox). Its middleware
 * retries 429/503/504 honouring Retry-After, and sends through `GraphHttpTransport`; `before`
 * goes just ahead of the sending. Without `customHosts` it would silently send no token to any
 * host but Graph's own.
 */
export function createGraphClient(baseUrl: string, credential: TokenCredential, before: Middleware[] = []): Client {
  const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: ['https://graph.microsoft.com/.default'] });
  return Client.initWithMiddleware({
    baseUrl,
    defaultVersion: 'v1.0',
    customHosts: new Set([new URL(baseUrl).hostname]),
    middleware: graphMiddleware(authProvider, before),
  });
}
