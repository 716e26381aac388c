import type { ArmState, StoredRoleAssignment, StoredRoleDefinition } from './armState';

const ASSIGNMENTS_PATH = '/providers/Microsoft.Authorization/roleAssignments';
const DEFINITIONS_PATH = '/providers/Microsoft.Authorization/roleDefinitions';

/** The full id of a role assignment: `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`. */
export function roleAssignmentId(scope: string, name: string): string {
  return `${scope}${ASSIGNMENTS_PATH}/${name}`;
}

/** The id ARM gives a built-in role definition read in a subscription. */
export function roleDefinitionId(subscriptionId: string, name: string): string {
  return `/subscriptions/${subscriptionId}${DEFINITIONS_PATH}/${name}`;
}

/** The role definition GUID at the end of a role definition id; undefined when it is not one. */
export function roleDefinitionNameOf(id: string): string | undefined {
  return /\/providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f-]{36})$/i.exec(id)?.[1].toLowerCase();
}

/** The spec's `RoleAssignment`; optional properties ARM has no value for are sent as null, as ARM does. */
export function roleAssignmentBody(state: Readonly<ArmState>, assignment: StoredRoleAssignment): unknown {
  return {
    id: roleAssignmentId(assignment.scope, assignment.name),
    name: assignment.name,
    type: 'Microsoft.Authorization/roleAssignments',
    properties: {
      roleDefinitionId: roleDefinitionId(state.subscriptionId, assignment.roleDefinition),
      principalId: assignment.principalId,
      principalType: assignment.principalType,
      scope: assignment.scope,
      condition: assignment.condition ?? null,
      conditionVersion: assignment.conditionVersion ?? null,
      description: assignment.description ?? null,
      createdOn: assignment.createdOn,
      updatedOn: assignment.updatedOn,
      createdBy: null,
      updatedBy: null,
      delegatedManagedIdentityResourceId: null,
    },
  };
}

/** The spec's `RoleDefinition` for a built-in role (its permissions are not modelled: the bot reads names only). */
export function roleDefinitionBody(state: Readonly<ArmState>, definition: StoredRoleDefinition): unknown {
  return {
    id: roleDefinitionId(state.subscriptionId, definition.name),
    name: definition.name,
    type: 'Microsoft.Authorization/roleDefinitions',
    properties: {
      roleName: definition.roleName,
      type: 'BuiltInRole',
      description: definition.description,
      assignableScopes: ['/'],
      permissions: [],
      createdOn: null,
      updatedOn: null,
      createdBy: null,
      updatedBy: null,
    },
  };
}
