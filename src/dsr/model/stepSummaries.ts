import type { RequestKind, ServiceName } from './types';

/** Devices of the subject in one IoT hub the bot does not reach (hub host names are not personal). */
export interface HubDevices {
  hub: string;
  devices: number;
}

/**
 * What one service step did, as a code and its counts: the cards put it in words (src/cards/stepWords.ts).
 * `planned`: the step was bound to the approved plan, so its counts are of planned items.
 */
export type StepSummary =
  // The executor's and the restriction lifter's own outcomes.
  | { code: 'step.filesExported'; files: number }
  | { code: 'step.nothingToDo'; kind: RequestKind }
  | { code: 'step.failed' }
  | { code: 'step.nothingToPutBack' }
  // The long-running export of system-generated logs.
  | { code: 'serviceExport.alreadyRequested' }
  | { code: 'serviceExport.answerLost' }
  | { code: 'serviceExport.notRequested' }
  | { code: 'serviceExport.requested' }
  | { code: 'entra.corrected'; fields: string[] }
  | { code: 'entra.noFieldToCorrect' }
  | { code: 'entra.restricted' }
  | { code: 'entra.signInAllowed' }
  | { code: 'entra.noLongerThere' }
  | { code: 'entra.alreadyDeleted' }
  | { code: 'entra.restored' }
  | { code: 'entra.softDeleted'; graceDays: number; alreadyGone: boolean; guest: boolean }
  | { code: 'entra.purged' }
  | { code: 'entra.noAccountInPlan' }
  | { code: 'digitalTwins.deleted'; twins: number; relationships: number }
  | { code: 'digitalTwins.linkedByObjectId' }
  | { code: 'digitalTwins.noCorrection' }
  | { code: 'digitalTwins.corrected'; twins: number }
  | { code: 'iotCentral.erased'; users: number; devices: number; devicesDeleted: boolean; alertRulesLeft: boolean }
  | { code: 'dps.removed'; enrollments: number; registrations: number; planned: boolean; uncoveredHubs: HubDevices[] }
  | { code: 'dps.disabled'; enrollments: number; planned: boolean; uncoveredHubs: HubDevices[] }
  | { code: 'dps.enabled'; enrollments: number }
  | { code: 'iotHub.deleted'; devices: number; absent: number; planned: boolean }
  | { code: 'iotHub.cleared'; devices: number; absent: number; planned: boolean }
  | { code: 'botStore.erased'; records: number; conversations: number; files: number; exportSpaces: number }
  | { code: 'roleAssignments.deleted'; assignments: number }
  | { code: 'roleAssignments.putBack'; assignments: number }
  | { code: 'systemLogs.expungedWithAccount' };

export type StepSummaryCode = StepSummary['code'];

/**
 * A failed call as approvers see it: service, HTTP status and error code, never the service's own
 * text (it may quote personal values). `unexpected` always names a code (the error's name at least).
 */
export interface ServiceFailure {
  service: ServiceName;
  kind: 'status' | 'timeout' | 'unexpected';
  status?: number;
  code?: string;
}
