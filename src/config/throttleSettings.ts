import { OPERATION_CLASSES, THROTTLED_SERVICES, DOCUMENTED_LIMITS, parseLimits, type ClassLimit, type ThrottledService } from '../azureFacts/serviceLimits';

/** Settings of the budgets of one process (see `throttleBudgets`). */
export interface ThrottleSettings {
  /** false: no budget at all; calls go out as the concurrency limit lets them. */
  enabled: boolean;
  /**
   * The fraction of each limit this process uses: 1 alone, 1/N when N bot instances share the
   * services (the adaptive buckets also find their share from 429s, but more slowly).
   */
  share: number;
  /** Limits by service and class; classes missing here take the documented ones. */
  limits: Partial<Record<ThrottledService, Record<string, ClassLimit>>>;
}

export const DEFAULT_THROTTLE_SETTINGS: ThrottleSettings = { enabled: true, share: 1, limits: {} };

/** The setting that holds each service's limits. */
export const THROTTLE_SETTING_NAMES: Readonly<Record<ThrottledService, string>> = {
  entra: 'DSR_THROTTLE_GRAPH',
  digitalTwins: 'DSR_THROTTLE_DIGITAL_TWINS',
  iotCentral: 'DSR_THROTTLE_IOT_CENTRAL',
  dps: 'DSR_THROTTLE_DPS',
  iotHub: 'DSR_THROTTLE_IOT_HUB',
  roleAssignments: 'DSR_THROTTLE_ROLE_ASSIGNMENTS',
};

/**
 * DSR_THROTTLE (`on`/`off`; off by default in sandbox mode, whose services do not throttle unless
 * told to), DSR_THROTTLE_SHARE (0 < share ≤ 1) and the per-service limits from the environment;
 * problems are pushed to `problems` with the setting's name and the fix.
 */
export function throttleSettingsFrom(env: NodeJS.ProcessEnv, problems: string[], sandbox = false): ThrottleSettings {
  const text = (name: string) => env[name]?.trim() ?? '';
  const switchValue = text('DSR_THROTTLE').toLowerCase() || (sandbox ? 'off' : 'on');
  if (!['on', 'off'].includes(switchValue)) problems.push('DSR_THROTTLE must be on or off.');
  const shareText = text('DSR_THROTTLE_SHARE');
  const share = shareText === '' ? 1 : Number(shareText);
  if (!(Number.isFinite(share) && share > 0 && share <= 1)) {
    problems.push(`DSR_THROTTLE_SHARE must be a number above 0 and at most 1, the fraction of each service's limits this instance uses (1/N with N instances).`);
  }
  const limits: ThrottleSettings['limits'] = {};
  for (const service of THROTTLED_SERVICES) {
    const name = THROTTLE_SETTING_NAMES[service];
    const spec = text(name);
    if (!spec) continue;
    const parsed = parseLimits(spec, OPERATION_CLASSES[service]);
    if ('problem' in parsed) problems.push(`${name}: ${parsed.problem}. The documented limits are '${DOCUMENTED_LIMITS[service]}'.`);
    else limits[service] = parsed.limits;
  }
  return { enabled: switchValue !== 'off', share: Number.isFinite(share) && share > 0 && share <= 1 ? share : 1, limits };
}
