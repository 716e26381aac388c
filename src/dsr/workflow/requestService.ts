import { Clock } from '../ports';
import { approversToCheck, decide, DecisionRefusal } from '../model/decisions';
import { readStandings } from './approverStandings';
import { dueDate, isoDay } from '../model/deadlines';
import { extend, ExtensionRefusal } from '../model/extensions';
import { ApproverDirectory, ApproverStanding, AuditLog, Job, JobLine, JobQueue, Logger, NewRequest, Notifier, RequestNotice, RequestStore, StoredRequest } from '../ports';
import { liftAwaitingJob } from '../model/lifecycleRules';
import { afterDeltaDecision, pendingDelta, planHash, planOf } from '../model/plan';
import { formatRequestId } from '../model/requestIds';
import { applyEvent, updateRequest } from './requestUpdates';
import { ServiceAdapter } from '../ports';
import { canTake, isOpen } from '../model/stateMachine';
import { Actor, DiscoveryResult, DsrRequest, Extension, PostedCard, RequestState, ServiceName, Subject } from '../model/types';
import { describeFailure, errorCode } from '../model/serviceFailures';
import { countsOf, notifySafely } from './notifySafely';
import { hasPendingNotices, newOutboxHold, type SentNotices, updateRecordingSent, withNotice } from './noticeOutbox';

export interface RequestServiceDeps {
  store: RequestStore;
  /** Its line, too: the stalled-request sweep does not queue again what is still waiting in it. */
  queue: JobQueue & JobLine;
  audit: AuditLog;
  notifier: Notifier;
  adapters: ReadonlyMap<ServiceName, ServiceAdapter>;
  clock: Clock;
  log: Logger;
  /** Distinct approvals an erasure needs (DSR_ERASE_APPROVALS). */
  erasureApprovals: number;
  /** Open requests one person may have filed at once (DSR_MAX_OPEN_REQUESTS). */
  maxOpenRequests: number;
  /** Re-checks an erasure's approvers (group membership, person key) at each approval. */
  approvers: ApproverDirectory;
}

/** Reads of approver standings before a decision gives up on approvals that keep arriving meanwhile. */
const STANDING_READS = 4;

export type SubmitOutcome =
  | { result: 'created'; request: DsrRequest }
  | { result: 'duplicate'; request: DsrRequest }
  | { result: 'limited'; open: number }
  /** The subject's details came back undefined: the caller turned the filing down, and says why. */
  | { result: 'notFiled' };

/**
 * Who a request is filed for: their id, known when the filing starts, and their details, still
 * being read (from the directory, and checked by the caller) while their requests are looked up.
 * Undefined details: not to be filed.
 */
export interface SubjectBeingRead {
  aadObjectId: string;
  details: Promise<Subject | undefined>;
}

/** A request left `submitted` or `approved` this long has lost its job (a crash between two writes). */
const STALLED_AFTER_MS = 2 * 60_000;

/** Why an action on a request did nothing, beyond the rules of its kind (decisions, extensions). */
export type RequestRefusal =
  | { code: 'unknownRequest'; requestId: string }
  /** Cancel: the request exists but was filed by someone else. */
  | { code: 'notYours'; requestId: string }
  | { code: 'notCancellable'; requestId: string; state: RequestState }
  /** Other approvals kept arriving while standings were read. */
  | { code: 'busy'; requestId: string };

/** What an action did: codes and facts, worded by the bot. */
export type RequestDone =
  | { code: 'approved' | 'deltaApproved' | 'deltaRejected' | 'cancelled'; requestId: string }
  | { code: 'rejected' }
  /** `voided`: earlier approvals that no longer count. */
  | { code: 'approvalRecorded'; approvalsStillNeeded: number; voided: number }
  | { code: 'extended'; requestId: string; dueAt: string };

export type ActionOutcome<Refusal = never> =
  | ({ result: 'refused'; request?: DsrRequest } & (Refusal | RequestRefusal))
  | ({ result: 'done'; request: DsrRequest } & RequestDone);
