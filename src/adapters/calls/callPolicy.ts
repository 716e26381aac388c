import { setTimeout as delay } from 'node:timers/promises';
import { AdapterCallContext, ServiceError, ServiceName, statusCodeOf } from '../../dsr';
import type { ThrottleBudget, ThrottleBudgets } from './throttleBudget';

/** How calls to one service are made: per-try timeout, retries, back-off and concurrency. */
export interface CallPolicy {
  /** Longest wait for one try. */
  timeoutMs: number;
  /** Tries after the first one, on 408, 429, 5xx, time-outs and dropped connections. */
  maxRetries: number;
  /** First back-off; it doubles each retry, with jitter. */
  baseDelayMs: number;
  /** Longest back-off, and the cap on a `Retry-After` the service asks for. */
  maxDelayMs: number;
  /**
   * Calls in flight to this service at once, from this process: per operation class when the
   * service has a throttle budget (so calls waiting for one class's tokens never hold up another
   * class), else for the whole service.
   */
  concurrency: number;
  /**
   * The process's throttle budgets (src/adapters/calls/throttleBudget.ts): each call waits for a token
   * of its service and operation class before it is sent. Absent: no budget, as before.
   */
  budgets?: ThrottleBudgets;
}

/** Azure's throttling windows are seconds long; 6 retries with doubling back-off span about a minute. */
export const DEFAULT_CALL_POLICY: CallPolicy = {
  timeoutMs: 30_000,
  maxRetries: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  concurrency: 8,
};

/** What a call may say about itself beyond its operation name. */
export interface CallOptions {
  /** The operation class whose budget it spends; by default derived from the operation name. */
  operationClass?: string;
  /** Where a class also limits each key (Digital Twins: each twin), the key, such as the twin id. */
  key?: string;
}

/** Seams for tests of the policy itself; adapters use the defaults. */
export interface CallTiming {
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A number in [0, 1). */
  random(): number;
}

const REAL_TIMING: CallTiming = {
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
  random: Math.random,
};

const NETWORK_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'REQUEST_SEND_ERROR', 'UND_ERR_SOCKET']);

/** True for the 404 of something already gone, which a repeated erase step counts as done. */
export function isNotFound(error: unknown): boolean {
  return statusCodeOf(error) === 404;
}

/**
 * Every HTTP call an adapter makes goes through one of these, one per service: the SDKs differ
 * (core-http, core-rest-pipeline, azure-iothub's own client), so their retries are switched off
 * and this is the single policy. Error messages are dropped on the way out: services quote ids
 * and e-mail addresses in them, and a ServiceError is shown on cards and written to logs.
 */
export class ServiceCaller {
  readonly policy: CallPolicy;
  /** The service's budget, shared by every caller of the service in the process; undefined: none. */
  readonly budget: ThrottleBudget | undefined;
  private readonly pools = new Map<string, { active: number; queue: (() => void)[] }>();

  constructor(
    readonly service: ServiceName,
    policy: Partial<CallPolicy> = {},
    private readonly timing: CallTiming = REAL_TIMING,
  ) {
    this.policy = { ...DEFAULT_CALL_POLICY, ...policy };
    this.budget = this.policy.budgets?.for(service);
  }

  /**
   * Runs `fn` (one HTTP call; it must pass the signal on) under the service's concurrency
   * limit and throttle budget, retrying what is worth retrying. Every try waits for a token of
   * its operation class first; a 429 holds the class for its Retry-After and lowers its rate.
   * @param operation what the call does, in words without personal values, for the error message.
   */
  async call<T>(operation: string, fn: (signal: AbortSignal) => Promise<T>, context?: AdapterCallContext, options: CallOptions = {}): Promise<T> {
    const operationClass = this.budget ? this.budget.classOf(operation, options.operationClass) : 'all';
    const pool = this.pool(operationClass);
    await this.slot(pool);
    try {
      return await this.tryRepeatedly(operation, fn, context?.signal, operationClass, options.key);
    } finally {
      this.release(pool);
    }
  }

