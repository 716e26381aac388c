import { Logger, Notifier, RequestNotice } from '../ports';
import { errorCode } from '../model/serviceFailures';
import { DsrRequest } from '../model/types';

/** Telling people must never undo or block a state change: a failure is logged and the flow goes on. */
export async function notifySafely(notifier: Notifier, log: Logger, notice: RequestNotice, request: DsrRequest): Promise<void> {
  try {
    await notifier.notify(notice, request);
  } catch (error) {
    log.warn({ requestId: request.id, notice, error: errorCode(error) }, 'notification failed');
  }
}

/** Counts per service, for the audit log: no values. */
export function countsOf(results: Partial<Record<string, { count: number }>>): Record<string, number> {
  return Object.fromEntries(Object.entries(results).map(([service, r]) => [service, r?.count ?? 0]));
}
