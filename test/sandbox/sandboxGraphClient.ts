import https from 'node:https';
import { Client, GraphError, PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { GraphHttpTransport, graphMiddleware } from '../../src/adapters/calls/graphTransport';
import { SandboxCredential } from '../../src/sandbox/sandboxCredential';

/** What a test needs to reach a sandbox served over HTTPS. */
export interface TrustedEndpoint {
  readonly url: string;
  /** PEM certificate to trust. */
  readonly certificate: string;
}

/**
 * A Graph client set up as the bot sets it up (TokenCredential provider, customHosts for
 * 127.0.0.1, the SDK's default middleware chain, the bot's `GraphHttpTransport`), trusting the
 * sandbox certificate directly: jest may run a file inside its own process, which
 * NODE_EXTRA_CA_CERTS (read at process start) does not reach.
 */
export function createSandboxGraphClient(endpoint: TrustedEndpoint): Client {
  const authProvider = new TokenCredentialAuthenticationProvider(new SandboxCredential(), {
    scopes: ['https://graph.microsoft.com/.default'],
  });
  const middleware = graphMiddleware(authProvider, [], new GraphHttpTransport({ ca: endpoint.certificate }));
  return Client.initWithMiddleware({ baseUrl: endpoint.url, customHosts: new Set(['127.0.0.1']), middleware });
}

/** The raw answer of {@link rawRequest}. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON body, or undefined when empty. */
  readonly body: unknown;
}

/** A plain HTTPS request, without the Graph client (no token unless given in `headers`). */
export async function rawRequest(
  endpoint: TrustedEndpoint,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers = { ...(payload && { 'Content-Type': 'application/json' }), ...options.headers };
  const response = await send(new URL(path, endpoint.url), method, headers, payload, endpoint.certificate);
  const text = new TextDecoder().decode(response.body);
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
  ca: string,
): Promise<{ status: number; headers: Headers; body: ArrayBuffer }> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, { method, headers, ca }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const responseHeaders = new Headers();
        for (let i = 0; i < response.rawHeaders.length; i += 2) {
          responseHeaders.append(response.rawHeaders[i], response.rawHeaders[i + 1]);
        }
        const body = Buffer.concat(chunks);
        resolve({
          status: response.statusCode ?? 0,
          headers: responseHeaders,
          body: body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
        });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** The GraphError `promise` rejects with; fails the test when it resolves or throws anything else. */
export async function graphError(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GraphError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** Every item of a collection, following `@odata.nextLink` with the SDK's PageIterator. */
export async function collectPages<T>(client: Client, first: PageCollection): Promise<T[]> {
  const items: T[] = [];
  await new PageIterator(client, first, (item: T) => {
    items.push(item);
    return true;
  }).iterate();
  return items;
}
