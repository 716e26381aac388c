/**
 * The throttling limits Azure documents for each service the bot reaches, and their notation.
 * A neutral module: the adapters' budgets start from these limits and the sandbox enforces them,
 * so neither imports the other.
 */

/** `count` requests per `windowSeconds`, as services document their limits (500/s, 20/min, 3,500 per 10 s). */
export interface RateLimit {
  count: number;
  windowSeconds: number;
}

/** One operation class's limit, and optionally a limit per key within it (Digital Twins: per twin). */
export interface ClassLimit extends RateLimit {
  perKey?: RateLimit;
}

/** A service's limits by operation class. */
export type ServiceLimits = Readonly<Record<string, ClassLimit>>;

/** The services the adapters reach that have throttling limits (the bot's own store has none here). */
export const THROTTLED_SERVICES = ['entra', 'digitalTwins', 'iotCentral', 'dps', 'iotHub', 'roleAssignments'] as const;
export type ThrottledService = (typeof THROTTLED_SERVICES)[number];

/**
 * The documented limits, as `class=count/window` lists (the syntax of the DSR_THROTTLE_* settings).
 * - Microsoft Graph (Entra ID, identity and access): 3,500 resource units per 10 s per app and
 *   tenant for a small tenant (5,000 medium, 8,000 large; a user read costs 1), writes 3,000 per
 *   2.5 min. Set the tenant's own figure.
 * - Azure Digital Twins: Query API 500/s, twin reads 1,000/s, creates and deletes 500/s per
 *   instance, and 10/s on one twin.
 * - IoT Central: 20 requests/s per application, across all tokens.
 * - Device Provisioning Service: 1,000 service operations/min.
 * - IoT Hub, S1 with one unit: queries 20/min, identity registry operations 100/min, twin reads
 *   100/s, twin updates 50/s (multiply by the units, or use the S2/S3 figures).
 * - Azure Resource Manager (role assignments): per principal and subscription, 12,000 reads,
 *   1,200 writes and 15,000 deletes an hour (its older fixed figures; the newer token bucket allows more).
 */
export const DOCUMENTED_LIMITS: Readonly<Record<ThrottledService, string>> = {
  entra: 'read=3500/10s,write=3000/150s',
  digitalTwins: 'query=500/s,read=1000/s,write=500/s,write.key=10/s',
  iotCentral: 'all=20/s',
  dps: 'all=1000/min',
  iotHub: 'query=20/min,registry=100/min,twinRead=100/s,twinWrite=50/s',
  roleAssignments: 'read=12000/h,write=1200/h,delete=15000/h',
};

/** The operation classes of each service, the first being where an unknown operation goes. */
export const OPERATION_CLASSES: Readonly<Record<ThrottledService, readonly string[]>> = {
  entra: ['read', 'write'],
  digitalTwins: ['read', 'query', 'write'],
  iotCentral: ['all'],
  dps: ['all'],
  iotHub: ['registry', 'query', 'twinRead', 'twinWrite'],
  roleAssignments: ['read', 'write', 'delete'],
};

/**
 * The class of an operation, from the words the adapters name it with ("query twins", "read a
 * device twin", "delete a relationship"); an explicit class passed to the caller wins over this.
 */
export function operationClassOf(service: ThrottledService, operation: string): string {
  const words = operation.toLowerCase();
  switch (service) {
    case 'entra':
      return /^(get|read|list|query)\b/.test(words) ? 'read' : 'write';
    case 'digitalTwins':
      if (/\bquery\b/.test(words)) return 'query';
      return /^(read|list|get)\b/.test(words) ? 'read' : 'write';
    case 'iotHub':
      if (/\bquery\b/.test(words)) return 'query';
      if (/\btwin\b/.test(words)) return /^(read|get|list)\b/.test(words) ? 'twinRead' : 'twinWrite';
      return 'registry';
    case 'roleAssignments':
      if (/^(read|list|get)\b/.test(words)) return 'read';
      return /^delete\b/.test(words) ? 'delete' : 'write';
    default:
      return 'all';
  }
}

/** `500/s`, `20/min`, `3500/10s`, `2/h` as a limit; undefined when it is not one. */
export function parseRate(text: string): RateLimit | undefined {
  const match = /^(\d+(?:\.\d+)?)\/(\d*(?:\.\d+)?)(s|min|h)$/.exec(text.trim());
  if (!match) return undefined;
  const [, count, multiple, unit] = match;
  const windowSeconds = (multiple === '' ? 1 : Number(multiple)) * (unit === 's' ? 1 : unit === 'min' ? 60 : 3600);
  return Number(count) > 0 && windowSeconds > 0 ? { count: Number(count), windowSeconds } : undefined;
}

/**
 * Limits given as `{ class: "count/window", "class.key": "count/window" }` laid over `base`: a
 * class given replaces its limit (keeping its per-key limit unless that is given too).
 */
export function mergeLimits(
  base: Readonly<Record<string, ClassLimit>>, given: Readonly<Record<string, string>>, classes: readonly string[],
): { limits: Record<string, ClassLimit> } | { problem: string } {
  const limits: Record<string, ClassLimit> = { ...base };
  const perKey: Record<string, RateLimit> = {};
  for (const [name, text] of Object.entries(given)) {
    const keyed = name.endsWith('.key');
    const operationClass = keyed ? name.slice(0, -'.key'.length) : name;
    if (!classes.includes(operationClass)) return { problem: `unknown operation class '${operationClass}' (known: ${classes.join(', ')})` };
    const limit = parseRate(text);
    if (!limit) return { problem: `'${name}=${text}' is not class=count/window (such as query=500/s, all=1000/min, read=3500/10s)` };
    if (keyed) perKey[operationClass] = limit;
    else limits[operationClass] = { ...limit, ...(base[operationClass]?.perKey && { perKey: base[operationClass].perKey }) };
  }
  for (const [operationClass, limit] of Object.entries(perKey)) {
    if (!limits[operationClass]) return { problem: `'${operationClass}.key' needs a limit for '${operationClass}' itself too` };
    limits[operationClass] = { ...limits[operationClass], perKey: limit };
  }
  return { limits };
}

/** A spec such as `query=500/s,read=1000/s,write.key=10/s` as limits, or what is wrong with it. */
export function parseLimits(spec: string, classes: readonly string[]): { limits: Record<string, ClassLimit> } | { problem: string } {
  const given: Record<string, string> = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = part.indexOf('=');
    if (at <= 0) return { problem: `'${part}' is not class=count/window (such as query=500/s, all=1000/min, read=3500/10s)` };
    given[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return mergeLimits({}, given, classes);
}

/** The documented limits of a service, parsed. */
export function documentedLimits(service: ThrottledService): Record<string, ClassLimit> {
  const parsed = parseLimits(DOCUMENTED_LIMITS[service], OPERATION_CLASSES[service]);
  if ('problem' in parsed) throw new Error(`DOCUMENTED_LIMITS.${service}: ${parsed.problem}`);
  return parsed.limits;
}
