import { performance } from 'node:perf_hooks';
import { documentedLimits, mergeLimits, OPERATION_CLASSES, type ClassLimit, type RateLimit, type ThrottledService } from '../../azureFacts/serviceLimits';

/**
 * Throttling as the Azure services enforce it, for the sandbox: a token bucket per operation
 * class (and per key where the class limits each key, such as one Digital Twins twin), holding
 * one window's worth of requests (500 for 500/s, 20 for 20/min). A request finding its bucket
 * empty is answered 429 with a Retry-After in whole seconds, and takes no token.
 *
 * The limits are the documented ones (the same table the bot's budgets start from), scaled so
 * that tests and benchmarks stay short: `scale` multiplies counts (0.01 turns Digital Twins' 500
 * queries/s into 5/s, a burst of 5), `speedUp` divides windows (50 turns IoT Hub's 20 queries/min
 * into 20 per 1.2 s). Off until `POST /_sandbox/throttle` turns it on.
 */

/** Which operation class a request falls in, and the key within it (if the class limits keys). */
export interface ThrottleTarget {
  operationClass: string;
  key?: string;
}

/** How one sandbox service sorts its requests into the classes its limits are given in. */
export interface ThrottleProfile {
  /** The classes; the first is where a request the profile does not sort goes. */
  readonly classes: readonly string[];
  /** The documented limits by class (none for a service without a profile: `limits` must be given). */
  readonly limits: Readonly<Record<string, ClassLimit>>;
  classify(method: string, pattern: string, params: Readonly<Record<string, string>>): ThrottleTarget;
}

/** What `POST /_sandbox/throttle` takes. */
export interface ThrottleRequest {
  /** Multiplies every limit's count (its rate and its burst); default 1. Below 1 for tests that hit limits with few requests. */
  scale?: number;
  /**
   * Divides every limit's window: the service runs this many times faster, rates multiplied,
   * bursts as documented (20/min at 50 is 20 per 1.2 s). Default 1. For benchmarks.
   */
  speedUp?: number;
  /** Limits replacing documented ones, by class: `{ "query": "500/s", "write.key": "10/s" }`. */
  limits?: Record<string, string>;
}

/** The profile of a service that has none of its own: everything in one class, `all`. */
export const SINGLE_CLASS_PROFILE: ThrottleProfile = {
  classes: ['all'],
  limits: {},
  classify: () => ({ operationClass: 'all' }),
};

const SANDBOX_SERVICES: Readonly<Record<string, ThrottledService>> = {
  graph: 'entra',
  digitalTwins: 'digitalTwins',
  iotCentral: 'iotCentral',
  dps: 'dps',
  iotHub: 'iotHub',
};

function classifier(service: ThrottledService): ThrottleProfile['classify'] {
  switch (service) {
    case 'entra':
      return (method) => ({ operationClass: method === 'GET' ? 'read' : 'write' });
    case 'digitalTwins':
      return (method, pattern, params) => {
        if (pattern === '/query') return { operationClass: 'query' };
        if (method === 'GET') return { operationClass: 'read' };
        // Creates, updates and deletes of a twin and of its relationships count on the twin too.
        return { operationClass: 'write', ...(params.id !== undefined && { key: params.id }) };
      };
    case 'iotHub':
      return (method, pattern) => {
        if (pattern.endsWith('/query')) return { operationClass: 'query' };
        if (pattern.startsWith('/twins/')) return { operationClass: method === 'GET' ? 'twinRead' : 'twinWrite' };
        return { operationClass: 'registry' };
      };
    default:
      return () => ({ operationClass: 'all' });
  }
}

/** The profile of a sandbox service by its state name (`graph`, `digitalTwins`, ...). */
export function throttleProfileFor(sandboxService: string): ThrottleProfile {
  const service = SANDBOX_SERVICES[sandboxService];
  if (!service) return SINGLE_CLASS_PROFILE;
  return { classes: OPERATION_CLASSES[service], limits: documentedLimits(service), classify: classifier(service) };
}

/** A bucket that refuses instead of waiting. */
class HardBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(private readonly ratePerSecond: number, private readonly capacity: number, now: number) {
    this.tokens = capacity;
    this.updatedAt = now;
  }

  /** Takes a token (undefined), or says how many ms until one is there. */
  take(now: number): number | undefined {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = Math.max(this.updatedAt, now);
    if (this.tokens >= 1 - 1e-9) {
      this.tokens -= 1;
      return undefined;
    }
    return ((1 - this.tokens) / this.ratePerSecond) * 1000;
  }

  full(now: number): boolean {
    return this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond >= this.capacity;
  }
}

