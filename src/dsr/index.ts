/**
 * The domain's public face: what the bot, storage, adapters and tools may use. Nothing outside
 * `src/dsr/` imports any other file of it (test/unit/importRules.test.ts).
 *
 * `model/` holds the request model and its rules (pure functions of a request and a date);
 * `workflow/` the services that move requests through it, over the ports of `ports.ts`.
 */
export { median, RECENT_DAYS, recipientsTold, REGISTER_COLUMNS, REGISTER_RESPONSES, registerCsv, registerJson, registerRow, registerRows, registerSummary } from './model/complianceRegister';
export type { RegisterColumn, RegisterResponse, RegisterRow, RegisterSummary, RegisterWording, Tally } from './model/complianceRegister';
export { calendarDay, calendarDaysLeft, CHART_PERIODS, DashboardFigures, isoWeek, requestSummary, urgencyOf } from './model/dashboardFigures';
export type { DashboardCharts, QueueEntry, QueueFilter, RequestSummary, Urgency, WeekCounts } from './model/dashboardFigures';
export { addCalendarMonths, addDays, daysBetween, displayDay, dueDate, isoDay } from './model/deadlines';
export { approvalsNeeded, approvalsOf, approversToCheck, decide, MAX_REASON_LENGTH } from './model/decisions';
export type { ApprovalRefusal, DecisionInput, DecisionOutcome, DecisionRefusal } from './model/decisions';
export { CCPA_EXTENSION_DAYS, extend, extensionChoice, latestGdprDueAt, originalDueAt } from './model/extensions';
export type { ExtensionInput, ExtensionOutcome, ExtensionRefusal } from './model/extensions';
export { approveFollowUp, followUpApprovalsNeeded, isLiftable, isSoftDeleted, liftAwaitingJob, liftRetryable, restoreRefusal, restrictedItems, servicesToLift } from './model/lifecycleRules';
export type { FollowUpOutcome, LifecycleInput } from './model/lifecycleRules';
export { canConfirmManualSteps, closingEvent, confirmManualStep, manualStepsOf, pendingManualSteps } from './model/manualSteps';
export type { ManualStep, ManualStepRefusal } from './model/manualSteps';
export { EMPTY_ROOT, headLeaf, headsRoot, merkleRoot } from './model/merkle';
export type { ChainHead } from './model/merkle';
export { pendingDelta, planHash, planOf, planSize, shortHash } from './model/plan';
export { checkProfileCorrection, CORRECTABLE_PROFILE_FIELDS, isCorrectableProfileField } from './model/profileCorrections';
export type { CorrectableProfileField, CorrectionProblem, CorrectionRules } from './model/profileCorrections';
export { deliveryRecipient } from './model/deliveryRecipient';
export { daysLeft, REMINDER_DAYS, reminderDue, stageFor, withReminder } from './model/reminders';
export { dueForPseudonymisation, keptRecordHash, retentionEndsAt } from './model/retention';
export { isPseudonym, pseudonymFor, pseudonymised, subjectPseudonym } from './model/pseudonyms';
export { mayRead } from './model/readAccess';
export type { ReaderRole, ReadOutcome, Viewer } from './model/readAccess';
export { formatRequestId, isRequestId } from './model/requestIds';
export type { AboveScopeAssignment, DiscoveryLine, DiscoveryLineCode, EntraRelation, ManualTask, ManualTaskCode } from './model/discoveryLines';
export { describeFailure, errorCode, statusCodeOf } from './model/serviceFailures';
export type { HubDevices, ServiceFailure, StepSummary, StepSummaryCode } from './model/stepSummaries';
export { canTake, isOpen, nextState, TransitionRefused } from './model/stateMachine';
export type { RequestEvent } from './model/stateMachine';
export { PACKAGE_FOLDERS, REGIMES, REQUEST_KINDS, REQUEST_STATES, SERVICE_NAMES } from './model/types';
export type { Actor, DeltaRound, DiscoveryResult, DsrRequest, ItemOutcome, ItemResult, ManualStepOutcome, ManualStepSpec, NoticeOutbox, Plan, PlanItem, PostedCard, Regime, ReminderStage, RequestKind, RequestState, ServiceExport, ServiceExportStatus, ServiceName, StepOutcome, Subject } from './model/types';
export { AccountLifecycle } from './workflow/accountLifecycle';
export type { LifecycleDone, LifecycleFailure, LifecycleOutcome } from './workflow/accountLifecycle';
export { Executor, LeaseHeld } from './workflow/executor';
export type { ManualStepConfirmation, RetryOutcome, RetryRefusal } from './workflow/executor';
export { JobDispatch } from './workflow/jobDispatch';
export { hasPendingNotices, NoticeSender, type SentNotices, withNotice } from './workflow/noticeOutbox';
export { ReminderSweep } from './workflow/reminderSweep';
export { RequestService } from './workflow/requestService';
export type { ActionOutcome, CancelOutcome, DecideOutcome, ExtendOutcome, RequestDone, RequestRefusal, SubjectBeingRead } from './workflow/requestService';
export { updateRequest } from './workflow/requestUpdates';
export { RestrictionLifter } from './workflow/restrictionLifter';
export { RetentionSweep } from './workflow/retentionSweep';
export { ServiceExports } from './workflow/serviceExports';
export { ConcurrencyConflict, isLongRunningExport, PackageStoreError, RawBytes, ServiceError, StreamedArray, streamedArray, systemClock } from './ports';
export type { AdapterCallContext, ApproverDirectory, ApproverStanding, AuditAnchor, AuditEvent, AuditHead, AuditHeads, AuditLog, Clock, ExclusiveLock, ExportFile, ExportStore, Job, JobLine, JobQueue, Logger, LongRunningExport, NewRequest, NoticeOptions, NoticeOutcome, Notifier, OwnTraces, PackageWriter, PeopleDirectory, PersonValues, RecordsStore, RequestNotice, RequestStore, ServiceAdapter, ServiceExportCheck, ServiceExportSpace, StepReport, StoredRequest } from './ports';
