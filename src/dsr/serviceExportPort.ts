import { AdapterCallContext, RawBytes, ServiceAdapter } from './serviceAdapter';
import { ServiceExportStatus, ServiceName, Subject } from './types';

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
