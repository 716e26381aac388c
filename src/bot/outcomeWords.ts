import type { CancelOutcome, DecideOutcome, DecisionRefusal, ExtendOutcome, ExtensionRefusal, LifecycleOutcome, ManualStepConfirmation, RequestDone, RequestRefusal, RequestState, RetryOutcome } from '../dsr';
import { MessageKey, MessageValues, Words } from '../i18n';
import type { InputProblem } from './cardInputs';

/**
 * The words for every outcome the domain answers an action with: one catalog key per code, in
 * tables the compiler checks are complete, and the outcome's facts as the message's values.
 */

const STATES: Record<RequestState, MessageKey> = {
  submitted: 'outcomes.state.submitted',
  discovering: 'outcomes.state.discovering',
  awaiting_approval: 'outcomes.state.awaitingApproval',
  needs_info: 'outcomes.state.needsInfo',
  approved: 'outcomes.state.approved',
  executing: 'outcomes.state.executing',
  awaiting_manual_steps: 'outcomes.state.awaitingManualSteps',
  awaiting_delta_approval: 'outcomes.state.awaitingDeltaApproval',
  awaiting_service_export: 'outcomes.state.awaitingServiceExport',
  completed: 'outcomes.state.completed',
  failed_partially: 'outcomes.state.failedPartially',
  soft_deleted: 'outcomes.state.softDeleted',
  purged: 'outcomes.state.purged',
  account_restored: 'outcomes.state.accountRestored',
  restriction_lifted: 'outcomes.state.restrictionLifted',
  rejected: 'outcomes.state.rejected',
  cancelled: 'outcomes.state.cancelled',
};

const REQUEST_REFUSALS: Record<RequestRefusal['code'], MessageKey> = {
  unknownRequest: 'outcomes.request.unknownRequest',
  notYours: 'outcomes.request.notYours',
  notCancellable: 'outcomes.request.notCancellable',
  busy: 'outcomes.request.busy',
};

const REQUEST_DONE: Record<RequestDone['code'], MessageKey> = {
  approved: 'outcomes.done.approved',
  deltaApproved: 'outcomes.done.deltaApproved',
  deltaRejected: 'outcomes.done.deltaRejected',
  rejected: 'outcomes.done.rejected',
  approvalRecorded: 'outcomes.done.approvalRecorded',
  cancelled: 'outcomes.done.cancelled',
  extended: 'outcomes.done.extended',
};

const DECISION_REFUSALS: Record<DecisionRefusal['code'], MessageKey> = {
  notApprover: 'outcomes.decide.notApprover',
  aboutThemselves: 'outcomes.decide.aboutThemselves',
  filedByThem: 'outcomes.decide.filedByThem',
  alreadyDecided: 'outcomes.decide.alreadyDecided',
  planChanged: 'outcomes.decide.planChanged',
  reasonMissing: 'outcomes.decide.reasonMissing',
  reasonTooLong: 'outcomes.reason.tooLong',
  alreadyApproved: 'outcomes.decide.alreadyApproved',
  approverWithoutPersonKey: 'outcomes.decide.approverWithoutPersonKey',
  samePersonApproved: 'outcomes.decide.samePersonApproved',
};

const EXTENSION_REFUSALS: Record<ExtensionRefusal['code'], MessageKey> = {
  notApprover: 'outcomes.extend.notApprover',
  aboutThemselves: 'outcomes.extend.aboutThemselves',
  filedByThem: 'outcomes.extend.filedByThem',
  notOpen: 'outcomes.extend.notOpen',
  reasonMissing: 'outcomes.extend.reasonMissing',
  reasonTooLong: 'outcomes.reason.tooLong',
  ccpaExtendedAlready: 'outcomes.extend.ccpaExtendedAlready',
  monthsOutOfRange: 'outcomes.extend.monthsOutOfRange',
  gdprLimitReached: 'outcomes.extend.gdprLimitReached',
  extensionPeriodOver: 'outcomes.extend.extensionPeriodOver',
};

const MANUAL_STEP_OUTCOMES: Record<ManualStepConfirmation['code'], MessageKey> = {
  notApprover: 'outcomes.manualStep.notApprover',
  ownRequest: 'outcomes.manualStep.ownRequest',
  unknownStep: 'outcomes.manualStep.unknownStep',
  alreadyConfirmed: 'outcomes.manualStep.alreadyConfirmed',
  notYetApproved: 'outcomes.manualStep.notYetApproved',
  nothingLeft: 'outcomes.manualStep.nothingLeft',
  unknownRequest: 'outcomes.request.unknownRequest',
  stepConfirmed: 'outcomes.manualStep.confirmed',
  stepConfirmedAndComplete: 'outcomes.manualStep.confirmedAndComplete',
};

const RETRY_OUTCOMES: Record<RetryOutcome['code'], MessageKey> = {
  notApprover: 'outcomes.retry.notApprover',
  ownRequest: 'outcomes.retry.ownRequest',
  nothingToRetry: 'outcomes.retry.nothingToRetry',
  noExportToRetry: 'outcomes.retry.noExportToRetry',
  retrying: 'outcomes.retry.retrying',
  exportAskedAgain: 'outcomes.retry.exportAskedAgain',
};

