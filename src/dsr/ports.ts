import type { StepSummary } from './model/stepSummaries';
import { DeliveryRecipient, DiscoveryResult, DsrRequest, ItemOutcome, PlanItem, PostedCard, Regime, RequestKind, RequestNotice, ServiceExportStatus, ServiceName, Subject } from './model/types';

/**
 * Every port of the domain: what it needs from storage, Teams, the services and the clock, as
 * interfaces the outer layers implement.
 */

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
  /**
   * The version this process last read or wrote, if it keeps one: possibly stale, so only for a
   * conditional write (updateRequest), never to show or decide on without one.
   */
  lastKnown?(id: string): StoredRequest | undefined;
  /** Requests the person filed or that are about them, newest first. */
  listForPerson(aadObjectId: string): Promise<DsrRequest[]>;
  /** The next number for a request id in `year`, unique across instances. */
  nextSequence(year: number): Promise<number>;
  /** Erasures whose soft-deleted account is due for purge at `now`. */
  listDueForPurge(now: Date): Promise<DsrRequest[]>;
  /**
   * Requests whose last write is older than `before` and whose job may be lost: still `submitted`
   * or `approved`, a restriction whose approved lift has not started (lifecycleRules.liftAwaitingJob),
   * or notices waiting in the outbox.
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
  /**
   * Whether a 1:1 conversation reference of the person is stored. `fresh: false` lets a reference
   * read or saved a moment ago answer: one deleted meanwhile elsewhere (another instance's
   * erasure) may still count.
   */
  hasConversation(aadObjectId: string, options: { fresh: boolean }): Promise<boolean>;
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

/** `notify`: send the notices waiting in the request's outbox (workflow/noticeOutbox.ts). */
export type Job = {
  type: 'discover' | 'execute' | 'purge' | 'lift' | 'pollServiceExport' | 'notify';
  requestId: string;
  /** The change that enqueued the job held the request's outbox for it (NoticeOutbox.heldFor): it sends without taking it. */
  hold?: string;
};

export interface JobQueue {
  enqueue(job: Job): Promise<void>;
}

