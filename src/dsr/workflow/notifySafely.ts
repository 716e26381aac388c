import { Logger, NoticeOutcome, Notifier, RequestNotice, RequestStore } from '../ports';
import { errorCode } from '../model/serviceFailures';
import { DsrRequest } from '../model/types';
import { rememberCard, updateRequest } from './requestUpdates';

/**
 * Tells people of `notice` and records what that posted (the approvers' new card, who got the
 * link or receipt). Telling people must never undo or block a state change: a failure is logged
 * and the flow goes on.
 */
export async function notifySafely(deps: { notifier: Notifier; log: Logger; store: RequestStore }, notice: RequestNotice, request: DsrRequest): Promise<void> {
  try {
    const outcome = await deps.notifier.notify(notice, request);
    if (!outcome) return;
    await recordPosted(deps.store, request.id, outcome);
    for (const error of outcome.failures) deps.log.warn({ requestId: request.id, notice, error: errorCode(error) }, 'notification failed');
  } catch (error) {
    deps.log.warn({ requestId: request.id, notice, error: errorCode(error) }, 'notification failed');
  }
}

async function recordPosted(store: RequestStore, requestId: string, outcome: NoticeOutcome): Promise<void> {
  if (outcome.approvalCard) await rememberCard(store, requestId, 'approval', outcome.approvalCard.card, outcome.approvalCard.deltaRound);
  const to = outcome.deliveredTo;
  if (to) await updateRequest(store, requestId, (r) => ({ ...r, deliveredTo: to }));
}

/** Counts per service, for the audit log: no values. */
export function countsOf(results: Partial<Record<string, { count: number }>>): Record<string, number> {
  return Object.fromEntries(Object.entries(results).map(([service, r]) => [service, r?.count ?? 0]));
}
