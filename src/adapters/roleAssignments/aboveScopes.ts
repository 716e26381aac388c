import type { ManualStepSpec, RequestKind } from '../../dsr';
import { isAtOrBelow } from '../../azureFacts/armScopes';

/** Key of the manual step, stable across requests. */
export const ABOVE_SCOPES_STEP_KEY = 'roleAssignments.aboveScopes';

/** An assignment above the bot's scopes as the step names it: where, and which role. Neither is personal. */
export interface AboveScopeAssignment {
  scope: string;
  roleName: string;
}

/**
 * Whether an assignment lies above every configured scope it relates to: a list at a scope
 * filtered by principal returns what is inherited from its ancestors too, where the bot holds no right.
 */
export function isAboveScopes(scope: string, configured: readonly string[]): boolean {
  return !configured.some((own) => isAtOrBelow(scope, own)) && configured.some((own) => isAtOrBelow(own, scope));
}

/** Whether a request of this kind removes the assignments, so those above the scopes are removed by hand. */
export function removesAssignments(kind: RequestKind | undefined): boolean {
  return kind === 'erase' || kind === 'restrict';
}

/**
 * The step an approver does by hand for erase and restrict: the bot may not delete above its
 * scopes. It names scopes and roles, never the subject, since the approvers' channel reads it.
 */
export function aboveScopesStep(assignments: readonly AboveScopeAssignment[], kind: RequestKind | undefined): ManualStepSpec[] {
  if (assignments.length === 0 || !removesAssignments(kind)) return [];
  const count = assignments.length;
  return [{
    key: ABOVE_SCOPES_STEP_KEY,
    title: `Remove ${assignmentsWord(count)} above the bot's scopes`,
    instructions: [
      `The subject holds ${assignmentsWord(count)} above the scopes this bot may change, so it does not remove ${count === 1 ? 'it' : 'them'}:`,
      ...assignments.map(({ scope, roleName }) => `- ${roleName} at ${scope}`),
      "In the Azure portal, open each scope, then Access control (IAM), Role assignments, and remove the subject's assignment of that role; " +
        "or run `az role assignment delete --assignee <the subject's object id (on the request's card details)> --role \"<role>\" --scope <scope>`.",
      ...(kind === 'restrict' ? ['Note them: lifting the restriction puts back only what the bot removed, so these are given back by hand.'] : []),
      'Then confirm this step here.',
    ].join('\n'),
  }];
}

export function assignmentsWord(count: number): string {
  return `${count} Azure role assignment${count === 1 ? '' : 's'}`;
}
