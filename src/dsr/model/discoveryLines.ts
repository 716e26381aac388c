import type { RequestKind } from './types';

/** The parts of an Entra user's record discovery counts besides the profile. */
export type EntraRelation = 'groupMemberships' | 'directoryRoles' | 'managers' | 'directReports' | 'appRoleAssignments' | 'authenticationMethods' | 'licences';

/**
 * One line of what discovery found in a service, as a code and its counts: the cards put it in
 * words (src/cards/stepWords.ts `discoveryText`). Counts only, never personal values.
 */
export type DiscoveryLine =
  | { code: 'entra.userProfile'; guest: boolean }
  | { code: 'entra.related'; relation: EntraRelation; count: number }
  | { code: 'digitalTwins.twins'; count: number }
  | { code: 'digitalTwins.relationships'; count: number }
  /** `assignments`: the role assignments the app users hold. */
  | { code: 'iotCentral.users'; count: number; assignments: number }
  | { code: 'iotCentral.linkedDevices'; count: number; deletedOnErasure: boolean }
  | { code: 'dps.enrollments'; count: number }
  | { code: 'dps.registrations'; count: number }
  | { code: 'iotHub.taggedDevices'; count: number }
  | { code: 'iotHub.dpsDevices'; count: number }
  /** What erasure will do to the devices, for the approvers of an erasure or a restriction. */
  | { code: 'iotHub.erasure'; clearsPersonalData: boolean }
  | { code: 'botStore.earlierRequests'; count: number }
  | { code: 'botStore.thisRequest' }
  | { code: 'botStore.conversations'; count: number }
  | { code: 'botStore.files'; count: number }
  | { code: 'botStore.exportSpaces'; count: number }
  | { code: 'roleAssignments.found'; count: number }
  /** `manual`: those above are left to a manual step. */
  | { code: 'roleAssignments.above'; count: number; manual: boolean }
  | { code: 'systemLogs.export' };

export type DiscoveryLineCode = DiscoveryLine['code'];

/** An Azure role assignment above the bot's scopes: where, and which role. Neither is personal. */
export interface AboveScopeAssignment {
  scope: string;
  roleName: string;
}

/**
 * What an approver does by hand, as a code and the facts its instructions name (hub and app
 * names, scopes, roles, counts; never the subject): the cards put it in words.
 */
export type ManualTask =
  /** `appName`: the IoT Central application's display name, when configured. */
  | { code: 'iotCentral.alertRuleEmails'; appName?: string }
  | { code: 'roleAssignments.aboveScopes'; kind: Extract<RequestKind, 'erase' | 'restrict'>; assignments: AboveScopeAssignment[] }
  /** `ownerTag`: the twin tag DPS copied into the devices, which finds them in the hub. */
  | { code: 'dps.uncoveredHub'; kind: Extract<RequestKind, 'erase' | 'restrict'>; hub: string; devices: number; ownerTag: string };

export type ManualTaskCode = ManualTask['code'];