export type DecideOutcome = ActionOutcome<DecisionRefusal>;
export type ExtendOutcome = ActionOutcome<ExtensionRefusal>;
export type CancelOutcome = ActionOutcome;

/** The notice each transition of a decision writes into the outbox. */
const DECISION_NOTICES: Record<'approve' | 'reject' | 'deltaDecided', RequestNotice> = { approve: 'approved', reject: 'rejected', deltaDecided: 'progress' };

/**
 * The life of a request up to execution: filing, discovery, decisions, cancellation.
 * Every change is one conditional write, so two clicks at once give one transition. A change made
 * by a click writes its notice into the request's outbox with it and leaves the sending to the
 * job it enqueues (noticeOutbox.ts): the click is answered without waiting for Teams posts.
 */
export class RequestService {
  constructor(private readonly deps: RequestServiceDeps) {}

  /**
   * Files a request, or points to the open one the subject already has of that kind. `statusCard`:
   * the card the answer to the click replaces, which later changes of the request update.
   */
  async submit(input: NewRequest, subjectBeingRead: SubjectBeingRead, requester: Actor, statusCard?: PostedCard): Promise<SubmitOutcome> {
    const { store, clock } = this.deps;
    // Two reads one after the other on every submission, and neither needs the other.
    const [subjects, subject] = await Promise.all([store.listForPerson(subjectBeingRead.aadObjectId), subjectBeingRead.details]);
    if (!subject) return { result: 'notFiled' };
    const existing = subjects.find((r) => isOpen(r.state) && r.kind === input.kind && r.subject.aadObjectId === subject.aadObjectId);
    if (existing) return { result: 'duplicate', request: existing };
    // Filing for themselves (the usual case), the subject's requests are the requester's.
    const requesters = requester.aadObjectId === subject.aadObjectId ? subjects : await store.listForPerson(requester.aadObjectId);
    const open = requesters.filter((r) => isOpen(r.state) && r.requester.aadObjectId === requester.aadObjectId).length;
    if (open >= this.deps.maxOpenRequests) return { result: 'limited', open };

    const now = clock.now();
    const sequence = await store.nextSequence(now.getUTCFullYear());
    const hold = newOutboxHold(now);
    const filed: DsrRequest = {
      id: formatRequestId(now.getUTCFullYear(), sequence),
      kind: input.kind,
      regime: input.regime,
      state: 'submitted',
      subject,
      requester,
      channel: 'teams-chat',
      services: input.services.filter((s) => this.deps.adapters.has(s)),
      ...(input.corrections ? { corrections: input.corrections } : {}),
      receivedAt: now.toISOString(),
      dueAt: isoDay(dueDate(now, input.regime)),
      discovery: {},
      decisions: [],
      steps: {},
      cards: statusCard ? { status: statusCard } : {},
    };
    const request = withNotice(filed, 'opened', hold);
    await store.create(request);
    await this.deps.audit.begin(request.id, 'created', {
      kind: request.kind,
      regime: request.regime,
      services: request.services.join(','),
      onBehalf: requester.aadObjectId !== subject.aadObjectId,
    });
    // The discovery job sends the 'opened' notice first. The answer does not wait for it to be
    // queued (in a burst of submissions that write was the slowest of the click's): a request
    // whose job is lost to a crash or a failed write stays `submitted`, and the stalled-request
    // sweep queues its discovery.
    void this.deps.queue.enqueue({ type: 'discover', requestId: request.id, hold: hold.job }).catch((error: unknown) => {
      this.deps.log.warn({ requestId: request.id, error: errorCode(error) }, 'discovery job not queued, the stalled-request sweep will queue it');
    });
    this.deps.log.info({ requestId: request.id, kind: request.kind }, 'request created');
    return { result: 'created', request };
  }

