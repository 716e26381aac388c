import type { DiscoveryLine, EntraRelation, HubDevices, ManualStepSpec, ManualTask, ServiceFailure, ServiceName, StepSummary } from '../dsr';
import type { MessageKey, Words } from '../i18n';

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

/** The catalog key of each part of an Entra record discovery counts. */
const ENTRA_RELATION_KEYS: Record<EntraRelation, MessageKey> = {
  groupMemberships: 'steps.found.groupMemberships',
  directoryRoles: 'steps.found.directoryRoles',
  managers: 'steps.found.managers',
  directReports: 'steps.found.directReports',
  appRoleAssignments: 'steps.found.appRoleAssignments',
  authenticationMethods: 'steps.found.authenticationMethods',
  licences: 'steps.found.licences',
};

/**
 * One line of what discovery found, in the reader's words. A string is a line stored in English
 * before lines were typed: shown as it was written.
 */
export function discoveryText(words: Words, line: DiscoveryLine | string): string {
  if (typeof line === 'string') return line;
  const t = words.t;
  switch (line.code) {
    case 'entra.userProfile':
      return t(line.guest ? 'steps.found.guestProfile' : 'steps.found.userProfile');
    case 'entra.related':
      return t(ENTRA_RELATION_KEYS[line.relation], { count: line.count });
    case 'digitalTwins.twins':
      return t('steps.found.twins', { count: line.count });
    case 'digitalTwins.relationships':
      return t('steps.found.relationships', { count: line.count });
    case 'iotCentral.users':
      return t('steps.found.iotCentralUsers', { count: line.count, assignments: line.assignments });
    case 'iotCentral.linkedDevices':
      return t(line.deletedOnErasure ? 'steps.found.linkedDevicesDeleted' : 'steps.found.linkedDevicesKept', { count: line.count });
    case 'dps.enrollments':
      return t('steps.found.enrollments', { count: line.count });
    case 'dps.registrations':
      return t('steps.found.registrations', { count: line.count });
    case 'iotHub.taggedDevices':
      return t('steps.found.taggedDevices', { count: line.count });
    case 'iotHub.dpsDevices':
      return t('steps.found.dpsDevices', { count: line.count });
    case 'iotHub.erasure':
      return t(line.clearsPersonalData ? 'steps.found.erasureClears' : 'steps.found.erasureDeletes');
    case 'botStore.earlierRequests':
      return t('steps.found.earlierRequests', { count: line.count });
    case 'botStore.thisRequest':
      return t('steps.found.thisRequest');
    case 'botStore.conversations':
      return t('steps.found.conversations', { count: line.count });
    case 'botStore.files':
      return t('steps.found.files', { count: line.count });
    case 'botStore.exportSpaces':
      return t('steps.found.exportSpaces', { count: line.count });
    case 'roleAssignments.found':
      return t('steps.found.roleAssignments', { count: line.count });
    case 'roleAssignments.above':
      return t(line.manual ? 'steps.found.aboveScopesByHand' : 'steps.found.aboveScopes', { count: line.count });
    case 'systemLogs.export':
      return t('steps.found.systemLogsExport');
  }
}

/** A manual step's title in the reader's words; a step stored before steps were typed keeps its English title. */
export function manualStepTitle(words: Words, spec: ManualStepSpec): string {
  if (!spec.task) return spec.title ?? spec.key;
  const task = spec.task;
  switch (task.code) {
    case 'iotCentral.alertRuleEmails':
      return words.t('steps.manual.alertRulesTitle');
    case 'roleAssignments.aboveScopes':
      return words.t('steps.manual.aboveScopesTitle', { count: task.assignments.length });
    case 'dps.uncoveredHub':
      return words.t(task.kind === 'erase' ? 'steps.manual.uncoveredHubEraseTitle' : 'steps.manual.uncoveredHubDisableTitle', { devices: task.devices, hub: task.hub });
  }
}

/**
 * A manual step's instructions in the reader's words, one line per `\n` (the cards show each line
 * as its own block); a step stored before steps were typed keeps its English instructions.
 */
export function manualStepInstructions(words: Words, spec: ManualStepSpec): string {
  if (!spec.task) return spec.instructions ?? '';
  return instructionLines(words, spec.task).join('\n');
}

function instructionLines(words: Words, task: ManualTask): string[] {
  const t = words.t;
  switch (task.code) {
    case 'iotCentral.alertRuleEmails':
      return [
        task.appName ? t('steps.manual.alertRulesIntroNamed', { appName: task.appName }) : t('steps.manual.alertRulesIntro'),
        t('steps.manual.alertRulesSignIn'),
        t('steps.manual.alertRulesOpenRules'),
        t('steps.manual.alertRulesOpenEach'),
        t('steps.manual.alertRulesEditActions'),
        t('steps.manual.alertRulesSave'),
        t('steps.manual.alertRulesConfirm'),
      ];
    case 'roleAssignments.aboveScopes':
      return [
        t('steps.manual.aboveScopesIntro', { count: task.assignments.length }),
        ...task.assignments.map(({ scope, roleName }) => t('steps.manual.aboveScopesAssignment', { role: roleName, scope })),
        // The command's placeholders, worded apart so that they stay inside the command in every language.
        t('steps.manual.aboveScopesHowTo', {
          assignee: t('steps.manual.commandAssignee'), role: t('steps.manual.commandRole'), scope: t('steps.manual.commandScope'),
        }),
        ...(task.kind === 'restrict' ? [t('steps.manual.aboveScopesRestrictNote')] : []),
        t('steps.manual.aboveScopesConfirm'),
      ];
    case 'dps.uncoveredHub': {
      const values = { devices: task.devices, hub: task.hub, ownerTag: task.ownerTag };
      const [why, howTo] = task.kind === 'erase'
        ? [t('steps.manual.uncoveredHubEraseWhy', values), t('steps.manual.uncoveredHubEraseHowTo', values)]
        : [t('steps.manual.uncoveredHubDisableWhy', values), t('steps.manual.uncoveredHubDisableHowTo', values)];
      // Two sentences of one paragraph, as the step has no list.
      return [`${why} ${howTo}`];
    }
  }
}
