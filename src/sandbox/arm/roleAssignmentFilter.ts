import { ODATA_FILTER, tokenizeQuery, type QueryToken } from '../common';
import { badRequest } from './armErrors';
import type { StoredRoleAssignment } from './armState';
import { isAtOrBelow } from './scopes';

/** What a role assignment list's `$filter` asks for: the spec documents these two. */
type AssignmentFilter = { readonly kind: 'atScope' } | { readonly kind: 'principal'; readonly principalId: string };

const OBJECT_ID = /^[0-9a-fA-F-]{36}$/;

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
  const asked = readFilter(filter);
  if (asked.kind === 'atScope') return assignments.filter((assignment) => isAtOrBelow(scope, assignment.scope));
  const principalId = asked.principalId.toLowerCase();
  return assignments.filter((assignment) => related(assignment) && assignment.principalId.toLowerCase() === principalId);
}

/** `atScope()` (in any case) or `principalId eq` an object id, quoted or written as a bare GUID. */
function readFilter(filter: string): AssignmentFilter {
  const unsupported = () => badRequest(`The filter '${filter}' is not supported. Supported filters are atScope() and principalId eq '{objectId}'.`, 'InvalidFilter');
  const tokens = tokenizeQuery(filter, ODATA_FILTER, unsupported);
  const [first, second, third] = tokens;
  if (tokens.length !== 3 || first.kind !== 'name') throw unsupported();
  if (first.text.toLowerCase() === 'atscope' && isMark(second, '(') && isMark(third, ')')) return { kind: 'atScope' };
  const isEq = second.kind === 'name' && second.text === 'eq';
  const objectId = third.kind === 'guid' || (third.kind === 'string' && OBJECT_ID.test(third.value)) ? third.value : undefined;
  if (first.text !== 'principalId' || !isEq || objectId === undefined) throw unsupported();
  return { kind: 'principal', principalId: objectId };
}

function isMark(token: QueryToken, text: string): boolean {
  return token.kind === 'mark' && token.text === text;
}
