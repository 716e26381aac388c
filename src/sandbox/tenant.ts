import tenantJson from './tenant.json';

/** A person in the seeded tenant: an Entra user who may also talk to the bot in Teams. */
export interface TenantUser {
  /** Entra object id. */
  aadObjectId: string;
  /** Teams user id, `29:...`. */
  teamsUserId: string;
  upn: string;
  email: string;
  displayName: string;
  /** Graph's `employeeId`: one per person, shared by a person's accounts; absent on a shared account. */
  employeeId?: string;
  jobTitle: string;
  department: string;
  officeLocation: string;
  mobilePhone: string;
  /** Member of the approvers group. */
  approver: boolean;
}

/** The Entra group whose members may decide requests. */
export interface TenantApproverGroup {
  id: string;
  displayName: string;
}

/** A built-in role definition the seeded subscription uses (real, global ids). */
export interface TenantRoleDefinition {
  /** The role definition's GUID. */
  name: string;
  roleName: string;
  description: string;
}

/** An Azure RBAC role assignment of the seeded subscription. */
export interface TenantRoleAssignment {
  /** The assignment's GUID. */
  name: string;
  /** The resource id it is assigned at: a subscription, a resource group or a resource. */
  scope: string;
  /** The GUID of one of `roleDefinitions`. */
  roleDefinition: string;
  principalId: string;
  principalType: string;
  createdOn: string;
  condition?: string;
  conditionVersion?: string;
}

/** The Azure subscription behind the sandbox instances, and who has which role where. */
export interface TenantAzure {
  subscriptionId: string;
  resourceGroup: string;
  /** Resource ids of the sandbox instances, by service. */
  resources: { digitalTwins: string; iotHub: string; dps: string; iotCentral: string };
  /** The bot's own service principal: its assignments are never touched. */
  botPrincipalId: string;
  /** The scopes the bot looks at in sandbox mode (DSR_ROLE_ASSIGNMENT_SCOPES' default). */
  roleAssignmentScopes: string[];
  roleDefinitions: TenantRoleDefinition[];
  roleAssignments: TenantRoleAssignment[];
}

type TenantJson = typeof tenantJson;

/**
 * The seeded tenant of `tenant.json`. The per-service sections
 * (`digitalTwins`, `iotCentral`, `dps`, `iotHub`) keep the types inferred
 * from the file until their sandbox services give them names.
 */
export type Tenant = Omit<TenantJson, 'approverGroup' | 'users' | 'azure'> & {
  tenantId: string;
  approverGroup: TenantApproverGroup;
  users: TenantUser[];
  azure: TenantAzure;
};

/** Returns a fresh copy of the seeded tenant; callers may change it freely. */
export function loadTenant(): Tenant {
  const tenant: Tenant = tenantJson;
  return structuredClone(tenant);
}
