/** The counts `GET /_sandbox/stats` answers with. */
export interface RequestStatsSnapshot {
  /** Requests per `METHOD /route/{pattern}`; requests matching no route count under `METHOD (unmatched)`. */
  readonly requests: Readonly<Record<string, number>>;
  /**
   * JSON batches (Graph's `$batch`) by route, present once one came: a batch is not a request the
   * service counts or throttles, its inner requests are, and they count in `requests`.
   */
  readonly batches?: Readonly<Record<string, number>>;
  /** Requests answered (or delayed) by an injected fault. */
  readonly faultsServed: number;
  /**
   * Requests refused with 429 by the throttle (`POST /_sandbox/throttle`), by operation class and
   * by route; present once throttling has been turned on. They count in `requests` too.
   */
  readonly throttled?: { readonly total: number; readonly byClass: Readonly<Record<string, number>>; readonly byRoute: Readonly<Record<string, number>> };
}

/** Counts the requests a sandbox service received, by method and route pattern. */
export class RequestStats {
  private requests = new Map<string, number>();
  private batches = new Map<string, number>();
  private faultsServed = 0;
  private throttleShown = false;
  private throttledByClass = new Map<string, number>();
  private throttledByRoute = new Map<string, number>();

  /** Counts one request to a route pattern (or to no route). */
  recordRequest(method: string, pattern: string | undefined): void {
    const key = `${method} ${pattern ?? '(unmatched)'}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  /** Counts one JSON batch (its inner requests count each with {@link recordRequest}). */
  recordBatch(method: string, pattern: string): void {
    const key = `${method} ${pattern}`;
    this.batches.set(key, (this.batches.get(key) ?? 0) + 1);
  }

  /** Counts one request a fault rule applied to. */
  recordFault(): void {
    this.faultsServed++;
  }

  /** From now on the snapshot shows throttling counts (they stay out of it until throttling is used). */
  showThrottling(): void {
    this.throttleShown = true;
  }

  /** Counts one request refused with 429 by the throttle. */
  recordThrottled(operationClass: string, method: string, pattern: string): void {
    this.throttleShown = true;
    this.throttledByClass.set(operationClass, (this.throttledByClass.get(operationClass) ?? 0) + 1);
    const route = `${method} ${pattern}`;
    this.throttledByRoute.set(route, (this.throttledByRoute.get(route) ?? 0) + 1);
  }

  snapshot(): RequestStatsSnapshot {
    const byClass = Object.fromEntries(this.throttledByClass);
    return {
      requests: Object.fromEntries(this.requests),
      ...(this.batches.size > 0 && { batches: Object.fromEntries(this.batches) }),
      faultsServed: this.faultsServed,
      ...(this.throttleShown && {
        throttled: { total: Object.values(byClass).reduce((sum, n) => sum + n, 0), byClass, byRoute: Object.fromEntries(this.throttledByRoute) },
      }),
    };
  }

  reset(): void {
    this.requests = new Map();
    this.batches = new Map();
    this.faultsServed = 0;
    this.throttledByClass = new Map();
    this.throttledByRoute = new Map();
  }
}
