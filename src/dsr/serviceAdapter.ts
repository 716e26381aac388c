import { DiscoveryResult, RequestKind, ServiceName, Subject } from './types';

/** Passed to every adapter call: which request it serves (for logs) and how to stop it. */
export interface AdapterCallContext {
  requestId: string;
  /** What the request asks for: an adapter may need different work (or manual steps) per kind. */
  kind: RequestKind;
  signal?: AbortSignal;
}

/** One file of the export package: a path inside the ZIP and JSON-serialisable content. */
export interface ExportFile {
  path: string;
  content: unknown;
}

/** What an adapter did, in plain words without personal values. */
export interface StepReport {
  summary: string;
  count: number;
  /** The account is only soft-deleted: a purge has to follow after the grace period. */
  awaitsPurge?: boolean;
}

/**
 * One service a subject's data lives in. Every method is safe to repeat: what is already
 * exported, corrected or gone counts as done (a crash can run a step twice).
 */
export interface ServiceAdapter {
  readonly service: ServiceName;
  /** Dry run before approval: what would be touched, as counts and ids. */
  discover(subject: Subject, context: AdapterCallContext): Promise<DiscoveryResult>;
  /** The subject's data in this service, as files for the package. */
  export(subject: Subject, context: AdapterCallContext): AsyncIterable<ExportFile>;
  erase(subject: Subject, context: AdapterCallContext): Promise<StepReport>;
  /** Absent where the service has nothing a person can correct. */
  rectify?(subject: Subject, corrections: Record<string, string>, context: AdapterCallContext): Promise<StepReport>;
  /** Absent where the service cannot restrict processing short of erasure. */
  restrict?(subject: Subject, context: AdapterCallContext): Promise<StepReport>;
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
