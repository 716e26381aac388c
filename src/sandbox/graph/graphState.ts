import type { Tenant, TenantUser } from '../tenant';
import type { DataPolicyOperation } from './dataPolicyRoutes';

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
  /** Set while the user is in deleted items, null otherwise. */
  deletedDateTime: string | null;
}

/** A group and the ids of its member users. */
export interface GraphGroup {
  id: string;
  displayName: string;
  memberIds: string[];
}

/** Everything the Graph sandbox persists. */
export interface GraphState {
  users: GraphUser[];
  /** Soft-deleted users, restorable until permanently deleted. */
  deletedUsers: GraphUser[];
  groups: GraphGroup[];
  /** Exports of system-generated logs; absent in state written before they existed. */
  dataPolicyOperations?: DataPolicyOperation[];
}

/**
 * The Graph state of a freshly seeded tenant: its users, the approvers group holding the approvers,
 * and the compliance officers' group holding the users it names.
 */
export function seedGraphState(tenant: Tenant): GraphState {
  const compliance = tenant.complianceGroup;
  return {
    users: tenant.users.map(toGraphUser),
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
    ],
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
