import { badRequest } from './armErrors';
import type { StoredRoleAssignment } from './armState';
import { isAtOrBelow } from './scopes';

/**
 * The role assignments a list call at `scope` returns for its `$filter`, as the spec documents it:
 * `atScope()` gives those at or above the scope; `principalId eq '{id}'` the principal's at,
 * above or below it; no filter, every one at, above or below it.
 */
export function assignmentsMatching(
  assignments: readonly StoredRoleAssignment[], scope: string, filter: string | null,
): StoredRoleAssignment[] {
  const related = (assignment: StoredRoleAssignment) => isAtOrBelow(scope, assignment.scope) || isAtOrBelow(assignment.scope, scope);
  if (filter === null || filter.trim() === '') return assignments.filter(related);
  if (/^\s*atScope\(\)\s*$/i.test(filter)) return assignments.filter((assignment) => isAtOrBelow(scope, assignment.scope));
  const principal = /^\s*principalId\s+eq\s+'?([0-9a-fA-F-]{36})'?\s*$/.exec(filter)?.[1];
  if (principal === undefined) {
    throw badRequest(`The filter '${filter}' is not supported. Supported filters are atScope() and principalId eq '{objectId}'.`, 'InvalidFilter');
  }
  return assignments.filter((assignment) => related(assignment) && assignment.principalId.toLowerCase() === principal.toLowerCase());
}