/** A refused request: its class, and the Retry-After to send, in seconds. */
export interface ThrottleVerdict {
  operationClass: string;
  retryAfterSeconds: number;
  /**
   * When the service runs sped up: the wait in milliseconds, for `x-ms-retry-after-ms`. Whole
   * seconds would hold a client for up to `speedUp` times longer than the sped-up service means.
   */
  retryAfterMs?: number;
}

const MAX_KEYED = 10_000;

/** The limits a service enforces now, and its buckets. */
export class SandboxThrottle {
  private enabled = false;
  private scale = 1;
  private speedUp = 1;
  private limits: Record<string, ClassLimit> = {};
  private buckets = new Map<string, HardBucket>();

  constructor(private readonly profile: ThrottleProfile, private readonly now: () => number = () => performance.now()) {}

  /**
   * Turns enforcement on with these limits (documented × scale, the given ones replacing
   * documented ones), starting from full buckets.
   * @returns a message saying what is wrong with the request, or undefined when applied.
   */
  configure(input: unknown): string | undefined {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'a throttle setting must be a JSON object';
    const { scale = 1, speedUp = 1, limits = {}, ...rest } = input as Record<string, unknown>;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) return `unknown throttle property '${unknown}'`;
    if (typeof scale !== 'number' || !(scale > 0) || scale > 1e6) return 'scale must be a number above 0';
    if (typeof speedUp !== 'number' || !(speedUp > 0) || speedUp > 1e6) return 'speedUp must be a number above 0';
    if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) return 'limits must be an object of class: "count/window"';
    const entries = Object.entries(limits as Record<string, unknown>);
    if (entries.some(([, value]) => typeof value !== 'string')) return 'each limit must be a string such as "500/s" or "20/min"';
    const merged = mergeLimits(this.profile.limits, limits as Record<string, string>, this.profile.classes);
    if ('problem' in merged) return merged.problem;
    if (Object.keys(merged.limits).length === 0) return `give limits: this service has no documented ones (classes: ${this.profile.classes.join(', ')})`;
    this.enabled = true;
    this.scale = scale;
    this.speedUp = speedUp;
    this.limits = merged.limits;
    this.buckets = new Map();
    return undefined;
  }

  /** Stops enforcing. */
  clear(): void {
    this.enabled = false;
    this.buckets = new Map();
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  /** The effective limits (scaled), per class. */
  describe(): { enabled: boolean; scale: number; speedUp: number; limits: Record<string, { perSecond: number; burst: number; perKey?: { perSecond: number; burst: number } }> } {
    const shown = (limit: RateLimit) => ({ perSecond: this.ratePerSecond(limit), burst: this.capacity(limit) });
    return {
      enabled: this.enabled,
      scale: this.scale,
      speedUp: this.speedUp,
      limits: Object.fromEntries(Object.entries(this.enabled ? this.limits : {}).map(([name, limit]) => [name, {
        ...shown(limit),
        ...(limit.perKey && { perKey: shown(limit.perKey) }),
      }])),
    };
  }

  /** Takes a token for the request, or refuses it with the Retry-After to send. */
  check(method: string, pattern: string, params: Readonly<Record<string, string>>): ThrottleVerdict | undefined {
    if (!this.enabled) return undefined;
    const target = this.profile.classify(method, pattern, params);
    const operationClass = this.limits[target.operationClass] ? target.operationClass : this.profile.classes.find((c) => this.limits[c]);
    if (operationClass === undefined) return undefined;
    const limit = this.limits[operationClass];
    const now = this.now();
    const waits = [this.bucket(operationClass, limit, now).take(now)];
    if (target.key !== undefined && limit.perKey && waits[0] === undefined) {
      waits.push(this.bucket(`${operationClass}\u0000${target.key}`, limit.perKey, now).take(now));
    }
    const waitMs = waits.find((w) => w !== undefined);
    if (waitMs === undefined) return undefined;
    return {
      operationClass,
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
      ...(this.speedUp !== 1 && { retryAfterMs: Math.max(1, Math.ceil(waitMs)) }),
    };
  }

  private bucket(name: string, limit: RateLimit, now: number): HardBucket {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      if (this.buckets.size >= MAX_KEYED) {
        for (const [key, candidate] of this.buckets) if (key.includes('\u0000') && candidate.full(now)) this.buckets.delete(key);
      }
      bucket = new HardBucket(this.ratePerSecond(limit), this.capacity(limit), now);
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  private ratePerSecond(limit: RateLimit): number {
    return (limit.count * this.scale * this.speedUp) / limit.windowSeconds;
  }

  /** A window's worth, at least one request. */
  private capacity(limit: RateLimit): number {
    return Math.max(1, limit.count * this.scale);
  }
}