  /**
   * The dry run: asks every adapter what it would touch, then puts the request before approvers.
   * `sent`: notices the job sent first, recorded by the write that starts discovery.
   */
  async discover(requestId: string, sent?: SentNotices): Promise<void> {
    const { store, clock, adapters } = this.deps;
    const started = await updateRecordingSent(store, requestId, (r) =>
      canTake(r.state, 'startDiscovery') ? applyEvent(r, 'startDiscovery', clock.now()) : undefined,
    sent);
    const current = started ?? (await store.get(requestId))?.request;
    // A redelivered job finds the request discovering (a crash) or already past it.
    if (!current || current.state !== 'discovering') return;

    // Services are independent and discovery only reads: ask them all at once.
    const discovery: Partial<Record<ServiceName, DiscoveryResult>> = {};
    await Promise.all(current.services.map(async (service) => {
      const adapter = adapters.get(service);
      if (!adapter) return;
      try {
        discovery[service] = await adapter.discover(current.subject, { requestId, kind: current.kind });
      } catch (error) {
        discovery[service] = { count: 0, items: [], error: describeFailure(service, error) };
        this.deps.log.warn({ requestId, service, error: errorCode(error) }, 'discovery failed for a service');
      }
    }));
    const hash = planHash(planOf(discovery));
    const ready = await updateRequest(store, requestId, (r) =>
      r.state === 'discovering' ? { ...applyEvent(r, 'discoveryFinished', clock.now()), discovery, planHash: hash } : undefined,
    );
    if (!ready) return;
    const unsearched = current.services.filter((s) => discovery[s]?.error);
    await this.deps.audit.append(requestId, 'discovered', { ...countsOf(discovery), planHash: hash, ...(unsearched.length ? { failed: unsearched.join(',') } : {}) });
    await this.tell('awaitingApproval', ready);
  }

