import { DiscoveryResult, ItemOutcome, PlanItem, RequestKind, ServiceName, Subject } from './types';

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

/** What an adapter did, in plain words without personal values. */
export interface StepReport {
  summary: string;
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
