import { AsyncLocalStorage } from 'node:async_hooks';
import type { TokenCredential } from '@azure/core-auth';
import { DigitalTwinsClient } from '@azure/digital-twins-core';

/**
 * The SDK's core-http pipeline as far as this module touches it: the policy factories are
 * instantiated for every request (ServiceClient.sendRequest), so changing the list changes
 * every later call.
 */
interface RequestPolicy {
  sendRequest(request: { abortSignal?: unknown }): Promise<unknown>;
}
interface RequestPolicyFactory {
  create(next: RequestPolicy, options: unknown): RequestPolicy;
}
interface GeneratedClient {
  _requestPolicyFactories?: RequestPolicyFactory[];
  _requestPolicyOptions?: unknown;
}

/** Retry policies core-http adds whatever `retryOptions` say: on 429/503 with Retry-After, and on network errors. */
const HIDDEN_RETRY_POLICIES = new Set(['ThrottlingRetryPolicy', 'SystemErrorRetryPolicy']);

const currentSignal = new AsyncLocalStorage<AbortSignal>();

/**
 * A `DigitalTwinsClient` whose only retry policy is the caller's (`ServiceCaller`):
 * `retryOptions.maxRetries: 0` switches off core-http's exponential retries, and its
 * throttling and system-error retries, which no option reaches, are taken out of the pipeline.
 * A policy in front gives each request the abort signal of {@link withAbortSignal} when the SDK
 * passed none: `queryTwins` drops the options it is given, abort signal included.
 * @throws Error when the SDK's pipeline is not the one this was written against (a changed SDK).
 */
export function createDigitalTwinsClient(endpoint: string, credential: TokenCredential): DigitalTwinsClient {
  const client = new DigitalTwinsClient(endpoint, credential, { retryOptions: { maxRetries: 0 } });
  const generated = (client as unknown as { client?: GeneratedClient }).client;
  const factories = generated?._requestPolicyFactories;
  if (!generated || !Array.isArray(factories)) throw new Error('Unexpected @azure/digital-twins-core pipeline: no policy factories');
  const kept = factories.filter((factory) => !HIDDEN_RETRY_POLICIES.has(policyName(factory, generated._requestPolicyOptions)));
  if (factories.length - kept.length !== HIDDEN_RETRY_POLICIES.size) {
    throw new Error('Unexpected @azure/digital-twins-core pipeline: its hidden retry policies were not found');
  }
  generated._requestPolicyFactories = [abortSignalPolicy, ...kept];
  return client;
}

/** Runs `work` so that every request it sends through the client carries `signal`. */
export function withAbortSignal<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  return currentSignal.run(signal, work);
}

const abortSignalPolicy: RequestPolicyFactory = {
  create: (next) => ({
    sendRequest: (request) => {
      const signal = currentSignal.getStore();
      if (signal && !request.abortSignal) request.abortSignal = signal;
      return next.sendRequest(request);
    },
  }),
};

function policyName(factory: RequestPolicyFactory, options: unknown): string {
  const inert: RequestPolicy = { sendRequest: () => Promise.reject(new Error('not sent')) };
  return factory.create(inert, options).constructor.name;
}