  /**
   * An approver's Approve or Reject, of the plan or of a delta round. `actorIsApprover` comes from
   * the directory, never the card; `planHash` is what the approver's card showed. `justRead`: the
   * request as the caller read it a moment ago, decided on instead of a read of its own (the
   * write is conditional on its version all the same).
   */
  async decide(requestId: string, actor: Actor, decision: 'approve' | 'reject', actorIsApprover: boolean, reason?: string, planHash?: string, justRead?: StoredRequest): Promise<DecideOutcome> {
    const { store, clock } = this.deps;
    let refusal: DecisionRefusal | RequestRefusal | undefined;
    let outcomeTransition: 'approve' | 'reject' | 'deltaDecided' | undefined;
    let stillNeeded = 0;
    let decidedHash: string | undefined;
    let voided: Actor[] = [];
    let decided: DsrRequest | undefined;
    const hold = newOutboxHold(clock.now());
    // Standings are read before the conditional write, which decides on them; an approval that
    // arrived in between has no standing read yet, so they are read again with it.
    for (let read = 1; ; read++) {
      const stored = read === 1 && justRead ? justRead : await store.get(requestId);
      const current = stored?.request;
      const standings = current && decision === 'approve' ? await readStandings(this.deps.approvers, approversToCheck(current, actor.aadObjectId), actor, actorIsApprover) : new Map<string, ApproverStanding>();
      let unread = false;
      decided = await updateRequest(store, requestId, (r) => {
        unread = decision === 'approve' && approversToCheck(r, actor.aadObjectId).some((id) => !standings.has(id));
        if (unread) return undefined;
        const outcome = decide(r, { actor, decision, reason, actorIsApprover, erasureApprovals: this.deps.erasureApprovals, at: clock.now(), planHash, approvers: standings });
        if (outcome.result === 'refused') {
          const { result: _refused, ...why } = outcome;
          refusal = why;
          return undefined;
        }
        refusal = undefined;
        outcomeTransition = outcome.transition;
        stillNeeded = outcome.approvalsStillNeeded;
        voided = outcome.voided;
        decidedHash = r.state === 'awaiting_delta_approval' ? pendingDelta(r)?.planHash : r.planHash;
        if (!outcome.transition) return withNotice(outcome.request, 'approvalRecorded', hold);
        const moved = applyEvent(outcome.request, outcome.transition, clock.now());
        return withNotice(outcome.transition === 'deltaDecided' ? afterDeltaDecision(moved) : moved, DECISION_NOTICES[outcome.transition], hold);
      }, stored);
      if (!unread) break;
      if (read >= STANDING_READS) {
        refusal = { code: 'busy', requestId };
        break;
      }
    }
    if (!decided) {
      const current = (await store.get(requestId))?.request;
      return { result: 'refused', ...(refusal ?? { code: 'unknownRequest', requestId }), ...(current ? { request: current } : {}) };
    }
    for (const approver of voided) {
      await this.deps.audit.append(requestId, 'approval voided', { approver: approver.aadObjectId, why: 'no longer an approver or without a person key' });
    }
    if (voided.length) this.deps.log.warn({ requestId, voided: voided.length }, 'earlier approvals no longer count');
    const onDelta = decided.deltas?.length && (decided.state === 'awaiting_delta_approval' || outcomeTransition === 'deltaDecided');
    await this.deps.audit.append(requestId, `${onDelta ? 'delta ' : ''}${decision === 'approve' ? 'approved' : 'rejected'}`, {
      approver: actor.aadObjectId,
      approvalsStillNeeded: stillNeeded,
      ...(decidedHash ? { planHash: decidedHash } : {}),
      ...(reason ? { reasonGiven: true } : {}),
    });
    this.deps.log.info({ requestId, decision, stillNeeded, delta: Boolean(onDelta) }, 'decision recorded');
    // The execution job sends the notice before it runs, so people hear of the approval first; a
    // crash before the enqueue leaves the request `approved` (or its notice pending) for the sweep.
    if (outcomeTransition === 'deltaDecided') {
      // Approved, the run carries out the delta's items; rejected, it closes the request without them.
      await this.deps.queue.enqueue({ type: 'execute', requestId, hold: hold.job });
      const approved = decided.deltas!.at(-1)!.outcome === 'approved';
      return { result: 'done', request: decided, code: approved ? 'deltaApproved' : 'deltaRejected', requestId };
    }
    if (outcomeTransition === 'approve') {
      await this.deps.queue.enqueue({ type: 'execute', requestId, hold: hold.job });
      return { result: 'done', request: decided, code: 'approved', requestId };
    }
    await this.deps.queue.enqueue({ type: 'notify', requestId, hold: hold.job });
    if (outcomeTransition === 'reject') return { result: 'done', request: decided, code: 'rejected' };
    return { result: 'done', request: decided, code: 'approvalRecorded', approvalsStillNeeded: stillNeeded, voided: voided.length };
  }

  /** The requester withdraws a request that has not been approved yet. */
  async cancel(requestId: string, actor: Actor): Promise<CancelOutcome> {
    const { store, clock } = this.deps;
    let refusal: RequestRefusal = { code: 'unknownRequest', requestId };
    const hold = newOutboxHold(clock.now());
    const cancelled = await updateRequest(store, requestId, (r) => {
      if (r.requester.aadObjectId !== actor.aadObjectId) {
        refusal = { code: 'notYours', requestId };
        return undefined;
      }
      if (!canTake(r.state, 'cancel')) {
        refusal = { code: 'notCancellable', requestId, state: r.state };
        return undefined;
      }
      return withNotice(applyEvent(r, 'cancel', clock.now()), 'cancelled', hold);
    });
    if (!cancelled) return { result: 'refused', ...refusal };
    // Audit details name staff by object id, never the subject: a subject withdrawing is 'the subject'.
    const bySubject = cancelled.requester.aadObjectId === cancelled.subject.aadObjectId;
    await this.deps.audit.append(requestId, 'cancelled', { by: bySubject ? 'the subject' : actor.aadObjectId });
    await this.deps.queue.enqueue({ type: 'notify', requestId, hold: hold.job });
    return { result: 'done', request: cancelled, code: 'cancelled', requestId };
  }

