/**
 * The scopes a role assignment can live at, as route patterns: a subscription, a resource group,
 * or a top-level resource in it. The router matches fixed segment counts, so each ARM path that
 * takes a `{scope}` is served once per level.
 */
export const SCOPE_PATTERNS = [
  '/subscriptions/{subscriptionId}',
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}',
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{resourceProviderNamespace}/{resourceType}/{resourceName}',
] as const;

/** The scope a matched route names, rebuilt from its parameters. */
export function scopeOf(params: Readonly<Record<string, string>>): string {
  let scope = `/subscriptions/${params.subscriptionId}`;
  if (params.resourceGroupName !== undefined) scope += `/resourceGroups/${params.resourceGroupName}`;
  if (params.resourceName !== undefined) {
    scope += `/providers/${params.resourceProviderNamespace}/${params.resourceType}/${params.resourceName}`;
  }
  return scope;
}

/**
 * True when `scope` is `ancestor` or lies under it (ARM compares resource ids case-insensitively).
 * The sandbox's own reading of ARM, not the adapter's: a stand-in that shared the client's code would agree with its bugs.
 */
export function isAtOrBelow(scope: string, ancestor: string): boolean {
  const inner = scope.toLowerCase();
  const outer = ancestor.toLowerCase().replace(/\/+$/, '');
  return inner === outer || inner.startsWith(`${outer}/`);
}
