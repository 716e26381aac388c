import { DsrRequest, RequestKind, Regime, ServiceName } from './types';

/** A request as read from the store, with the version to write against. */
export interface StoredRequest {
  request: DsrRequest;
  etag: string;
}

/** Raised when a conditional write lost against another writer. */
export class ConcurrencyConflict extends Error {
  constructor(readonly requestId: string) {
    super(`Request ${requestId} was changed by someone else at the same time.`);
    this.name = 'ConcurrencyConflict';
  }
}

export interface RequestStore {
  /** Fails with ConcurrencyConflict if the id exists. */
  create(request: DsrRequest): Promise<void>;
  get(id: string): Promise<StoredRequest | undefined>;
  /** Conditional on `etag`; returns the new etag or throws ConcurrencyConflict. */
  replace(request: DsrRequest, etag: string): Promise<string>;
  /** Requests the person filed or that are about them, newest first. */
  listForPerson(aadObjectId: string): Promise<DsrRequest[]>;
  /** The next number for a request id in `year`, unique across instances. */
  nextSequence(year: number): Promise<number>;
  /** Erasures whose soft-deleted account is due for purge at `now`. */
  listDueForPurge(now: Date): Promise<DsrRequest[]>;
  /**
   * Requests whose last write is older than `before` and whose job may be lost: still `submitted`
   * or `approved`, or a restriction whose approved lift has not started (lifecycleRules.liftAwaitingJob).
   */
  listStalled(before: Date): Promise<DsrRequest[]>;
  /** Requests still open (stateMachine's isOpen), for reminders and the approvers' queue. */
  listOpen(): Promise<DsrRequest[]>;
}

/** What the register and retention read besides a RequestStore's own queries. */
export interface RecordsStore {
  /** Every request, for the register (11 CCR §7101). */
  listAll(): Promise<DsrRequest[]>;
  /** Closed requests not yet pseudonymised whose `closedAt` is at or before `closedBefore`: candidates for retention. */
  listToPseudonymise(closedBefore: Date): Promise<DsrRequest[]>;
}

/** Who a person is, as the bot's own files may spell them: each value is looked for, case-insensitively. */
export interface PersonValues {
  aadObjectId: string;
  upn: string;
  email: string;
  displayName: string;
}

/**
 * The bot's own traces of a person beside their request records: the 1:1 conversation reference it
 * reaches them through, the files it wrote (export packages, register CSVs), and the places a
 * service's export of their earlier requests was left in. Implemented by storage.
 */
export interface OwnTraces {
  /** Whether a 1:1 conversation reference of the person is stored. */
  hasConversation(aadObjectId: string): Promise<boolean>;
  /**
   * Replaces the person's conversation reference by a copy without their name or ids, kept only to
   * deliver `requestId`'s receipt and removed after it (see erasureFollowUp). False when there was none.
   */
  retireConversation(aadObjectId: string, requestId: string): Promise<boolean>;
  /** The files naming the person: the packages of `requestIds`, and any register file holding one of their values. */
  filesAbout(person: PersonValues, requestIds: readonly string[]): Promise<string[]>;
  /** Deletes one file; false when it was gone already. */
  removeFile(name: string): Promise<boolean>;
  /** Those of `requestIds` whose service export place (system-generated logs of the subject) was left behind. */
  leftoverExportSpaces(requestIds: readonly string[]): Promise<string[]>;
  /** Deletes a request's service export place; false when it was gone already. */
  removeExportSpace(requestId: string): Promise<boolean>;
}

export type Job = { type: 'discover' | 'execute' | 'purge' | 'lift' | 'pollServiceExport'; requestId: string };

export interface JobQueue {
  enqueue(job: Job): Promise<void>;
}

/**
 * A ZIP being written to the export store as it is made: nothing of it is stored until
 * `finish`, so a package given up (or cut off by a crash) leaves the last finished one as it was.
 */
export interface PackageWriter {
  /**
   * Writes one file, and resolves once it is in the package; one file at a time. `content` is
   * `RawBytes` (serviceAdapter.ts) written as they come (a service's own files, such as its logs), or JSON, where a `StreamedArray` (serviceAdapter.ts) is read item by item while it is written.
   * Rejects with the items' own error when they fail (the file is cut short, and the package can
   * then no longer be finished, only given up), and with a PackageStoreError when the store fails.
   */
  addFile(path: string, content: unknown): Promise<void>;
  /** Writes the manifest and README and closes the package. */
  finish(): Promise<{ blobName: string; sha256: string; bytes: number }>;
  /** Gives the package up: nothing of it is stored. Harmless after a failure or a finish. */
  abort(): Promise<void>;
}

/** The export store failed while a package was written: not the failure of the service being exported. */
export class PackageStoreError extends Error {
  constructor(cause: unknown) {
    super('The export package could not be written to the export store.', { cause });
    this.name = 'PackageStoreError';
  }
}

export interface ExportStore {
  /** `part`: a package delivered after the first (a service's own export), named apart from it. */
  openPackage(request: DsrRequest, part?: string): Promise<PackageWriter>;
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

/** Tells the people involved (requester, approvers, compliance); implemented by the bot. */
export interface Notifier {
  notify(notice: RequestNotice, request: DsrRequest): Promise<void>;
}

/** Append-only record of every event of every request. Details carry ids and counts only. */
export interface AuditLog {
  append(requestId: string, event: string, detail: Record<string, string | number | boolean>): Promise<void>;
}

/** Where one request's audit chain stands: how many entries it has and the last one's hash. */
export interface AuditHead {
  count: number;
  hash: string;
}

/** Reads a chain's head, for the evidence a requester keeps (the export manifest, the receipt). */
export interface AuditHeads {
  /** The head of `requestId`'s chain now, or undefined when it has none. */
  head(requestId: string): Promise<AuditHead | undefined>;
}

/**
 * Anchors every audit chain outside the bot's store (a digest of all their heads, written where
 * the bot cannot rewrite it). Called when a request closes; implemented by storage.
 */
export interface AuditAnchor {
  /** Asks for a digest soon; calls close together share one. Returns at once and never throws. */
  anchorSoon(): void;
}

/** Where an approver stands in the directory when their approval is counted. */
export interface ApproverStanding {
  /** Member of the approvers group now. */
  isApprover: boolean;
  /** The person behind the account (DSR_APPROVER_PERSON_KEY, e.g. `employeeId`): one per person, shared by their accounts. */
  personKey?: string;
}

/** Asked afresh for every approval, never cached: a removal from the group counts at once. */
export interface ApproverDirectory {
  isApprover(aadObjectId: string): Promise<boolean>;
  /** The account's person key, or undefined when it has none (or the account is gone). */
  personKey(aadObjectId: string): Promise<string | undefined>;
}

/** What a person asks for on the intake card, before identity is attached. */
export interface NewRequest {
  kind: RequestKind;
  regime: Regime;
  services: ServiceName[];
  corrections?: Record<string, string>;
}

/** Structured logger (pino's call shape). Fields carry request ids and counts, never personal values. */
export interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}
