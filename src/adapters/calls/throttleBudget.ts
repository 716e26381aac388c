import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import {
  documentedLimits, operationClassOf, THROTTLED_SERVICES, type ClassLimit, type RateLimit, type ThrottledService,
} from '../../azureFacts/serviceLimits';
import { DEFAULT_THROTTLE_SETTINGS, type ThrottleSettings } from '../../config';

/**
 * Throttle-aware scheduling: a budget of requests per second for each service the adapters
 * reach, shared by every request in flight in the process, so that many DSRs at once neither
 * trip 429 storms nor leave the budget idle.
 *
 * A service's budget has one token bucket per operation class (Digital Twins: queries, reads,
 * writes; IoT Hub: queries, registry operations, twin reads, twin writes; ...). A call waits for
 * a token of its class before it is sent. Each bucket starts at the class's limit (the
 * documented one, or the configured one where the limit is not a fixed number), and is adaptive:
 * a 429 halves its rate and holds the whole class for the Retry-After the service asked for;
 * from there the rate recovers additively to the limit. So a budget shared with other clients
 * (another bot instance, a portal, a pipeline) settles below what is left for it instead of
 * hammering the service.
 */

/** Time for the buckets: injectable, so tests move it by hand. Milliseconds, monotonic. */
export interface ThrottleClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const REAL_THROTTLE_CLOCK: ThrottleClock = {
  now: () => performance.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
};

/** How a bucket behaves; the rates are per second. */
export interface BucketOptions {
  /** The limit: where the bucket starts and the most it recovers to. */
  ratePerSecond: number;
  /** Requests it lets through at once when full (at the full rate; less while the rate is lowered). */
  burst: number;
  /** The lowest a run of 429s takes the rate. Default: a sixty-fourth of the limit. */
  minRatePerSecond?: number;
  /** Seconds the additive recovery takes from zero to the limit. Default 10. */
  recoverySeconds?: number;
  /** How long to hold after a 429 that named no Retry-After. Default 1,000 ms. */
  defaultHoldMs?: number;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** A token fraction this close to a whole token counts as one (floating point). */
const EPSILON = 1e-9;

/**
 * A token bucket whose rate adapts to 429s (AIMD), with a FIFO queue of waiters woken by one
 * timer at a time. Tokens are taken when a call is about to be sent.
 */
export class TokenBucket {
  private tokens: number;
  private rate: number;
  private updatedAt: number;
  private holdUntil = Number.NEGATIVE_INFINITY;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  private readonly waiters: Waiter[] = [];
  private pumping = false;
  private readonly ceiling: number;
  private readonly floor: number;
  private readonly increasePerSecond: number;

  constructor(private readonly options: BucketOptions, private readonly clock: ThrottleClock = REAL_THROTTLE_CLOCK) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) throw new Error('A token bucket needs a positive rate and a burst of at least 1.');
    this.ceiling = options.ratePerSecond;
    this.floor = Math.min(this.ceiling, options.minRatePerSecond ?? this.ceiling / 64);
    this.increasePerSecond = this.ceiling / (options.recoverySeconds ?? 10);
    this.rate = this.ceiling;
    this.tokens = options.burst;
    this.updatedAt = clock.now();
  }

  /** The rate now, per second (the limit, or less after 429s). */
  get ratePerSecond(): number {
    this.refill(this.clock.now());
    return this.rate;
  }

  /** Milliseconds the class is still held by a 429's Retry-After (0 when not held). */
  get heldForMs(): number {
    return Math.max(0, this.holdUntil - this.clock.now());
  }

  /** Calls waiting for a token. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** True when the bucket is full and nobody waits: it can be dropped and made afresh. */
  get idle(): boolean {
    this.refill(this.clock.now());
    return this.waiters.length === 0 && this.tokens >= this.capacity() - EPSILON && this.rate >= this.ceiling;
  }

  /** Resolves when a token is taken, in arrival order; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.waiters.length === 0 && this.take(this.clock.now()) === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /**
   * The service answered 429 to a call sent at `sentAt`: hold the class until its Retry-After
   * has passed (then start with an empty bucket), and halve the rate unless this 429 is for a
   * call sent before the last halving (the calls of one burst all come back 429 together).
   */
  throttled(retryAfterMs: number | undefined, sentAt?: number): void {
    const now = this.clock.now();
    this.refill(now);
    if (sentAt === undefined || sentAt > this.lastDecreaseAt) {
      this.rate = Math.max(this.floor, this.rate / 2);
      this.lastDecreaseAt = now;
    }
    this.holdUntil = Math.max(this.holdUntil, now + Math.max(0, retryAfterMs ?? this.options.defaultHoldMs ?? 1000));
    this.tokens = Math.min(this.tokens, 0);
  }

  private capacity(): number {
    return Math.max(1, (this.options.burst * this.rate) / this.ceiling);
  }

  /** Adds what the rate earned since the last update, outside any hold, and recovers the rate additively. */
  private refill(now: number): void {
    const from = Math.max(this.updatedAt, this.holdUntil);
    this.updatedAt = Math.max(this.updatedAt, now);
    if (now <= from) return;
    const seconds = (now - from) / 1000;
    const start = this.rate;
    const toCeiling = (this.ceiling - start) / this.increasePerSecond;
    let earned: number;
    if (seconds <= toCeiling) {
      earned = start * seconds + (this.increasePerSecond * seconds * seconds) / 2;
      this.rate = start + this.increasePerSecond * seconds;
    } else {
      earned = start * toCeiling + (this.increasePerSecond * toCeiling * toCeiling) / 2 + this.ceiling * (seconds - toCeiling);
      this.rate = this.ceiling;
    }
    this.tokens = Math.min(this.capacity(), this.tokens + earned);
  }

  /** Takes a token now (0), or says how many ms until one may be there. */
  private take(now: number): number {
    this.refill(now);
    if (now < this.holdUntil) return Math.ceil(this.holdUntil - now);
    if (this.tokens >= 1 - EPSILON) {
      this.tokens -= 1;
      return 0;
    }
    // Whole milliseconds, rounded up, but not past a float's noise (0.1 token at 2/s is 50 ms, not 51).
    return Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000 - 1e-6));
  }

  /** Hands tokens to the waiters in order as they come; one loop at a time. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void (async () => {
      try {
        while (this.waiters.length > 0) {
          const wait = this.take(this.clock.now());
          if (wait === 0) {
            const waiter = this.waiters.shift()!;
            if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
            waiter.resolve();
            continue;
          }
          await this.clock.sleep(wait);
        }
      } finally {
        this.pumping = false;
      }
    })();
  }
}


/**
 * The client bucket holds a window's worth less what the rate earns in this long, at least half
 * a window's worth: calls reach the service a little unevenly (this much jitter is absorbed),
 * and a bucket as deep as the service's banks the idle time before a wave's calls reach it.
 */