  private async tryRepeatedly<T>(
    operation: string, fn: (signal: AbortSignal) => Promise<T>, outer: AbortSignal | undefined, operationClass: string, key: string | undefined,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      outer?.throwIfAborted();
      await this.budget?.acquire(operationClass, key, outer);
      const sentAt = this.budget?.now();
      const timeout = AbortSignal.timeout(this.policy.timeoutMs);
      try {
        return await fn(outer ? AbortSignal.any([outer, timeout]) : timeout);
      } catch (error) {
        if (outer?.aborted) throw error;
        const timedOut = timeout.aborted;
        if (statusCodeOf(error) === 429) this.budget?.throttled(operationClass, retryAfterMs(error), sentAt, key);
        if (!(timedOut || isTransient(error)) || attempt >= this.policy.maxRetries) {
          throw this.serviceError(operation, error, attempt + 1, timedOut);
        }
        await this.timing.sleep(this.backOff(attempt, error), outer);
      }
    }
  }

  /** `Retry-After` when the service sent one (capped), else exponential back-off with equal jitter. */
  private backOff(attempt: number, error: unknown): number {
    const asked = retryAfterMs(error);
    if (asked !== undefined) return Math.min(asked, this.policy.maxDelayMs);
    const ceiling = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** attempt);
    return Math.round(ceiling / 2 + this.timing.random() * (ceiling / 2));
  }

  private serviceError(operation: string, error: unknown, tries: number, timedOut: boolean): ServiceError {
    const status = statusCodeOf(error);
    const code = codeOf(error);
    const what = timedOut ? `did not answer within ${this.policy.timeoutMs} ms` : status ? `answered ${status}${code ? ` (${code})` : ''}` : `failed (${code ?? 'network error'})`;
    const after = tries > 1 ? ` after ${tries} tries` : '';
    return new ServiceError(this.service, `${this.service}: ${operation} ${what}${after}`, status, timedOut ? 'Timeout' : code);
  }

  private pool(operationClass: string): { active: number; queue: (() => void)[] } {
    let pool = this.pools.get(operationClass);
    if (!pool) {
      pool = { active: 0, queue: [] };
      this.pools.set(operationClass, pool);
    }
    return pool;
  }

  private async slot(pool: { active: number; queue: (() => void)[] }): Promise<void> {
    if (pool.active < this.policy.concurrency) {
      pool.active++;
      return;
    }
    await new Promise<void>((resolve) => pool.queue.push(resolve));
  }

  /** Hands the slot straight to the next waiting call, or frees it. */
  private release(pool: { active: number; queue: (() => void)[] }): void {
    const next = pool.queue.shift();
    if (next) next();
    else pool.active--;
  }
}

function isTransient(error: unknown): boolean {
  const status = statusCodeOf(error);
  if (status !== undefined) return status === 408 || status === 429 || status >= 500;
  const code = codeOf(error);
  return code !== undefined && NETWORK_ERROR_CODES.has(code);
}

/** The service's error code: RestError's `code`, or the `error.code` of an Azure error body. */
function codeOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; details?: { error?: { code?: unknown } }; cause?: { code?: unknown } } | null | undefined;
  const code = [e?.code, e?.details?.error?.code, e?.cause?.code].find((c): c is string => typeof c === 'string' && c !== '');
  return code;
}

/** Retry-After (seconds or an HTTP date) or Azure's `retry-after-ms` / `x-ms-retry-after-ms`, in ms. */
export function retryAfterMs(error: unknown, now: () => number = Date.now): number | undefined {
  const headers = (error as { response?: { headers?: unknown } } | null | undefined)?.response?.headers;
  const header = (name: string): string | undefined => {
    if (!headers || typeof headers !== 'object') return undefined;
    const getter = (headers as { get?: unknown }).get;
    const value = typeof getter === 'function' ? getter.call(headers, name) : (headers as Record<string, unknown>)[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = Number(header(name));
    if (header(name) !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  }
  const value = header('retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}
