/** One fault rule, as posted to `POST /_sandbox/faults`. */
export interface FaultRule {
  /** Answer with this error status (400-599); absent for a delay-only rule. */
  readonly status?: number;
  /** How many matching requests it applies to; `-1` keeps it until cleared. */
  readonly count: number;
  /** Sent as the `Retry-After` header with the error. */
  readonly retryAfterSeconds?: number;
  /** Wait this long before answering (with the error, or normally when there is no `status`). */
  readonly delayMs?: number;
  /** Close the connection instead of answering (after `delayMs`): a connection dropped on the way. */
  readonly drop?: boolean;
  /** Only requests with this method (case-insensitive). */
  readonly method?: string;
  /** Only requests whose path starts with this. */
  readonly pathPrefix?: string;
}

const RULE_KEYS = new Set(['status', 'count', 'retryAfterSeconds', 'delayMs', 'drop', 'method', 'pathPrefix']);
const MAX_DELAY_MS = 120_000;

/**
 * Validates a posted fault rule; `count` defaults to 1.
 * @returns the rule, or a message saying what is wrong with it.
 */
export function parseFaultRule(input: unknown): FaultRule | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'a fault rule must be a JSON object';
  const raw = input as Record<string, unknown>;
  const unknownKey = Object.keys(raw).find((key) => !RULE_KEYS.has(key));
  if (unknownKey !== undefined) return `unknown fault rule property '${unknownKey}'`;
  const { status, count = 1, retryAfterSeconds, delayMs, drop, method, pathPrefix } = raw;
  if (status !== undefined && !isIntegerIn(status, 400, 599)) return 'status must be an integer from 400 to 599';
  if (!(count === -1 || isIntegerIn(count, 1, Number.MAX_SAFE_INTEGER))) return 'count must be a positive integer or -1';
  if (retryAfterSeconds !== undefined && !isIntegerIn(retryAfterSeconds, 0, 3600)) return 'retryAfterSeconds must be an integer from 0 to 3600';
  if (delayMs !== undefined && !isIntegerIn(delayMs, 0, MAX_DELAY_MS)) return `delayMs must be an integer from 0 to ${MAX_DELAY_MS}`;
  if (drop !== undefined && drop !== true) return 'drop must be true when given';
  if (drop && (status !== undefined || retryAfterSeconds !== undefined)) return 'a dropped connection has no status or retryAfterSeconds';
  if (status === undefined && delayMs === undefined && !drop) return 'a fault rule needs a status, a delayMs or a drop';
  if (method !== undefined && (typeof method !== 'string' || method === '')) return 'method must be a non-empty string';
  if (pathPrefix !== undefined && (typeof pathPrefix !== 'string' || !pathPrefix.startsWith('/'))) return "pathPrefix must be a string starting with '/'";
  return {
    count: count as number,
    ...(status !== undefined && { status: status as number }),
    ...(retryAfterSeconds !== undefined && { retryAfterSeconds: retryAfterSeconds as number }),
    ...(delayMs !== undefined && { delayMs: delayMs as number }),
    ...(drop === true && { drop: true }),
    ...(method !== undefined && { method: (method as string).toUpperCase() }),
    ...(pathPrefix !== undefined && { pathPrefix: pathPrefix as string }),
  };
}

/** Holds the active fault rules and hands out the first one a request matches. */
export class FaultInjector {
  private rules: { rule: FaultRule; remaining: number }[] = [];

  /** Adds a rule after the existing ones. */
  add(rule: FaultRule): void {
    this.rules.push({ rule, remaining: rule.count });
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /** Consumes one use of the first rule matching the request, if any. */
  take(method: string, path: string): FaultRule | undefined {
    const entry = this.rules.find(({ rule }) =>
      (rule.method === undefined || rule.method === method) &&
      (rule.pathPrefix === undefined || path.startsWith(rule.pathPrefix)));
    if (!entry) return undefined;
    if (entry.remaining > 0 && --entry.remaining === 0) {
      this.rules = this.rules.filter((candidate) => candidate !== entry);
    }
    return entry.rule;
  }
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
