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
}

export type Job = { type: 'discover' | 'execute' | 'purge'; requestId: string };

export interface JobQueue {
  enqueue(job: Job): Promise<void>;
}

/** A ZIP being written to the export store. */
export interface PackageWriter {
  addFile(path: string, content: unknown): Promise<void>;
  /** Writes the manifest and README and closes the package. */
  finish(): Promise<{ blobName: string; sha256: string; bytes: number }>;
}

export interface ExportStore {
  openPackage(request: DsrRequest): Promise<PackageWriter>;
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
  | 'purged';

/** Tells the people involved (requester, approvers, compliance); implemented by the bot. */
export interface Notifier {
  notify(notice: RequestNotice, request: DsrRequest): Promise<void>;
}

/** Append-only record of every event of every request. Details carry ids and counts only. */
export interface AuditLog {
  append(requestId: string, event: string, detail: Record<string, string | number | boolean>): Promise<void>;
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
