import { randomUUID } from 'node:crypto';
import { Clock, Logger, NoticeOptions, NoticeOutcome, Notifier, RequestStore } from '../ports';
import { DsrRequest, NoticeOutbox, RequestNotice } from '../model/types';
import { noticeOutcome, withPosted } from './notifySafely';
import { updateRequest } from './requestUpdates';

/**
 * How long a worker's hold on an outbox lasts: past it, the worker is taken for dead (a crash
 * mid-send) and another sends the notices again. Far longer than sending a notice takes.
 */
const SENDING_HOLD_MS = 60_000;

/**
 * A change's hold on the outbox for the job it enqueues: that job sends without a write of its own
 * to take the outbox first. `job` goes in the job (`Job.hold`), `at` is when the change was made.
 */
export interface OutboxHold {
  job: string;
  at: Date;
}

export const newOutboxHold = (at: Date): OutboxHold => ({ job: randomUUID(), at });

/** Whether a worker (or the job a change held it for) sends the outbox now: its hold is not stale at `now`. */
const heldAt = (outbox: NoticeOutbox | undefined, now: Date): boolean =>
  Boolean(outbox?.sendingSince && now.getTime() - Date.parse(outbox.sendingSince) < SENDING_HOLD_MS);

/**
 * `request` with `notice` waiting in its outbox, to be written with the change that decided it.
 * With `hold`, the outbox is held for the job the change enqueues, unless a worker holds it now:
 * that worker sends this notice too, as one decided while it sent.
 */
export function withNotice(request: DsrRequest, notice: RequestNotice, hold?: OutboxHold): DsrRequest {
  const outbox = { ...request.outbox, notices: [...(request.outbox?.notices ?? []), notice] };
  if (!hold || heldAt(request.outbox, hold.at)) return { ...request, outbox };
  return { ...request, outbox: { ...outbox, sendingSince: hold.at.toISOString(), heldFor: hold.job } };
}

export const hasPendingNotices = (request: DsrRequest): boolean => Boolean(request.outbox?.notices.length);

export interface NoticeSenderDeps {
  store: RequestStore;
  notifier: Notifier;
  clock: Clock;
  log: Logger;
}

/**
 * Notices a job has sent and not yet recorded. The job's first write records them with its own
 * change (JobDispatch), which saves the write that would record them alone.
 */
export interface SentNotices {
  /** The notices left the posted cards as they were (`cardsRefreshedNext`): the job refreshes them, whether it goes on or not. */
  cardsLeft: boolean;
  /**
   * `request` with the sent notices out of its outbox and what they posted remembered; notices
   * decided meanwhile stay, unheld (all stay when another worker took the outbox over meanwhile).
   */
  recordIn(request: DsrRequest): DsrRequest;
  /** After the write that recorded them: sends the notices decided meanwhile. Returns the request as it then stands. */
  sendRest(written: DsrRequest | undefined): Promise<DsrRequest | undefined>;
  /** Records them in a write of their own, then sends the rest: for a job that goes no further. */
  record(): Promise<DsrRequest | undefined>;
}

/**
 * `updateRequest` for a job's first write: with notices the job sent first, the same conditional
 * write records them (a change that declines writes the record alone), and the notices decided
 * meanwhile are sent next. Returns the request as it then stands.
 */
export async function updateRecordingSent(
  store: RequestStore,
  id: string,
  change: (current: DsrRequest) => DsrRequest | undefined,
  sent: SentNotices | undefined,
): Promise<DsrRequest | undefined> {
  if (!sent) return updateRequest(store, id, change);
  return sent.sendRest(await updateRequest(store, id, (r) => {
    const recorded = sent.recordIn(r);
    return change(recorded) ?? recorded;
  }));
}

/**
 * Sends the notices waiting in a request's outbox, in the order they were decided. A worker first
 * takes the outbox (one conditional write, so of two workers at once one sends; the job a change
 * enqueued finds it held for it by that change's own write, and takes it without one), sends, then
 * removes what it sent and records what that posted in one more write (a discovery or execution
 * job's own first write, see SentNotices). Notices added meanwhile are sent by the same worker
 * before it stops. A worker that dies after taking the outbox leaves it held; once the hold is
 * stale the next job (or the stalled-request sweep) sends again, so a crash mid-send may repeat a
 * notice, never lose it.
 */
export class NoticeSender {
  constructor(private readonly deps: NoticeSenderDeps) {}

  /** `hold`: the job's (Job.hold). */
  async sendPending(requestId: string, hold?: string): Promise<void> {
    await (await this.sendLeavingRecord(requestId, hold))?.record();
  }

  /**
   * Takes the outbox and sends what it holds, leaving the write that records it to the caller.
   * Undefined when the outbox is empty or another worker holds it. `hold`: the job's (Job.hold).
   * `options` go with every notice sent, those decided meanwhile too.
   */
  async sendLeavingRecord(requestId: string, hold?: string, options?: NoticeOptions): Promise<SentNotices | undefined> {
    const taken = (hold && (await this.heldFor(requestId, hold))) || (await this.take(requestId));
    if (!taken) return undefined;
    const count = taken.outbox!.notices.length;
    const posted: Omit<NoticeOutcome, 'failures'>[] = [];
    for (const notice of taken.outbox!.notices) posted.push(await noticeOutcome(this.deps, notice, taken, options));
    const recordIn = (r: DsrRequest): DsrRequest => {
      const withRecord = posted.reduce(withPosted, r);
      // Taken over meanwhile (this worker stalled past the hold): the new holder sends them all,
      // the ones decided since too, which a cut by count here would lose.
      if (r.outbox?.sendingSince !== taken.outbox!.sendingSince || r.outbox?.heldFor !== taken.outbox!.heldFor) return withRecord;
      const rest = r.outbox?.notices.slice(count) ?? [];
      const { outbox: _sent, ...without } = withRecord;
      return rest.length ? { ...without, outbox: { notices: rest } } : without;
    };
    const sendRest = async (written: DsrRequest | undefined): Promise<DsrRequest | undefined> => {
      if (!written || !hasPendingNotices(written)) return written;
      const next = await this.sendLeavingRecord(requestId, undefined, options);
      return next ? next.record() : written;
    };
    const record = () => updateRecordingSent(this.deps.store, requestId, () => undefined, sent);
    const sent: SentNotices = { cardsLeft: Boolean(options?.cardsRefreshedNext), recordIn, sendRest, record };
    return sent;
  }

  /**
   * The request, when the change that enqueued this job held its outbox for it and the hold is not
   * stale: no one else takes it before then, so the job sends without a write of its own. Read as
   * this process last wrote it when it can (the change was most often made here).
   */
  private async heldFor(requestId: string, hold: string): Promise<DsrRequest | undefined> {
    const request = (this.deps.store.lastKnown?.(requestId) ?? (await this.deps.store.get(requestId)))?.request;
    return request?.outbox?.heldFor === hold && hasPendingNotices(request) && heldAt(request.outbox, this.deps.clock.now()) ? request : undefined;
  }

  /** The request with its outbox held by this worker, or undefined when it is empty or another worker holds it. */
  private take(requestId: string): Promise<DsrRequest | undefined> {
    const now = this.deps.clock.now();
    return updateRequest(this.deps.store, requestId, (r) => {
      if (!r.outbox || !hasPendingNotices(r) || heldAt(r.outbox, now)) return undefined;
      return { ...r, outbox: { notices: r.outbox.notices, sendingSince: now.toISOString() } };
    });
  }
}
