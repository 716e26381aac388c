import type { Tenant } from '../tenant';

/** A role assignment as the sandbox keeps it (the spec's `RoleAssignmentProperties` plus its name). */
export interface StoredRoleAssignment {
  name: string;
  scope: string;
  /** The role definition's GUID. */
  roleDefinition: string;
  principalId: string;
  principalType: string;
  condition?: string;
  conditionVersion?: string;
  description?: string;
  createdOn: string;
  updatedOn: string;
}

export interface StoredRoleDefinition {
  name: string;
  roleName: string;
  description: string;
}

/** Everything the ARM sandbox persists: one subscription's role definitions and assignments. */
export interface ArmState {
  subscriptionId: string;
  roleDefinitions: StoredRoleDefinition[];
  roleAssignments: StoredRoleAssignment[];
}

/** The state of a freshly seeded subscription: tenant.json's `azure` section. */
export function seedArmState(tenant: Tenant): ArmState {
  const { subscriptionId, roleDefinitions, roleAssignments } = tenant.azure;
  return {
    subscriptionId,
    roleDefinitions: structuredClone(roleDefinitions),
    roleAssignments: roleAssignments.map((assignment) => ({ ...structuredClone(assignment), updatedOn: assignment.createdOn })),
  };
}
