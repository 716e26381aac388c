import type { TokenCredential } from '@azure/core-auth';
import { Client, createRestError, getClient, PathUncheckedResponse } from '@azure-rest/core-client';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/** A shared access signature, or a function returning a fresh one (DPS and IoT Hub tokens expire). */
export type SasTokenSource = string | (() => string | Promise<string>);

/** Options of {@link createServiceRestClient}. */
export interface ServiceRestClientOptions {
  /** The service's base URL, e.g. `https://myapp.azureiotcentral.com` (or a sandbox URL). */
  endpoint: string;
  /** Entra credential; a bearer token for `scope` is sent on every request. */
  credential?: TokenCredential;
  /** The token scope for `credential`, e.g. `https://apps.azureiotcentral.com/.default`. */
  scope: string;
  /**
   * A shared access signature sent as `Authorization: SharedAccessSignature ...` instead of a
   * bearer token. The `SharedAccessSignature ` prefix is added when missing. Wins over `credential`.
   */
  sasToken?: SasTokenSource;
  /** Added as the `api-version` query parameter to every request that has none. */
  apiVersion: string;
}

const SAS_PREFIX = 'SharedAccessSignature ';

/**
 * A REST client (`@azure-rest/core-client`) for one Azure data-plane service with its own retries
 * switched off: `ServiceCaller` (callPolicy.ts) is the one retry policy, so the pipeline must
 * hand every 429/5xx straight back.
 */
export function createServiceRestClient(options: ServiceRestClientOptions): Client {
  const { endpoint, credential, scope, sasToken, apiVersion } = options;
  const common = { apiVersion, retryOptions: { maxRetries: 0 } };
  if (sasToken !== undefined) {
    return getClient(endpoint, {
      ...common,
      additionalPolicies: [{ policy: sasAuthorizationPolicy(sasToken), position: 'perRetry' }],
    });
  }
  if (!credential) throw new Error('createServiceRestClient needs a credential or a sasToken');
  return getClient(endpoint, credential, { ...common, credentials: { scopes: [scope] } });
}

function sasAuthorizationPolicy(source: SasTokenSource): PipelinePolicy {
  return {
    name: 'sharedAccessSignaturePolicy',
    async sendRequest(request, next) {
      const token = typeof source === 'string' ? source : await source();
      request.headers.set('Authorization', token.startsWith(SAS_PREFIX) ? token : `${SAS_PREFIX}${token}`);
      return next(request);
    },
  };
}

/** The response's status as a number (`@azure-rest/core-client` gives it as a string). */
export function statusOf(response: PathUncheckedResponse): number {
  return Number.parseInt(response.status, 10);
}

/**
 * Returns the response when its status is one of `okStatuses`, and otherwise throws
 * `createRestError(response)`: a `RestError` with `statusCode`, the service's error `code` and
 * `response.headers` (so ServiceCaller sees Retry-After). The message names only the operation
 * and status, never the service's own message, which may quote the values sent (e-mails, ids).
 */
export async function expectOk(
  response: PathUncheckedResponse | PromiseLike<PathUncheckedResponse>,
  okStatuses: readonly number[],
  operation = 'request',
): Promise<PathUncheckedResponse> {
  const resolved = await response;
  if (okStatuses.includes(statusOf(resolved))) return resolved;
  throw createRestError(`${operation} answered HTTP ${resolved.status}`, resolved);
}

/**
 * Checks that a paging `nextLink` points at the same origin as the endpoint before the client
 * follows it with its credential attached; anything else is a broken or hostile answer.
 */
export function sameOriginLink(endpoint: string, link: string): string {
  const base = new URL(endpoint);
  const next = new URL(link, base);
  if (next.origin !== base.origin) throw new Error('The service returned a nextLink to another host; not followed');
  return next.toString();
}
