/** The words of DESIGN.md as types. Plain data: no Teams, no Azure. */
import type { DiscoveryLine, ManualTask } from './discoveryLines';
import type { ServiceFailure, StepSummary } from './stepSummaries';

export const REQUEST_KINDS = ['access', 'export', 'rectify', 'restrict', 'erase'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const REGIMES = ['GDPR', 'CCPA'] as const;
export type Regime = (typeof REGIMES)[number];

export const REQUEST_STATES = [
  'submitted',
  'discovering',
  'awaiting_approval',
  'needs_info',
  'approved',
  'executing',
  'awaiting_manual_steps',
  'awaiting_delta_approval',
  /** The first package is delivered; a service's own export (days long) is still running. */
  'awaiting_service_export',
  'completed',
  'failed_partially',
  'soft_deleted',
  'purged',
  /** An erasure whose soft-deleted Entra account an approver restored before the purge. */
  'account_restored',
  /** A restriction two approvers lifted: what it changed was put back. */
  'restriction_lifted',
  'rejected',
  'cancelled',
] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/** Services a request can reach; each has one adapter. */
export const SERVICE_NAMES = ['entra', 'digitalTwins', 'iotCentral', 'dps', 'iotHub', 'botStore', 'roleAssignments', 'systemLogs'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Each service's folder in the export package. */
export const PACKAGE_FOLDERS: Record<ServiceName, string> = {
  entra: 'entra',
  digitalTwins: 'digital-twins',
  iotCentral: 'iot-central',
  dps: 'dps',
  iotHub: 'iot-hub',
  botStore: 'dsr-bot',
  roleAssignments: 'azure-role-assignments',
  systemLogs: 'system-logs',
};

/** The person a request is about, as Entra knows them. */
export interface Subject {
  aadObjectId: string;
  upn: string;
  email: string;
  displayName: string;
  /** Entra's `preferredLanguage` (`de-DE`), where set: their language when Teams has not said it. */
  preferredLanguage?: string;
}

/** Someone acting in Teams: identity always from the authenticated activity. */
export interface Actor {
  aadObjectId: string;
  displayName: string;
  /** The language tag their Teams client reported (`de-DE`): for the words they read, never for a decision. */
  locale?: string;
}

/**
 * Work a person has to do by hand because the service has no API for it. Shown to approvers,
 * so the words name no person: "the subject's e-mail address", never the address.
 */
export interface ManualStepSpec {
  /** Stable within a request, e.g. `iotCentral.alertRuleEmails`. */
  key: string;
  /** What to do, as a code and its facts; absent in records stored before steps were typed. */
  task?: ManualTask;
  /** English words of records stored before steps were typed: shown as stored. */
  title?: string;
  instructions?: string;
}

export type ManualStepOutcome = 'done' | 'not_applicable';

/** Who confirmed a manual step, how and when. */
export interface ManualStepRecord {
  outcome: ManualStepOutcome;
  by: Actor;
  at: string;
}

/**
 * One thing in a service that a change would touch, as discovery found it: what it is, its id
 * there, and why it matched. Ids only, never values: shown to approvers, stored with the request,
 * never written to a log, an audit entry or a channel.
 */
export interface PlanItem {
  /** What the id names in its service: `user`, `twin`, `relationship`, `device`, `enrollment`, `registration`, `request`… */
  type: string;
  /**
   * The id the service knows it by, enough to act on it alone (a relationship is
   * `sourceTwinId/relationshipId`, since Digital Twins deletes it through its source twin).
   */
  id: string;
  /** Why it matched, as a code the catalog words: `property:ownerEmail`, `tag:owner`, `dpsRegistration`, `account`… */
  reason: string;
}

/** What a change did to one planned item, or found in its place. */
export type ItemResult = 'removed' | 'changed' | 'kept' | 'alreadyGone';

export interface ItemOutcome {
  type: string;
  id: string;
  result: ItemResult;
  /**
   * restrict only: ids (never values) that lifting the restriction needs to put a removed item
   * back, e.g. an Azure role assignment's role definition and principal type.
   */
  putBack?: Record<string, string>;
}

/** What a change may touch, per service: the part of discovery approvers approve. */
export type Plan = Partial<Record<ServiceName, PlanItem[]>>;

/**
 * Items that matched the subject at execution but were not in the approved plan: left alone,
 * put before approvers with the same rules as the plan, and touched only once they approve.
 */
export interface DeltaRound {
  plan: Plan;
  /** The hash of `plan` (plan.ts): what the decisions on this round bind to. */
  planHash: string;
  foundAt: string;
  decisions: Decision[];
  /** Unset while approvers decide. */
  outcome?: 'approved' | 'rejected';
  /**
   * Approved only: the outcomes of the services the round reruns, as they stood before, so the
   * rerun's outcome can be merged with them (plan.ts, mergeStepOutcomes).
   */
  stepsBefore?: Partial<Record<ServiceName, StepOutcome>>;
}

/**
 * One run at a time: the worker executing a request holds it until `expiresAt`, renewing it while
 * it works. Written with the request's ETag, so two workers cannot both take it.
 */
export interface RunLease {
  owner: string;
  expiresAt: string;
}

/** What discovery found in one service: counts and ids, never values. */
export interface DiscoveryResult {
  count: number;
  /** What a change would touch, item by item: the service's part of the request's plan. */
  plan?: PlanItem[];
  /** What was found, line by line; a string is a line stored in English before lines were typed. */
  items: (DiscoveryLine | string)[];
  /** Steps an approver has to carry out and confirm before the request can complete. */
  manualSteps?: ManualStepSpec[];
  /** Why the service could not be searched; a string in records stored before failures were typed. */
  error?: ServiceFailure | string;
}

export type StepStatus = 'done' | 'failed' | 'skipped';

/** What execution did in one service. */
export interface StepOutcome {
  status: StepStatus;
  /** What was exported, corrected or removed, as a code and counts; English words in records stored before summaries were typed. */
  summary: StepSummary | string;
  count: number;
  at: string;
  /** Why the step failed; a string in records stored before failures were typed. */
  error?: ServiceFailure | string;
  attempts: number;
  /** Soft-deleted only: the purge after the grace period is still to come. */
  awaitsPurge?: boolean;
  /** Per planned item: removed, changed, kept, or already gone before execution. */
  items?: ItemOutcome[];
  /** What matched the subject at execution but was not in the approved plan: left alone. */
  delta?: PlanItem[];
}

export interface Decision {
  by: Actor;
  decision: 'approve' | 'reject';
  reason?: string;
  at: string;
  /** The plan (or delta round) the approver was shown and decided on. */
  planHash?: string;
}

/** Where a card was posted, so it can be replaced in place later. */
export interface PostedCard {
  conversationKey: string;
  activityId: string;
}

/** Who got a request's export link or receipt: its subject, or the privacy admin who filed it for them. */
export type DeliveryRecipient = 'subject' | 'requester';

export interface Delivery {
  blobName: string;
  sha256: string;
  bytes: number;
  writtenAt: string;
}

/**
 * A deadline extension (GDPR Art. 12(3), CCPA 11 CCR §7021(b)): who extended, when, why (told to
 * the requester) and from which due date to which. `months` for GDPR, `days` for CCPA.
 */
export interface Extension {
  by: Actor;
  at: string;
  reason: string;
  previousDueAt: string;
  newDueAt: string;
  months?: number;
  days?: number;
}

/** How close to its due date a request is when approvers or compliance are reminded of it. */
export const REMINDER_STAGES = ['dueIn7Days', 'dueIn1Day', 'overdue'] as const;
export type ReminderStage = (typeof REMINDER_STAGES)[number];

/** A reminder claimed for one due date: written before it is posted, so it is posted at most once. */
export interface ReminderRecord {
  stage: ReminderStage;
  dueAt: string;
  at: string;
}

/**
 * Lifting a restriction: the approvals, then each service's putting back of what its restrict step
 * changed. A service whose lift step is done is not run again when a failed lift is retried.
 */
export interface RestrictionLift {
  approvals: Decision[];
  /** When the last approval needed was given: the lift job runs from then on. */
  approvedAt?: string;
  steps: Partial<Record<ServiceName, StepOutcome>>;
}

/** Where a service's own export stands, as the service reports it; `requested`: asked for, answer not recorded. */
export const SERVICE_EXPORT_STATUSES = ['requested', 'notStarted', 'running', 'complete', 'failed', 'unknown'] as const;
export type ServiceExportStatus = (typeof SERVICE_EXPORT_STATUSES)[number];

/**
 * A service's own export of the subject's data, which runs for days (Entra's system-generated
 * logs): started at execution into a place the bot owns, polled, then delivered as a second package.
 * `unknown`: the bot crashed after asking for it and before recording the answer, so whether the
 * service started it cannot be told; only an approver's Retry starts another.
 */
export interface ServiceExport {
  service: ServiceName;
  status: ServiceExportStatus;
  /** When the (latest) start was asked for: written before the call, so a crash never asks twice. */
  requestedAt: string;
  /** How many times it was started (Retry starts it again). */
  starts: number;
  /** The service's address of the running export (Graph's `Location`): no personal data. */
  operation?: string;
  /** 0..100, as the service last reported it. */
  progress?: number;
  lastPolledAt?: string;
  /** No poll before this: the service's Retry-After, and at least the configured interval. */
  nextPollAt?: string;
  /** The due date approvers were last warned about (failed, or still running near it). */
  warnedFor?: string;
  /** The second package, once written. */
  delivery?: Delivery;
}

/** Moments in a request's life that people are told about. */
export type RequestNotice =
  | 'opened'
  | 'awaitingApproval'
  | 'approvalRecorded'
  | 'approved'
  | 'rejected'
  | 'cancelled'
  | 'progress'
  | 'completed'
  | 'failed'
  | 'manualStepsPending'
  /** Execution found items beyond the approved plan: the latest of `deltas` waits for approvers. */
  | 'deltaAwaitingApproval'
  | 'purged'
  /** An approver restored the soft-deleted Entra account: `restored` says who and when. */
  | 'accountRestored'
  /** An approval of purging at once (`purgeNow`) or of lifting the restriction (`lift`) was recorded; more are needed. */
  | 'followUpApprovalRecorded'
  /** Every service put back what the restriction changed. */
  | 'restrictionLifted'
  /** Lifting the restriction failed in some service: approvers can retry it. */
  | 'liftFailed'
  /** The due date was extended: the latest of `extensions`. */
  | 'extended'
  /** A reminder or escalation was claimed: the latest of `reminders`. */
  | 'reminder'
  /** The first package is delivered; a service's own export (`serviceExport`) follows. */
  | 'awaitingServiceExport'
  /** A service's own export is delivered as a second package (`serviceExport.delivery`); the request is complete. */
  | 'serviceExportDelivered'
  /** A service's own export failed, lost its start, or still runs near the due date: approvers may extend or retry. */
  | 'serviceExportNeedsApprovers';

/**
 * Notices a change decided, written with it and sent by the request's next job, so the click that
 * made the change is answered first and a crash in between loses none (src/dsr/workflow/noticeOutbox.ts).
 * `sendingSince`: a worker took them, or the change held them for the job it enqueued (`heldFor`,
 * the job's `hold`); another takes them over only once that is stale.
 */
export interface NoticeOutbox {
  notices: RequestNotice[];
  sendingSince?: string;
  heldFor?: string;
}

export interface DsrRequest {
  id: string;
  kind: RequestKind;
  regime: Regime;
  state: RequestState;
  subject: Subject;
  requester: Actor;
  /** How the request was made, for the register (CCPA §7101). */
  channel: 'teams-chat';
  services: ServiceName[];
  /** rectify only: Entra property name → corrected value. */
  corrections?: Record<string, string>;
  receivedAt: string;
  /** The due date now: the regime's deadline from receipt, moved by any extensions. */
  dueAt: string;
  /** Deadline extensions, oldest first. */
  extensions?: Extension[];
  /** Reminders and escalations already claimed, oldest first. */
  reminders?: ReminderRecord[];
  discovery: Partial<Record<ServiceName, DiscoveryResult>>;
  /** SHA-256 of the plan discovery produced (plan.ts): approvals bind to it. */
  planHash?: string;
  decisions: Decision[];
  /** Items found at execution beyond the plan, a round per run that found some, oldest first. */
  deltas?: DeltaRound[];
  /** Held by the worker running the request. */
  lease?: RunLease;
  steps: Partial<Record<ServiceName, StepOutcome>>;
  /** Confirmations of the manual steps discovery listed, by step key. */
  manualSteps?: Record<string, ManualStepRecord>;
  /** `deltaRound`: the delta round the approval card was posted for, when it was. */
  cards: { approval?: PostedCard; status?: PostedCard; deltaRound?: number };
  outbox?: NoticeOutbox;
  delivery?: Delivery;
  /** access/export: a service's own long-running export, delivered after the first package. */
  serviceExport?: ServiceExport;
  /** Whose 1:1 chat the export link or receipt went to (src/dsr/model/deliveryRecipient.ts, deliveryRecipient). */
  deliveredTo?: DeliveryRecipient;
  purgeAt?: string;
  /** soft_deleted: approvals of purging at once instead of at `purgeAt` (src/dsr/model/lifecycleRules.ts). */
  purgeNow?: Decision[];
  /** account_restored: who restored the Entra account, and when. */
  restored?: { by: Actor; at: string };
  /** A completed restriction being lifted, or lifted (src/dsr/workflow/restrictionLifter.ts). */
  lift?: RestrictionLift;
  closedAt?: string;
  /** When retention replaced the subject's personal fields with their pseudonym (src/dsr/model/retention.ts). */
  pseudonymisedAt?: string;
}
