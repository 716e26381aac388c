import { Logger, NoticeOptions, NoticeOutcome, Notifier, RequestNotice, RequestStore } from '../ports';
import { errorCode } from '../model/serviceFailures';
import { DsrRequest } from '../model/types';
import { updateRequest } from './requestUpdates';

/**
 * Tells people of `notice` and records what that posted (the approvers' new card, who got the
 * link or receipt). Telling people must never undo or block a state change: a failure is logged
 * and the flow goes on.
 */
export async function notifySafely(deps: { notifier: Notifier; log: Logger; store: RequestStore }, notice: RequestNotice, request: DsrRequest): Promise<void> {
  const outcome = await noticeOutcome(deps, notice, request);
  if (!outcome.approvalCard && !outcome.deliveredTo) return;
  try {
    await updateRequest(deps.store, request.id, (r) => withPosted(r, outcome));
  } catch (error) {
    deps.log.warn({ requestId: request.id, notice, error: errorCode(error) }, 'notification failed');
  }
}

/** Sends `notice`; a failure is logged and comes back as an outcome that posted nothing. */
export async function noticeOutcome(deps: { notifier: Notifier; log: Logger }, notice: RequestNotice, request: DsrRequest, options?: NoticeOptions): Promise<NoticeOutcome> {
  try {
    const outcome = (await deps.notifier.notify(notice, request, options)) ?? { failures: [] };
    for (const error of outcome.failures) deps.log.warn({ requestId: request.id, notice, error: errorCode(error) }, 'notification failed');
    return outcome;
  } catch (error) {
    deps.log.warn({ requestId: request.id, notice, error: errorCode(error) }, 'notification failed');
    return { failures: [error] };
  }
}

/** `request` remembering what a notice posted: the approvers' card (later changes replace it in place), who got the link or receipt. */
export function withPosted(request: DsrRequest, outcome: Omit<NoticeOutcome, 'failures'>): DsrRequest {
  const { approvalCard, deliveredTo } = outcome;
  return {
    ...request,
    ...(approvalCard ? { cards: { ...request.cards, approval: approvalCard.card, ...(approvalCard.deltaRound ? { deltaRound: approvalCard.deltaRound } : {}) } } : {}),
    ...(deliveredTo ? { deliveredTo } : {}),
  };
}

/** Counts per service, for the audit log: no values. */
export function countsOf(results: Partial<Record<string, { count: number }>>): Record<string, number> {
  return Object.fromEntries(Object.entries(results).map(([service, r]) => [service, r?.count ?? 0]));
}
