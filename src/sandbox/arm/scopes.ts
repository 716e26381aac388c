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
