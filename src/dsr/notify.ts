import { Logger, Notifier, RequestNotice } from './ports';
import { errorCode } from './failures';
import { DeliveryRecipient, DsrRequest } from './types';

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

/**
 * Whose chat the export link or receipt goes to: the subject's own whenever the bot can reach
 * them there, the filing privacy admin's only when it cannot (a person without Teams access, or
 * whose account this erasure removed). A subject who filed for themselves is both.
 */
export function deliveryRecipient(request: DsrRequest, subjectHasChat: boolean): DeliveryRecipient {
  if (request.requester.aadObjectId === request.subject.aadObjectId) return 'subject';
  const accountErased = request.kind === 'erase' && request.steps.entra?.status === 'done';
  return subjectHasChat && !accountErased ? 'subject' : 'requester';
}
