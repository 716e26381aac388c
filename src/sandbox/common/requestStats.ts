/** The counts `GET /_sandbox/stats` answers with. */
export interface RequestStatsSnapshot {
  /** Requests per `METHOD /route/{pattern}`; requests matching no route count under `METHOD (unmatched)`. */
  readonly requests: Readonly<Record<string, number>>;
  /** Requests answered (or delayed) by an injected fault. */
  readonly faultsServed: number;
}

/** Counts the requests a sandbox service received, by method and route pattern. */
export class RequestStats {
  private requests = new Map<string, number>();
  private faultsServed = 0;

  /** Counts one request to a route pattern (or to no route). */
  recordRequest(method: string, pattern: string | undefined): void {
    const key = `${method} ${pattern ?? '(unmatched)'}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  /** Counts one request a fault rule applied to. */
  recordFault(): void {
    this.faultsServed++;
  }

  snapshot(): RequestStatsSnapshot {
    return { requests: Object.fromEntries(this.requests), faultsServed: this.faultsServed };
  }

  reset(): void {
    this.requests = new Map();
    this.faultsServed = 0;
  }
}
