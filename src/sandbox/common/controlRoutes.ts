import type { ErrorBodyFormatter, Route } from './sandboxService';
import { FaultInjector, parseFaultRule } from './faultInjector';
import { RequestStats } from './requestStats';
import { SandboxHttpError } from './sandboxHttpError';
import type { SandboxThrottle } from './throttleLimiter';

/** Path prefix of the sandbox's own control endpoints, which need no Authorization. */
export const CONTROL_PATH_PREFIX = '/_sandbox';

/**
 * The control endpoints every sandbox service serves next to its own routes:
 * health, fault injection, throttling and request statistics.
 */
export function sandboxControlRoutes(faults: FaultInjector, stats: RequestStats, throttle: SandboxThrottle): Route[] {
  return [
    { method: 'GET', pattern: `${CONTROL_PATH_PREFIX}/health`, handler: () => ({ status: 200, body: { status: 'ok' } }) },
    {
      method: 'POST',
      pattern: `${CONTROL_PATH_PREFIX}/faults`,
      handler: ({ body }) => {
        const rule = parseFaultRule(body);
        if (typeof rule === 'string') throw new SandboxHttpError(400, rule, 'InvalidFaultRule');
        faults.add(rule);
        return { status: 201, body: rule };
      },
    },
    { method: 'DELETE', pattern: `${CONTROL_PATH_PREFIX}/faults`, handler: () => { faults.clear(); return { status: 204 }; } },
    {
      method: 'POST',
      pattern: `${CONTROL_PATH_PREFIX}/throttle`,
      handler: ({ body }) => {
        const problem = throttle.configure(body ?? {});
        if (problem) throw new SandboxHttpError(400, problem, 'InvalidThrottleSetting');
        stats.showThrottling();
        return { status: 200, body: throttle.describe() };
      },
    },
    { method: 'GET', pattern: `${CONTROL_PATH_PREFIX}/throttle`, handler: () => ({ status: 200, body: throttle.describe() }) },
    { method: 'DELETE', pattern: `${CONTROL_PATH_PREFIX}/throttle`, handler: () => { throttle.clear(); return { status: 204 }; } },
    { method: 'GET', pattern: `${CONTROL_PATH_PREFIX}/stats`, handler: () => ({ status: 200, body: stats.snapshot() }) },
    { method: 'POST', pattern: `${CONTROL_PATH_PREFIX}/stats/reset`, handler: () => { stats.reset(); return { status: 204 }; } },
  ];
}

/** Error shape of the control endpoints: `{ "error": { "code", "message" } }`. */
export const formatControlError: ErrorBodyFormatter = (error) => ({
  error: { code: error.code ?? `Http${error.status}`, message: error.message },
});
