/**
 * Azure resource ids as role assignment scopes: a subscription, a resource group, or a top-level
 * resource in one, as ARM documents them: read by the adapter and by the settings that name scopes.
 * The sandbox ARM keeps its own reading (src/sandbox/arm/scopes.ts), so it cannot share a bug.
 */

const SCOPE = /^\/subscriptions\/([0-9a-f-]{36})(?:\/resourceGroups\/([^/]+)(?:\/providers\/([^/]+\/[^/]+)\/[^/]+)?)?$/i;

/** True when `scope` is `ancestor` or lies under it (resource ids compare case-insensitively). */
export function isAtOrBelow(scope: string, ancestor: string): boolean {
  const a = scope.toLowerCase();
  const b = ancestor.toLowerCase().replace(/\/+$/, '');
  return a === b || a.startsWith(`${b}/`);
}

/** The subscription id a scope lies in; undefined when it is not a scope of one of the three kinds. */
export function subscriptionOf(scope: string): string | undefined {
  return SCOPE.exec(scope)?.[1];
}

/**
 * What kind of scope an assignment sits at, as the plan's reason code: `subscription`,
 * `resourceGroup`, or the resource type (`Microsoft.Devices/IotHubs`); `other` for a deeper scope.
 */
export function scopeKind(scope: string): string {
  const match = SCOPE.exec(scope);
  if (!match) return 'other';
  return match[3] ?? (match[2] !== undefined ? 'resourceGroup' : 'subscription');
}