  /**
   * An approver's "Extend": the deadline moves by the regime's rules (src/dsr/model/extensions.ts) in one
   * conditional write, and the requester is told the new date and the reason.
   */
  async extend(requestId: string, actor: Actor, actorIsApprover: boolean, reason: string | undefined, months?: number): Promise<ExtendOutcome> {
    const { store, clock } = this.deps;
    let refusal: ExtensionRefusal | undefined;
    let extension: Extension | undefined;
    const hold = newOutboxHold(clock.now());
    const extended = await updateRequest(store, requestId, (r) => {
      const outcome = extend(r, { actor, actorIsApprover, reason, months, at: clock.now() });
      if (outcome.result === 'refused') {
        const { result: _refused, ...why } = outcome;
        refusal = why;
        extension = undefined;
        return undefined;
      }
      refusal = undefined;
      extension = outcome.extension;
      return withNotice(outcome.request, 'extended', hold);
    });
    if (!extended || !extension) {
      const current = (await store.get(requestId))?.request;
      return { result: 'refused', ...(refusal ?? { code: 'unknownRequest', requestId }), ...(current ? { request: current } : {}) };
    }
    await this.deps.audit.append(requestId, 'extended', {
      approver: actor.aadObjectId,
      previousDueAt: extension.previousDueAt,
      newDueAt: extension.newDueAt,
      ...(extension.months ? { months: extension.months } : {}),
      ...(extension.days ? { days: extension.days } : {}),
      reasonGiven: true,
    });
    this.deps.log.info({ requestId, newDueAt: extension.newDueAt }, 'deadline extended');
    await this.deps.queue.enqueue({ type: 'notify', requestId, hold: hold.job });
    return { result: 'done', request: extended, code: 'extended', requestId, dueAt: extension.newDueAt };
  }

  /** Open requests, soonest due first (overdue ones lead), for the approvers' queue. */
  async listOpen(): Promise<DsrRequest[]> {
    const open = await this.deps.store.listOpen();
    return open.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id));
  }

  /**
   * Puts the job back for requests whose job was lost: a crash, or a queue that failed after the
   * request was written. Jobs are safe to repeat, so a job that was only slow runs twice harmlessly.
   * A job still in line is not lost, however long the line: with jobs waiting, only a request left
   * STALLED_AFTER_MS before the oldest of them was queued counts, so a wave of requests waiting
   * their turn is not queued again (and again, each sweep) behind itself.
   */
  async enqueueStalled(): Promise<number> {
    const now = this.deps.clock.now().getTime();
    const oldestWaiting = (await this.deps.queue.oldestWaiting())?.getTime() ?? now;
    const stalled = await this.deps.store.listStalled(new Date(Math.min(now, oldestWaiting) - STALLED_AFTER_MS));
    for (const request of stalled) {
      for (const type of stalledJobs(request)) await this.deps.queue.enqueue({ type, requestId: request.id });
      this.deps.log.warn({ requestId: request.id, state: request.state }, 'stalled request resumed');
    }
    return stalled.length;
  }

  /** Requests the person filed or that are about them. */
  async listFor(person: Actor): Promise<DsrRequest[]> {
    return this.deps.store.listForPerson(person.aadObjectId);
  }

  private tell(notice: RequestNotice, request: DsrRequest): Promise<void> {
    return notifySafely(this.deps, notice, request);
  }
}

/**
 * The jobs a stalled request waits for: its discovery, its execution, or the lift two approvers
 * asked for; and the sending of notices left in its outbox, which discovery and execution do first.
 */
function stalledJobs(request: DsrRequest): Job['type'][] {
  if (request.state === 'submitted') return ['discover'];
  if (request.state === 'approved') return ['execute'];
  const lift: Job['type'][] = liftAwaitingJob(request) ? ['lift'] : [];
  return hasPendingNotices(request) ? [...lift, 'notify'] : lift;
}
