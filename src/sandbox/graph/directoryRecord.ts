import type { Tenant } from '../tenant';

/** A directory role and the ids of the users holding it. */
export interface GraphDirectoryRole {
  id: string;
  displayName: string;
  roleTemplateId: string;
  memberIds: string[];
}

/** An app role granted to a user (`principalDisplayName` and `principalType` are read from the user). */
export interface GraphAppRoleAssignment {
  id: string;
  appRoleId: string;
  createdDateTime: string;
  principalId: string;
  resourceDisplayName: string;
  resourceId: string;
}

export interface GraphPhoneMethod {
  userId: string;
  id: string;
  phoneNumber: string;
  phoneType: string;
  smsSignInState: string;
}

export interface GraphEmailMethod {
  userId: string;
  id: string;
  emailAddress: string;
}

export interface GraphServicePlan {
  servicePlanId: string;
  servicePlanName: string;
  /** The service the plan enables, as a user's `assignedPlans` name it (`exchange`, `AADPremiumService`). */
  service: string;
  provisioningStatus: string;
  appliesTo: string;
}

/** A licence the tenant holds. */
export interface GraphSku {
  skuId: string;
  skuPartNumber: string;
  servicePlans: GraphServicePlan[];
}

/** A licence assigned to a user, and since when. */
export interface GraphLicenseAssignment {
  userId: string;
  skuId: string;
  assignedDateTime: string;
}

/**
 * What the directory holds about its users besides their profiles: the parts of the Entra record a
 * data subject request exports. Seeded from `tenant.json`'s `entra` section.
 */
export interface DirectoryRecord {
  /** Whether the tenant has an Entra ID P1/P2 licence: without one Graph refuses `signInActivity`. */
  premiumLicence: boolean;
  directoryRoles: GraphDirectoryRole[];
  /** Each user's manager, by object id. */
  managers: { userId: string; managerId: string }[];
  appRoleAssignments: GraphAppRoleAssignment[];
  phoneMethods: GraphPhoneMethod[];
  emailMethods: GraphEmailMethod[];
}

/** The directory record of a freshly seeded tenant. */
export function seedDirectoryRecord(tenant: Tenant): DirectoryRecord {
  const { premiumLicence, directoryRoles, managers, appRoleAssignments, phoneMethods, emailMethods } = tenant.entra;
  return structuredClone({ premiumLicence, directoryRoles, managers, appRoleAssignments, phoneMethods, emailMethods });
}

/** State written before the directory record existed has none: the routes then answer empty collections. */
export const EMPTY_DIRECTORY_RECORD: DirectoryRecord = {
  premiumLicence: false,
  directoryRoles: [],
  managers: [],
  appRoleAssignments: [],
  phoneMethods: [],
  emailMethods: [],
};
