import type { HubDevices, ServiceFailure, ServiceName, StepSummary } from '../dsr';
import type { Words } from '../i18n';

/** A service's name as the reader's language says it (product names stay as Microsoft writes them). */
export function serviceLabel(words: Words, service: ServiceName): string {
  return words.t(`steps.service.${service}`);
}

/**
 * What a step did, in the reader's words. A string is a summary stored in English before
 * summaries were typed: shown as it was written.
 */
export function stepSummaryText(words: Words, summary: StepSummary | string): string {
  if (typeof summary === 'string') return summary;
  return clauses(words, summaryClauses(words, summary));
}

/** Why a step or a search failed: service, status and code. A string is a failure stored before failures were typed. */
export function failureText(words: Words, failure: ServiceFailure | string): string {
  if (typeof failure === 'string') return failure;
  const service = serviceLabel(words, failure.service);
  switch (failure.kind) {
    case 'status':
      return failure.code
        ? words.t('steps.failure.statusWithCode', { service, status: failure.status ?? 0, code: failure.code })
        : words.t('steps.failure.status', { service, status: failure.status ?? 0 });
    case 'timeout':
      return words.t('steps.failure.timeout', { service });
    case 'unexpected':
      return words.t('steps.failure.unexpected', { service, code: failure.code ?? 'error' });
  }
}

/** Independent statements of one summary, each a whole message, read one after the other. */
function clauses(words: Words, parts: readonly string[]): string {
  return parts.join(words.t('steps.step.clauseSeparator'));
}

function summaryClauses(words: Words, summary: StepSummary): string[] {
  const t = words.t;
  switch (summary.code) {
    case 'step.filesExported':
      return [t('steps.step.filesExported', { files: summary.files })];
    case 'step.nothingToDo':
      return [t('steps.step.nothingToDo', { kind: summary.kind })];
    case 'step.failed':
      return [t('steps.step.failed')];
    case 'step.nothingToPutBack':
      return [t('steps.step.nothingToPutBack')];
    case 'serviceExport.alreadyRequested':
      return [t('steps.serviceExport.alreadyRequested')];
    case 'serviceExport.answerLost':
      return [t('steps.serviceExport.answerLost')];
    case 'serviceExport.notRequested':
      return [t('steps.serviceExport.notRequested')];
    case 'serviceExport.requested':
      return [t('steps.serviceExport.requested')];
    // Graph's own property names (jobTitle, department): identifiers, listed as they are.
    case 'entra.corrected':
      return [t('steps.entra.corrected', { fields: summary.fields.join(', ') })];
    case 'entra.noFieldToCorrect':
      return [t('steps.entra.noFieldToCorrect')];
    case 'entra.restricted':
      return [t('steps.entra.restricted')];
    case 'entra.signInAllowed':
      return [t('steps.entra.signInAllowed')];
    case 'entra.noLongerThere':
      return [t('steps.entra.noLongerThere')];
    case 'entra.alreadyDeleted':
      return [t('steps.entra.alreadyDeleted')];
    case 'entra.restored':
      return [t('steps.entra.restored')];
    case 'entra.softDeleted':
      return [
        summary.alreadyGone ? t('steps.entra.alreadyDeleted') : t('steps.entra.softDeleted', { graceDays: summary.graceDays }),
        ...(summary.guest ? [t('steps.entra.guestNote')] : []),
      ];
    case 'entra.purged':
      return [t('steps.entra.purged')];
    case 'entra.noAccountInPlan':
      return [t('steps.entra.noAccountInPlan')];
    case 'digitalTwins.deleted':
      return [t('steps.digitalTwins.deleted', { twins: summary.twins, relationships: summary.relationships })];
    case 'digitalTwins.linkedByObjectId':
      return [t('steps.digitalTwins.linkedByObjectId')];
    case 'digitalTwins.noCorrection':
      return [t('steps.digitalTwins.noCorrection')];
    case 'digitalTwins.corrected':
      return [t('steps.digitalTwins.corrected', { twins: summary.twins })];
    case 'iotCentral.erased':
      return [
        summary.users > 0 ? t('steps.iotCentral.usersDeleted', { users: summary.users }) : t('steps.iotCentral.noUserFound'),
        ...(summary.devices > 0 ? [t(summary.devicesDeleted ? 'steps.iotCentral.devicesDeleted' : 'steps.iotCentral.devicesCleared', { devices: summary.devices })] : []),
        ...(summary.alertRulesLeft ? [t('steps.iotCentral.alertRulesLeft')] : []),
      ];
    case 'dps.removed':
      return [
        t(summary.planned ? 'steps.dps.removedPlanned' : 'steps.dps.removed', { enrollments: summary.enrollments, registrations: summary.registrations }),
        ...hubClauses(words, summary.uncoveredHubs, 'steps.dps.hubLeft'),
        t('steps.dps.groupsKept'),
      ];
    case 'dps.disabled':
      return [
        t(summary.planned ? 'steps.dps.disabledPlanned' : 'steps.dps.disabled', { enrollments: summary.enrollments }),
        ...hubClauses(words, summary.uncoveredHubs, 'steps.dps.hubStillProvisioned'),
      ];
    case 'dps.enabled':
      return [t('steps.dps.enabled', { enrollments: summary.enrollments })];
    case 'iotHub.deleted':
      return [summary.planned ? t('steps.iotHub.deletedPlanned', { devices: summary.devices }) : t('steps.iotHub.deleted', { devices: summary.devices, absent: summary.absent })];
    case 'iotHub.cleared':
      return [summary.planned ? t('steps.iotHub.clearedPlanned', { devices: summary.devices }) : t('steps.iotHub.cleared', { devices: summary.devices, absent: summary.absent })];
    case 'botStore.erased':
      return [t('steps.botStore.erased', { records: summary.records, conversations: summary.conversations, files: summary.files, exportSpaces: summary.exportSpaces })];
    case 'roleAssignments.deleted':
      return [t('steps.roleAssignments.deleted', { assignments: summary.assignments })];
    case 'roleAssignments.putBack':
      return [t('steps.roleAssignments.putBack', { assignments: summary.assignments })];
    case 'systemLogs.expungedWithAccount':
      return [t('steps.systemLogs.expungedWithAccount')];
  }
}

/** One clause per IoT hub the bot does not reach, with the subject's devices still there. */
function hubClauses(words: Words, hubs: readonly HubDevices[], key: 'steps.dps.hubLeft' | 'steps.dps.hubStillProvisioned'): string[] {
  return hubs.map(({ hub, devices }) => words.t(key, { hub, devices }));
}