/** The jobs waiting to be taken, as the stalled-request sweep needs to see them. */
export interface JobLine {
  /** When the job at the front of the line (the oldest waiting) was queued; undefined when none waits. */
  oldestWaiting(): Promise<Date | undefined>;
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

export type { RequestNotice } from './model/types';

/**
 * What telling people left behind that the request must remember: a newly posted approvers' card
 * (later changes replace it in place) and who got the link or receipt. `failures`: the sends that
 * failed, the others having gone out.
 */
export interface NoticeOutcome {
  approvalCard?: { card: PostedCard; deltaRound?: number };
  deliveredTo?: DeliveryRecipient;
  failures: unknown[];
}

/**
 * Tells the people involved (requester, approvers, compliance); implemented by the bot. The domain
 * records what it posted; a notifier that posts nothing to remember may return nothing.
 */
export interface Notifier {
  notify(notice: RequestNotice, request: DsrRequest, options?: NoticeOptions): Promise<NoticeOutcome | void>;
}

export interface NoticeOptions {
  /**
   * The caller replaces the request's posted cards (the approvers' and the requester's status
   * card) itself right after: the notice leaves them as they are and sends the rest (messages,
   * channel posts, new cards).
   */
  cardsRefreshedNext?: boolean;
}

/** One event of a request's audit trail. */
export interface AuditEvent {
  event: string;
  detail: Record<string, string | number | boolean>;
}

/** Append-only record of every event of every request. Details carry ids and counts only. */
export interface AuditLog {
  /** The first entry of a new request's chain (appended after what is there, should the chain exist). */
  begin(requestId: string, event: string, detail: AuditEvent['detail']): Promise<void>;
  append(requestId: string, event: string, detail: AuditEvent['detail']): Promise<void>;
  /** Appends `events` in order, all of them or none. */
  appendAll(requestId: string, events: readonly AuditEvent[]): Promise<void>;
}

/** Where one request's audit chain stands: how many entries it has and the last one's hash. */
export interface AuditHead {
  count: number;
  hash: string;
}

/** Gives a chain's head, for the evidence a requester keeps (the export manifest, the receipt). */
export interface AuditHeads {
  /**
   * The head of `requestId`'s chain with every entry this process appended to it, or undefined
   * when it has none. Another process's later entries may be missing: they only extend the chain,
   * so the head stays one the chain holds.
   */
  writtenHead(requestId: string): Promise<AuditHead | undefined>;
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

/** Who people are, as the directory says: for filing on someone's behalf, and for who may act. */
export interface PeopleDirectory extends ApproverDirectory {
  person(aadObjectId: string): Promise<Subject | undefined>;
  personByAddress(address: string): Promise<Subject | undefined>;
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

/** Runs work in one instance at a time; `ran: false` when another instance holds the lock. */
export interface ExclusiveLock {
  runExclusive<T>(work: () => Promise<T>): Promise<{ ran: true; result: T } | { ran: false }>;
}

/** Time comes from here, so tests can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

// The services, as the executor drives them.

/** Passed to every adapter call: which request it serves (for logs) and how to stop it. */
export interface AdapterCallContext {
  requestId: string;
  /** What the request asks for: an adapter may need different work (or manual steps) per kind. */
  kind: RequestKind;
  signal?: AbortSignal;
  /**
   * erase, restrict and rectify: the approved items of this service (its part of the plan). A
   * change touches these and nothing else; what matches the subject now but is not among them is
   * left alone and reported as `delta`; a planned item no longer there is `alreadyGone`.
   */
  plan?: readonly PlanItem[];
}

/**
 * A JSON array whose items arrive one by one (a service page at a time) and are written to the
 * package as they come, so that no step holds all of them. Iterated once, by the package writer.
 */
export class StreamedArray<T = unknown> implements AsyncIterable<T> {
  constructor(private readonly items: AsyncIterable<T>) {}

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.items[Symbol.asyncIterator]();
  }
}

/** `items` as a JSON array written item by item; see {@link StreamedArray}. */
export function streamedArray<T>(items: AsyncIterable<T>): StreamedArray<T> {
  return new StreamedArray(items);
}

/**
 * A file's bytes as a service wrote them (its own logs, JSON or CSV), stored unchanged and read
 * chunk by chunk while the package is written, so that no file is held whole.
 */
export class RawBytes implements AsyncIterable<Uint8Array> {
  constructor(private readonly chunks: AsyncIterable<Uint8Array>) {}

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.chunks[Symbol.asyncIterator]();
  }
}

/**
 * One file of the export package: a path inside the ZIP and its JSON content. Small content is a
 * whole value; an array that grows with the subject's data is a {@link StreamedArray}, at the top
 * (`content: streamedArray(twins)`) or anywhere inside (`{ hub, devices: streamedArray(...) }`).
 * The file reads exactly as `JSON.stringify(content, null, 2)` of the materialised value.
 */
export interface ExportFile {
  path: string;
  content: unknown;
}

/** What an adapter did: a code and counts, without personal values. */
export interface StepReport {
  summary: StepSummary;
  count: number;
  /** The account is only soft-deleted: a purge has to follow after the grace period. */
  awaitsPurge?: boolean;
  /** With a plan: what happened to each planned item. */
  items?: ItemOutcome[];
  /** With a plan: what matches the subject now but was not planned, untouched. */
  delta?: PlanItem[];
}

/**
 * One service a subject's data lives in. Every method is safe to repeat: what is already
 * exported, corrected or gone counts as done (a crash can run a step twice).
 */
export interface ServiceAdapter {
  readonly service: ServiceName;
  /** Dry run before approval: what would be touched, as counts and ids. */
  discover(subject: Subject, context: AdapterCallContext): Promise<DiscoveryResult>;
  /**
   * The subject's data in this service, as files for the package. Large arrays are streamed
   * (read page by page while the package is written), so a file's items may still call the
   * service after the file was yielded; a failure there fails this step.
   */
  export(subject: Subject, context: AdapterCallContext): AsyncIterable<ExportFile>;
  erase(subject: Subject, context: AdapterCallContext): Promise<StepReport>;
  /** Absent where the service has nothing a person can correct. */
  rectify?(subject: Subject, corrections: Record<string, string>, context: AdapterCallContext): Promise<StepReport>;
  /** Absent where the service cannot restrict processing short of erasure. */
  restrict?(subject: Subject, context: AdapterCallContext): Promise<StepReport>;
  /**
   * Puts back what `restrict` changed, item by item as its step recorded them (`putBack` holds
   * what recreating an item needs). Only items the restriction changed or removed are passed.
   */
  liftRestriction?(subject: Subject, restricted: readonly ItemOutcome[], context: AdapterCallContext): Promise<StepReport>;
  /** Brings back what `erase` only soft-deleted, before the purge; a ServiceError with status 404 when it is no longer there. */
  restore?(subject: Subject, context: AdapterCallContext): Promise<StepReport>;
  /** Removes for good what `erase` only soft-deleted. */
  purge?(subject: Subject, context: AdapterCallContext): Promise<StepReport>;
}

/** An error an adapter raises with what a person needs to act on it. */
export class ServiceError extends Error {
  constructor(
    readonly service: ServiceName,
    message: string,
    readonly statusCode?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

// A service export that runs for hours (Entra's system-generated logs).

/** What a service says of its running export. */
export interface ServiceExportCheck {
  status: Extract<ServiceExportStatus, 'notStarted' | 'running' | 'complete' | 'failed'>;
  /** 0..100. */
  progress: number;
  /** The wait the service asks for before the next check, in seconds, when it names one. */
  retryAfterSeconds?: number;
}

/**
 * A service that exports the subject's data by itself and takes days to (Entra's system-generated
 * logs): started once into a place the bot owns, then checked until it ends. Implemented by an adapter.
 */
export interface LongRunningExport {
  readonly service: ServiceName;
  /**
   * Asks the service to start the export into `destination` (an address the service can write to).
   * Not safe to repeat: every call starts another export.
   * @returns the service's address of the operation and the wait it asks for before the first check.
   */
  start(subject: Subject, destination: string, context: AdapterCallContext): Promise<{ operation: string; retryAfterSeconds: number }>;
  check(operation: string, context: AdapterCallContext): Promise<ServiceExportCheck>;
}

/** Where a service's export is written: one place per request, owned by the bot. Implemented by storage. */
export interface ServiceExportSpace {
  /** Makes the request's place (if missing) and returns the address the service writes to, valid for as long as an export may run. */
  prepare(requestId: string): Promise<string>;
  /** What the service wrote there, file by file. */
  files(requestId: string): AsyncIterable<{ path: string; content: RawBytes }>;
  /** Whether the request's place is there (left behind by an export that never ended, say). */
  has(requestId: string): Promise<boolean>;
  /** Deletes the place and what is in it; harmless when it is gone (false then). */
  remove(requestId: string): Promise<boolean>;
}

/** Whether an adapter runs its export by itself over days. */
export function isLongRunningExport(adapter: ServiceAdapter | undefined): adapter is ServiceAdapter & LongRunningExport {
  return adapter !== undefined && 'start' in adapter && 'check' in adapter;
}
