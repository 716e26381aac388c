import { createHash } from 'node:crypto';
import { SandboxHttpError, type Route, type SandboxRequest } from '../common';

/** ARM's documented read limit per principal and subscription (the older fixed-window figure). */
export const DEFAULT_READS_PER_HOUR = 12_000;

const REMAINING_READS = 'x-ms-ratelimit-remaining-subscription-reads';
const HOUR_MS = 3_600_000;

/**
 * ARM's read throttling, per principal: a token bucket of `readsPerHour` that refills over the
 * hour. Every read answer says how many are left in `x-ms-ratelimit-remaining-subscription-reads`;
 * a read finding the bucket empty gets 429 `TooManyRequests` with the `Retry-After` (seconds) until
 * a token is back. The principal is told apart by its bearer token (the sandbox checks no token).
 */
export class ReadBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly readsPerHour: number, private readonly now: () => number) {
    if (!(readsPerHour >= 1)) throw new Error('readsPerHour must be at least 1');
  }

  /** Wraps the GET routes so each read spends the caller's budget first. */
  metering(routes: readonly Route[]): Route[] {
    return routes.map((route) => route.method !== 'GET' ? route : {
      ...route,
      handler: async (request: SandboxRequest) => {
        const remaining = this.take(principalKey(request));
        const response = await route.handler(request);
        return { ...response, headers: { ...response.headers, [REMAINING_READS]: String(remaining) } };
      },
    });
  }

  /** Spends one read; returns the whole reads left, or throws the 429. */
  private take(key: string): number {
    const now = this.now();
    const ratePerMs = this.readsPerHour / HOUR_MS;
    const bucket = this.buckets.get(key) ?? { tokens: this.readsPerHour, at: now };
    bucket.tokens = Math.min(this.readsPerHour, bucket.tokens + Math.max(0, now - bucket.at) * ratePerMs);
    bucket.at = Math.max(bucket.at, now);
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000));
      throw new SandboxHttpError(429, 'The number of read requests for this principal exceeded the limit. Try again later.', 'TooManyRequests', {
        'Retry-After': String(retryAfterSeconds),
        [REMAINING_READS]: '0',
      });
    }
    bucket.tokens -= 1;
    return Math.floor(bucket.tokens);
  }
}

function principalKey(request: SandboxRequest): string {
  return createHash('sha256').update(request.headers.authorization ?? '').digest('base64url');
}
