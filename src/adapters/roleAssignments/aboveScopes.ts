import type { AboveScopeAssignment, ManualStepSpec, RequestKind } from '../../dsr';
import { isAtOrBelow } from '../../azureFacts/armScopes';

/** Key of the manual step, stable across requests. */
export const ABOVE_SCOPES_STEP_KEY = 'roleAssignments.aboveScopes';

/**
 * Whether an assignment lies above every configured scope it relates to: a list at a scope
 * filtered by principal returns what is inherited from its ancestors too, where the bot holds no right.
 */
export function isAboveScopes(scope: string, configured: readonly string[]): boolean {
  return !configured.some((own) => isAtOrBelow(scope, own)) && configured.some((own) => isAtOrBelow(own, scope));
}

/** Whether a request of this kind removes the assignments, so those above the scopes are removed by hand. */
export function removesAssignments(kind: RequestKind | undefined): kind is 'erase' | 'restrict' {
  return kind === 'erase' || kind === 'restrict';
}

/**
 * The step an approver does by hand for erase and restrict: the bot may not delete above its
 * scopes. It names scopes and roles, never the subject, since the approvers' channel reads it.
 */
export function aboveScopesStep(assignments: readonly AboveScopeAssignment[], kind: RequestKind | undefined): ManualStepSpec[] {
  if (assignments.length === 0 || !removesAssignments(kind)) return [];
  return [{ key: ABOVE_SCOPES_STEP_KEY, task: { code: 'roleAssignments.aboveScopes', kind, assignments: [...assignments] } }];
}
