import { nextLinkPage, type JsonStateStore, type Route, type SandboxRequest } from '../common';
import { armError, badRequest } from './armErrors';
import type { ArmState, StoredRoleAssignment } from './armState';
import { roleAssignmentBody, roleDefinitionNameOf } from './resourceBodies';
import { assignmentsMatching } from './roleAssignmentFilter';
import { SCOPE_PATTERNS, scopeOf } from './scopes';

/** Small, so that a person's handful of assignments already spans pages and clients must follow `nextLink`. */
export const ROLE_ASSIGNMENT_PAGE_SIZE = 2;

const PRINCIPAL_TYPES = ['User', 'Group', 'ServicePrincipal', 'ForeignGroup'];

/**
 * Microsoft.Authorization role assignments at every scope level: list (with `$filter`, paged by
 * `nextLink`), get, create (PUT) and delete by scope and name. The by-id operations
 * (`/{roleAssignmentId}`) reach the same routes, since an id is a scope plus the name.
 */
export function roleAssignmentRoutes(store: JsonStateStore<ArmState>, now: () => number): Route[] {
  return SCOPE_PATTERNS.flatMap((scopePattern) => {
    const collection = `${scopePattern}/providers/Microsoft.Authorization/roleAssignments`;
    const item = `${collection}/{roleAssignmentName}`;
    return [
      { method: 'GET', pattern: collection, handler: (request: SandboxRequest) => list(store, request) },
      {
        method: 'GET',
        pattern: item,
        handler: ({ params }: SandboxRequest) => ({ status: 200, body: roleAssignmentBody(store.current, find(store.current, params) ?? notFound()) }),
      },
      { method: 'PUT', pattern: item, handler: (request: SandboxRequest) => create(store, request, now) },
      {
        method: 'DELETE',
        pattern: item,
        handler: async ({ params }: SandboxRequest) => {
          const removed = await store.update((state) => {
            const found = find(state, params);
            if (found) state.roleAssignments.splice(state.roleAssignments.indexOf(found), 1);
            return found;
          });
          // 204: "already deleted or does not exist".
          return removed ? { status: 200, body: roleAssignmentBody(store.current, removed) } : { status: 204 };
        },
      },
    ];
  });
}

function list(store: JsonStateStore<ArmState>, request: SandboxRequest) {
  const matching = assignmentsMatching(store.current.roleAssignments, scopeOf(request.params), request.query.get('$filter'));
  const page = nextLinkPage(request, matching, {
    pageSize: ROLE_ASSIGNMENT_PAGE_SIZE,
    tokenParameter: '$skipToken',
    invalidToken: () => badRequest('The skip token is not valid.', 'InvalidSkipToken'),
  });
  return { status: 200, body: { value: page.value.map((assignment) => roleAssignmentBody(store.current, assignment)), ...(page.nextLink && { nextLink: page.nextLink }) } };
}

function find(state: Readonly<ArmState>, params: Readonly<Record<string, string>>): StoredRoleAssignment | undefined {
  const scope = scopeOf(params).toLowerCase();
  const name = params.roleAssignmentName.toLowerCase();
  return state.roleAssignments.find((assignment) => assignment.name.toLowerCase() === name && assignment.scope.toLowerCase() === scope);
}

function notFound(): never {
  throw armError(404, 'RoleAssignmentNotFound', 'The role assignment does not exist.');
}

/**
 * RoleAssignments_Create: 201 with the new assignment; 200 when the same one is put again; 400
 * `RoleAssignmentUpdateNotPermitted` when the name holds a different one, and 409
 * `RoleAssignmentExists` when another name already gives the principal the role at the scope.
 */
async function create(store: JsonStateStore<ArmState>, request: SandboxRequest, now: () => number) {
  const { params } = request;
  if (!/^[0-9a-fA-F-]{36}$/.test(params.roleAssignmentName)) throw badRequest('The role assignment name must be a GUID.', 'InvalidRoleAssignmentId');
  const input = propertiesOf(request.body);
  const scope = scopeOf(params);
  const roleDefinition = roleDefinitionNameOf(input.roleDefinitionId);
  if (roleDefinition === undefined || !store.current.roleDefinitions.some((definition) => definition.name === roleDefinition)) {
    throw badRequest('The role definition does not exist.', 'RoleDefinitionDoesNotExist');
  }
  const at = new Date(now()).toISOString();
  const { assignment, created } = await store.update((state) => {
    const existing = find(state, params);
    const same = (candidate: StoredRoleAssignment) =>
      candidate.principalId.toLowerCase() === input.principalId.toLowerCase() && candidate.roleDefinition === roleDefinition;
    if (existing) {
      if (!same(existing)) throw badRequest('Tenant ID, application ID, principal ID, and scope are not allowed to be updated.', 'RoleAssignmentUpdateNotPermitted');
      return { assignment: existing, created: false };
    }
    if (state.roleAssignments.some((candidate) => same(candidate) && candidate.scope.toLowerCase() === scope.toLowerCase())) {
      throw armError(409, 'RoleAssignmentExists', 'The role assignment already exists.');
    }
    const added: StoredRoleAssignment = {
      name: params.roleAssignmentName.toLowerCase(),
      scope,
      roleDefinition,
      principalId: input.principalId,
      principalType: input.principalType ?? 'User',
      ...(input.condition !== undefined && { condition: input.condition, conditionVersion: input.conditionVersion ?? '2.0' }),
      ...(input.description !== undefined && { description: input.description }),
      createdOn: at,
      updatedOn: at,
    };
    state.roleAssignments.push(added);
    return { assignment: added, created: true };
  });
  return { status: created ? 201 : 200, body: roleAssignmentBody(store.current, assignment) };
}

interface CreateProperties {
  roleDefinitionId: string;
  principalId: string;
  principalType?: string;
  condition?: string;
  conditionVersion?: string;
  description?: string;
}

/** The spec's `RoleAssignmentCreateParameters`: `properties` with `roleDefinitionId` and `principalId` required. */
function propertiesOf(body: unknown): CreateProperties {
  const properties = (body as { properties?: unknown } | undefined)?.properties;
  if (typeof properties !== 'object' || properties === null) throw badRequest('The request body must have properties.', 'InvalidRequestContent');
  const raw = properties as Record<string, unknown>;
  const text = (name: string): string | undefined => {
    const value = raw[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw badRequest(`properties.${name} must be a string.`, 'InvalidRequestContent');
    return value;
  };
  const roleDefinitionId = text('roleDefinitionId');
  const principalId = text('principalId');
  if (!roleDefinitionId) throw badRequest('properties.roleDefinitionId is required.', 'InvalidRequestContent');
  if (!principalId || !/^[0-9a-fA-F-]{36}$/.test(principalId)) throw badRequest('properties.principalId must be an object id.', 'InvalidPrincipalId');
  const principalType = text('principalType');
  if (principalType !== undefined && !PRINCIPAL_TYPES.includes(principalType)) throw badRequest(`The principal type '${principalType}' is not valid.`, 'InvalidRequestContent');
  return { roleDefinitionId, principalId, principalType, condition: text('condition'), conditionVersion: text('conditionVersion'), description: text('description') };
}
