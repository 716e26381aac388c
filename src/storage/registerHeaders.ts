import type { RegisterColumn } from '../dsr';
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

/**
 * The register CSV's column titles in the tenant's language (DSR_DEFAULT_LOCALE), for the
 * compliance officer who opens it. English keeps the column identifiers the register always had,
 * which English readers' spreadsheets and scripts already use.
 */
export function registerHeaders(words: Words): Record<RegisterColumn, string> {
  return Object.fromEntries(Object.entries(HEADER_KEYS).map(([column, key]) => [column, words.t(key)])) as Record<RegisterColumn, string>;
}