const JITTER_SECONDS = 0.05;
/** Keyed buckets (one per twin) kept before idle ones are dropped. */
const MAX_KEYED_BUCKETS = 1000;

interface ClassBuckets {
  bucket: TokenBucket;
  perKey?: RateLimit;
  keyed: Map<string, TokenBucket>;
}

/** One service's budget: a bucket per operation class (and per key where the class has a per-key limit). */
export class ThrottleBudget {
  private readonly classes = new Map<string, ClassBuckets>();

  constructor(
    readonly service: ThrottledService,
    limits: Readonly<Record<string, ClassLimit>>,
    private readonly share = 1,
    private readonly clock: ThrottleClock = REAL_THROTTLE_CLOCK,
  ) {
    for (const [name, limit] of Object.entries(limits)) {
      this.classes.set(name, { bucket: this.bucketFor(limit), perKey: limit.perKey, keyed: new Map() });
    }
  }

  /** Time as the buckets see it, for `sentAt`. */
  now(): number {
    return this.clock.now();
  }

  /** The class an operation falls in (an explicit one if it is known here). */
  classOf(operation: string, explicit?: string): string {
    if (explicit !== undefined && this.classes.has(explicit)) return explicit;
    const derived = operationClassOf(this.service, operation);
    return this.classes.has(derived) ? derived : this.classes.keys().next().value ?? derived;
  }

  /** Waits for a token of the class (and of the key, where the class limits each key). */
  async acquire(operationClass: string, key?: string, signal?: AbortSignal): Promise<void> {
    const entry = this.classes.get(operationClass);
    if (!entry) return;
    await entry.bucket.acquire(signal);
    if (key !== undefined && entry.perKey) await this.keyBucket(entry, key).acquire(signal);
  }

  /** A 429 for a call of the class sent at `sentAt`. */
  throttled(operationClass: string, retryAfterMs: number | undefined, sentAt?: number, key?: string): void {
    const entry = this.classes.get(operationClass);
    if (!entry) return;
    if (key !== undefined && entry.perKey) this.keyBucket(entry, key).throttled(retryAfterMs, sentAt);
    else entry.bucket.throttled(retryAfterMs, sentAt);
  }

  /** The rate and hold of each class now, for logs and benchmarks. */
  snapshot(): Record<string, { ratePerSecond: number; heldForMs: number; waiting: number }> {
    return Object.fromEntries([...this.classes].map(([name, { bucket }]) => [name, {
      ratePerSecond: Math.round(bucket.ratePerSecond * 1000) / 1000,
      heldForMs: Math.round(bucket.heldForMs),
      waiting: bucket.waiting,
    }]));
  }

  private bucketFor(limit: RateLimit): TokenBucket {
    const count = limit.count * this.share;
    const ratePerSecond = count / limit.windowSeconds;
    return new TokenBucket({ ratePerSecond, burst: Math.max(1, count / 2, count - ratePerSecond * JITTER_SECONDS) }, this.clock);
  }

  private keyBucket(entry: ClassBuckets, key: string): TokenBucket {
    let bucket = entry.keyed.get(key);
    if (!bucket) {
      if (entry.keyed.size >= MAX_KEYED_BUCKETS) {
        for (const [k, b] of entry.keyed) if (b.idle) entry.keyed.delete(k);
      }
      bucket = this.bucketFor(entry.perKey!);
      entry.keyed.set(key, bucket);
    }
    return bucket;
  }
}

/** The budgets of one process, one per service, handed to every adapter with the call policy. */
export class ThrottleBudgets {
  private readonly budgets = new Map<string, ThrottleBudget>();

  constructor(settings: ThrottleSettings = DEFAULT_THROTTLE_SETTINGS, clock: ThrottleClock = REAL_THROTTLE_CLOCK) {
    if (!settings.enabled) return;
    for (const service of THROTTLED_SERVICES) {
      const limits = { ...documentedLimits(service), ...settings.limits[service] };
      this.budgets.set(service, new ThrottleBudget(service, limits, settings.share, clock));
    }
  }

  /** The budget of a service, or undefined when throttling is off or the service has no limits. */
  for(service: string): ThrottleBudget | undefined {
    return this.budgets.get(service);
  }

  snapshot(): Record<string, ReturnType<ThrottleBudget['snapshot']>> {
    return Object.fromEntries([...this.budgets].map(([service, budget]) => [service, budget.snapshot()]));
  }
}
