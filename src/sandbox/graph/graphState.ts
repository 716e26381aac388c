import type { Tenant, TenantUser } from '../tenant';
import type { DataPolicyOperation } from './dataPolicyRoutes';
import { seedDirectoryRecord, type DirectoryRecord } from './directoryRecord';

/** A user as the Graph sandbox stores it: the Graph property names and values. */
export interface GraphUser {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  department: string | null;
  officeLocation: string | null;
  mobilePhone: string | null;
  employeeId: string | null;
  businessPhones: string[];
  preferredLanguage: string | null;
  accountEnabled: boolean;
  /** When sign-in sessions were last revoked (revokeSignInSessions); absent until then. */
  signInSessionsValidFromDateTime?: string;
  /** `Member`, or `Guest` for an account invited from another tenant. */
  userType: 'Member' | 'Guest';
  /** Guests only: whether the invitation was accepted; null for members. */
  externalUserState: string | null;
  /** `Invitation` for an invited guest; null for an account made in the tenant. */
  creationType: string | null;
  companyName: string | null;
  employeeType: string | null;
  streetAddress: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string | null;
  usageLocation: string | null;
  /** Read only through `$select=signInActivity`, and only in a tenant with a premium licence. */
  signInActivity: Record<string, string | null> | null;
  /** The licences assigned to the user (`$select` only), and the service plans they give. */
  assignedLicenses: { skuId: string; disabledPlans: string[] }[];
  assignedPlans: { assignedDateTime: string; capabilityStatus: string; service: string; servicePlanId: string }[];
  /** Set while the user is in deleted items, null otherwise. */
  deletedDateTime: string | null;
}

/** A group and the ids of its member users. */
export interface GraphGroup {
  id: string;
  displayName: string;
  memberIds: string[];
  /** Groups nested in this one: their members are members of this one, transitively. */
  memberGroupIds?: string[];
  description?: string;
}

/** Everything the Graph sandbox persists. */
export interface GraphState {
  users: GraphUser[];
  /** Soft-deleted users, restorable until permanently deleted. */
  deletedUsers: GraphUser[];
  groups: GraphGroup[];
  /** Exports of system-generated logs; absent in state written before they existed. */
  dataPolicyOperations?: DataPolicyOperation[];
  /** Memberships, roles, devices, authentication methods, licences; absent in state saved before it existed. */
  directory?: DirectoryRecord;
}

/**
 * The Graph state of a freshly seeded tenant: its users, the approvers group holding the approvers,
 * and the compliance officers' group holding the users it names.
 */
export function seedGraphState(tenant: Tenant): GraphState {
  const compliance = tenant.complianceGroup;
  const { profiles, guests, groups, signInActivity, licenses, skus } = tenant.entra;
  const users = [...tenant.users.map(toGraphUser), ...guests.map(toGuestUser)].map((user) => {
    const { userId: _, ...activity } = signInActivity.find((entry) => entry.userId === user.id) ?? { userId: '' };
    const { id: __, ...profile } = profiles.find((entry) => entry.id === user.id) ?? { id: '' };
    const assigned = licenses.filter((licence) => licence.userId === user.id);
    return {
      ...user,
      ...profile,
      signInActivity: Object.keys(activity).length > 0 ? activity : null,
      assignedLicenses: assigned.map(({ skuId }) => ({ skuId, disabledPlans: [] })),
      assignedPlans: assigned.flatMap(({ skuId, assignedDateTime }) => (skus.find((sku) => sku.skuId === skuId)?.servicePlans ?? [])
        .map(({ servicePlanId, service }) => ({ assignedDateTime, capabilityStatus: 'Enabled', service, servicePlanId }))),
    };
  });
  return {
    users,
    deletedUsers: [],
    groups: [
      {
        id: tenant.approverGroup.id,
        displayName: tenant.approverGroup.displayName,
        memberIds: tenant.users.filter((user) => user.approver).map((user) => user.aadObjectId),
      },
      {
        id: compliance.id,
        displayName: compliance.displayName,
        memberIds: tenant.users.filter((user) => compliance.memberUpns.includes(user.upn)).map((user) => user.aadObjectId),
      },
      ...structuredClone(groups),
    ],
    directory: seedDirectoryRecord(tenant),
  };
}

function toGraphUser(user: TenantUser): GraphUser {
  const [givenName, ...surnameParts] = user.displayName.split(' ');
  return {
    id: user.aadObjectId,
    userPrincipalName: user.upn,
    mail: user.email,
    displayName: user.displayName,
    givenName,
    surname: surnameParts.length > 0 ? surnameParts.join(' ') : null,
    jobTitle: user.jobTitle,
    department: user.department,
    officeLocation: user.officeLocation,
    mobilePhone: user.mobilePhone,
    employeeId: user.employeeId ?? null,
    businessPhones: [],
    preferredLanguage: null,
    accountEnabled: true,
    ...memberDefaults(),
    deletedDateTime: null,
  };
}

/** What a seeded member has unless tenant.json says otherwise; the licences are filled in by seedGraphState. */
const memberDefaults = () => ({
  userType: 'Member' as const,
  externalUserState: null,
  creationType: null,
  companyName: null,
  employeeType: null,
  streetAddress: null,
  city: null,
  state: null,
  postalCode: null,
  country: null,
  usageLocation: null,
  signInActivity: null,
  assignedLicenses: [],
  assignedPlans: [],
});

/** A guest invited from another tenant: a `#EXT#` account in this one. */
function toGuestUser(guest: Tenant['entra']['guests'][number]): GraphUser {
  return {
    id: guest.id,
    userPrincipalName: guest.userPrincipalName,
    mail: guest.mail,
    displayName: guest.displayName,
    givenName: null,
    surname: null,
    jobTitle: null,
    department: null,
    officeLocation: null,
    mobilePhone: null,
    employeeId: null,
    businessPhones: [],
    preferredLanguage: null,
    accountEnabled: true,
    ...memberDefaults(),
    userType: 'Guest',
    externalUserState: guest.externalUserState,
    creationType: guest.creationType,
    deletedDateTime: null,
  };
}

/** Finds a user by object id or userPrincipalName, both compared case-insensitively as Graph does. */
export function findUserIndex(users: readonly GraphUser[], idOrUserPrincipalName: string): number {
  const key = idOrUserPrincipalName.toLowerCase();
  return users.findIndex((user) => user.id.toLowerCase() === key || user.userPrincipalName.toLowerCase() === key);
}

/** Finds a group by id, case-insensitively. */
export function findGroup(groups: readonly GraphGroup[], id: string): GraphGroup | undefined {
  const key = id.toLowerCase();
  return groups.find((group) => group.id.toLowerCase() === key);
}