const LIFECYCLE_OUTCOMES: Record<LifecycleOutcome['code'], MessageKey> = {
  notApprover: 'outcomes.lifecycle.notApprover',
  aboutThemselves: 'outcomes.lifecycle.aboutThemselves',
  filedByThem: 'outcomes.lifecycle.filedByThem',
  notSoftDeleted: 'outcomes.lifecycle.notSoftDeleted',
  notRestricted: 'outcomes.lifecycle.notRestricted',
  alreadyApproved: 'outcomes.lifecycle.alreadyApproved',
  liftUnderway: 'outcomes.lifecycle.liftUnderway',
  approverWithoutPersonKey: 'outcomes.lifecycle.approverWithoutPersonKey',
  samePersonApproved: 'outcomes.lifecycle.samePersonApproved',
  unknownRequest: 'outcomes.lifecycle.unknownRequest',
  notInDeletedItems: 'outcomes.lifecycle.notInDeletedItems',
  restoreFailed: 'outcomes.lifecycle.restoreFailed',
  busy: 'outcomes.lifecycle.busy',
  restored: 'outcomes.lifecycle.restored',
  approvalRecorded: 'outcomes.lifecycle.approvalRecorded',
  purgeStarted: 'outcomes.lifecycle.purgeStarted',
  liftStarted: 'outcomes.lifecycle.liftStarted',
  liftRetried: 'outcomes.lifecycle.liftRetried',
};

const INPUT_PROBLEMS: Record<InputProblem['code'], MessageKey> = {
  kindMissing: 'chat.input.kindMissing',
  unknownRequestId: 'chat.input.unknownRequestId',
  unknownPlan: 'chat.input.unknownPlan',
  unknownManualStep: 'chat.input.unknownManualStep',
  unknownPerson: 'chat.input.unknownPerson',
  notAnAddress: 'chat.input.notAnAddress',
  reasonTooLong: 'chat.input.reasonTooLong',
  extendMonths: 'chat.input.extendMonths',
  regimeMissing: 'chat.input.regimeMissing',
  noService: 'chat.input.noService',
  unknownService: 'chat.input.unknownService',
  valueTooLong: 'chat.input.valueTooLong',
  unknownField: 'chat.correction.unknownField',
  empty: 'chat.correction.empty',
  tooLong: 'chat.correction.tooLong',
  notAPhoneNumber: 'chat.correction.notAPhoneNumber',
  notACountryCode: 'chat.correction.notACountryCode',
  notALanguageTag: 'chat.correction.notALanguageTag',
  notAnEmailAddress: 'chat.correction.notAnEmailAddress',
  domainNotAllowed: 'chat.correction.domainNotAllowed',
};

/** Every table, for the test that each key exists in the catalog. */
export const OUTCOME_KEYS = { STATES, REQUEST_REFUSALS, REQUEST_DONE, DECISION_REFUSALS, EXTENSION_REFUSALS, MANUAL_STEP_OUTCOMES, RETRY_OUTCOMES, LIFECYCLE_OUTCOMES, INPUT_PROBLEMS };

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * An outcome's facts as message values: a state in words, an ISO day as the locale's date (read
 * at noon UTC, so no time zone moves it to another day), numbers and names as they are.
 */
function factsOf(words: Words, outcome: object): MessageValues {
  const values: MessageValues = {};
  for (const [name, value] of Object.entries(outcome)) {
    if (name === 'result' || name === 'code' || name === 'request') continue;
    if (name === 'state' && typeof value === 'string') values.state = words.t(STATES[value as RequestState]);
    else if (typeof value === 'string') values[name] = ISO_DAY.test(value) ? words.day(`${value}T12:00:00Z`) : value;
    else if (typeof value === 'number') values[name] = value;
  }
  return values;
}

const say = <C extends string>(words: Words, keys: Record<C, MessageKey>, outcome: { code: C }, extra: MessageValues = {}) =>
  words.t(keys[outcome.code], { ...factsOf(words, outcome), ...extra });

/** A state's name, as the replies put it. */
export const stateWord = (words: Words, state: RequestState) => words.t(STATES[state]);

export function decisionWords(words: Words, outcome: DecideOutcome): string {
  if (outcome.result === 'done') return say(words, REQUEST_DONE, outcome);
  return outcome.code in REQUEST_REFUSALS ? say(words, REQUEST_REFUSALS, outcome as RequestRefusal) : say(words, DECISION_REFUSALS, outcome as DecisionRefusal);
}

export function extensionWords(words: Words, outcome: ExtendOutcome): string {
  if (outcome.result === 'done') return say(words, REQUEST_DONE, outcome);
  return outcome.code in REQUEST_REFUSALS ? say(words, REQUEST_REFUSALS, outcome as RequestRefusal) : say(words, EXTENSION_REFUSALS, outcome as ExtensionRefusal);
}

export function cancelWords(words: Words, outcome: CancelOutcome): string {
  return outcome.result === 'done' ? say(words, REQUEST_DONE, outcome) : say(words, REQUEST_REFUSALS, outcome);
}

export const manualStepWords = (words: Words, outcome: ManualStepConfirmation) => say(words, MANUAL_STEP_OUTCOMES, outcome);

export const retryWords = (words: Words, outcome: RetryOutcome) => say(words, RETRY_OUTCOMES, outcome);

/** What restore, purge now and lift answer the approver who clicked. */
export function lifecycleWords(words: Words, outcome: LifecycleOutcome): string {
  return say(words, LIFECYCLE_OUTCOMES, outcome, outcome.request ? { requestId: outcome.request.id } : {});
}

/** What is wrong with an input; allowed sign-in domains read `@a or @b` in the person's language. */
export function inputWords(words: Words, problem: InputProblem): string {
  const extra: MessageValues = 'domains' in problem ? { domains: new Intl.ListFormat(words.locale, { type: 'disjunction' }).format(problem.domains.map((d) => `@${d}`)) } : {};
  return say(words, INPUT_PROBLEMS, problem, extra);
}
