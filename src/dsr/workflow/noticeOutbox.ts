import { Clock, Logger, NoticeOutcome, Notifier, RequestStore } from '../ports';
import { DsrRequest, RequestNotice } from '../model/types';
import { noticeOutcome, withPosted } from './notifySafely';
import { updateRequest } from './requestUpdates';

/**
 * How long a worker's hold on an outbox lasts: past it, the worker is taken for dead (a crash
 * mid-send) and another sends the notices again. Far longer than sending a notice takes.
 */
const SENDING_HOLD_MS = 60_000;

/** `request` with `notice` waiting in its outbox, to be written with the change that decided it. */
export function withNotice(request: DsrRequest, notice: RequestNotice): DsrRequest {
  return { ...request, outbox: { ...request.outbox, notices: [...(request.outbox?.notices ?? []), notice] } };
}

export const hasPendingNotices = (request: DsrRequest): boolean => Boolean(request.outbox?.notices.length);

export interface NoticeSenderDeps {
  store: RequestStore;
  notifier: Notifier;
  clock: Clock;
  log: Logger;
}

/**
 * Sends the notices waiting in a request's outbox, in the order they were decided. A worker first
 * takes the outbox (one conditional write, so of two workers at once one sends), sends, then
 * removes what it sent and records what that posted in one more write. Notices added meanwhile
 * are sent by the same worker before it stops. A worker that dies after taking the outbox leaves
 * it held; once the hold is stale the next job (or the stalled-request sweep) sends again, so a
 * crash mid-send may repeat a notice, never lose it.
 */
export class NoticeSender {
  constructor(private readonly deps: NoticeSenderDeps) {}

  async sendPending(requestId: string): Promise<void> {
    for (;;) {
      const taken = await this.take(requestId);
      if (!taken) return;
      const sent = taken.outbox!.notices;
      const posted: Omit<NoticeOutcome, 'failures'>[] = [];
      for (const notice of sent) posted.push(await noticeOutcome(this.deps, notice, taken));
      const after = await updateRequest(this.deps.store, requestId, (r) => {
        const rest = r.outbox?.notices.slice(sent.length) ?? [];
        const { outbox: _sent, ...without } = posted.reduce(withPosted, r);
        return rest.length ? { ...without, outbox: { notices: rest } } : without;
      });
      if (!after || !hasPendingNotices(after)) return;
    }
  }

  /** The request with its outbox held by this worker, or undefined when it is empty or another worker holds it. */
  private take(requestId: string): Promise<DsrRequest | undefined> {
    const now = this.deps.clock.now();
    return updateRequest(this.deps.store, requestId, (r) => {
      if (!r.outbox || !hasPendingNotices(r)) return undefined;
      const since = r.outbox.sendingSince;
      if (since && now.getTime() - Date.parse(since) < SENDING_HOLD_MS) return undefined;
      return { ...r, outbox: { ...r.outbox, sendingSince: now.toISOString() } };
    });
  }
}
