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

type TenantJson = typeof tenantJson;

/**
 * The seeded tenant of `tenant.json`. The per-service sections
 * (`digitalTwins`, `iotCentral`, `dps`, `iotHub`) keep the types inferred
 * from the file until their sandbox services give them names.
 */
export type Tenant = Omit<TenantJson, 'approverGroup' | 'users'> & {
  tenantId: string;
  approverGroup: TenantApproverGroup;
  users: TenantUser[];
};

/** Returns a fresh copy of the seeded tenant; callers may change it freely. */
export function loadTenant(): Tenant {
  const tenant: Tenant = tenantJson;
  return structuredClone(tenant);
}
