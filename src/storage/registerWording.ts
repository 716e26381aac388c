import type { RegisterColumn, RegisterResponse, RegisterWording } from '../dsr';
import { serviceLabel } from '../words/stepWords';
import type { MessageKey, Words } from '../i18n';

/** Each register column's title in the catalog. */
const HEADER_KEYS: Record<RegisterColumn, MessageKey> = {
  request_id: 'package.register.requestId',
  subject_pseudonym: 'package.register.subjectPseudonym',
  received_at: 'package.register.receivedAt',
  kind: 'package.register.kind',
  regime: 'package.register.regime',
  channel: 'package.register.channel',
  filed_by: 'package.register.filedBy',
  identity_verified_by: 'package.register.identityVerifiedBy',
  original_due_at: 'package.register.originalDueAt',
  due_at: 'package.register.dueAt',
  extensions: 'package.register.extensions',
  state: 'package.register.state',
  open: 'package.register.open',
  overdue: 'package.register.overdue',
  responded_at: 'package.register.respondedAt',
  days_to_respond: 'package.register.daysToRespond',
  response: 'package.register.response',
  delivered_to: 'package.register.deliveredTo',
  denial_basis: 'package.register.denialBasis',
  plan_sha256: 'package.register.planSha256',
  delta_rounds: 'package.register.deltaRounds',
  approved_by: 'package.register.approvedBy',
  rejected_by: 'package.register.rejectedBy',
  service_outcomes: 'package.register.serviceOutcomes',
  recipients_told: 'package.register.recipientsTold',
  manual_steps: 'package.register.manualSteps',
  pseudonymised_at: 'package.register.pseudonymisedAt',
};

const RESPONSE_KEYS: Record<RegisterResponse, MessageKey> = {
  accessSent: 'package.registerResponse.accessSent',
  exportSent: 'package.registerResponse.exportSent',
  corrected: 'package.registerResponse.corrected',
  restricted: 'package.registerResponse.restricted',
  erased: 'package.registerResponse.erased',
  erasedRestorable: 'package.registerResponse.erasedRestorable',
  erasedPurged: 'package.registerResponse.erasedPurged',
  erasedAccountRestored: 'package.registerResponse.erasedAccountRestored',
  restrictionLifted: 'package.registerResponse.restrictionLifted',
  denied: 'package.registerResponse.denied',
  withdrawn: 'package.registerResponse.withdrawn',
  retryPending: 'package.registerResponse.retryPending',
  manualStepsPending: 'package.registerResponse.manualStepsPending',
  deltaPending: 'package.registerResponse.deltaPending',
  serviceExportFollows: 'package.registerResponse.serviceExportFollows',
  notAnswered: 'package.registerResponse.notAnswered',
};

/**
 * The register CSV in the tenant's language (DSR_DEFAULT_LOCALE), for the compliance officer who
 * opens it. English keeps the column identifiers the register always had as titles, which English
 * readers' spreadsheets and scripts already use. Dates stay ISO and states, kinds and regimes stay
 * codes in every language: a register is evidence, filtered and scripted.
 */
export function registerWording(words: Words): RegisterWording {
  return {
    headers: Object.fromEntries(Object.entries(HEADER_KEYS).map(([column, key]) => [column, words.t(key)])) as Record<RegisterColumn, string>,
    filedBy: (row) => (row.filedBy === 'subject' ? words.t('package.registerCell.filedBySubject') : words.t('package.registerCell.filedByAdmin', { name: row.filedByName })),
    identityVerifiedBy: (row) =>
      row.identityVerifiedBy === 'teamsSignIn' ? words.t('package.registerCell.verifiedBySignIn') : words.t('package.registerCell.verifiedByAdmin', { name: row.filedByName }),
    response: (row) => words.t(RESPONSE_KEYS[row.response], { purgeOn: row.purgeAt || 'none' }),
    service: (service) => serviceLabel(words, service),
    extension: (e) => words.t('package.registerCell.extension', { at: e.at, name: e.name, newDueAt: e.newDueAt, reason: e.reason }),
    manualStep: (m) => words.t('package.registerCell.manualStep', { step: m.step, outcome: m.outcome, name: m.name, at: m.at }),
  };
}
