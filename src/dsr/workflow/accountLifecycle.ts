import { readStandings } from './approverStandings';
import { Clock } from '../ports';
import { errorCode, statusCodeOf } from '../model/serviceFailures';
import { FollowUpAction, LifecycleRefusal, approveFollowUp, followUpApproversToCheck, liftRetryable, restoreRefusal } from '../model/lifecycleRules';
import { notifySafely } from './notifySafely';
import { ApproverDirectory, ApproverStanding, AuditLog, JobQueue, Logger, Notifier, RequestNotice, RequestStore } from '../ports';
import { applyEvent, updateRequest } from './requestUpdates';
import { ServiceAdapter } from '../ports';
import { Actor, DsrRequest, ServiceName, StepOutcome } from '../model/types';

export interface AccountLifecycleDeps {
  store: RequestStore;
  queue: JobQueue;
  audit: AuditLog;
  notifier: Notifier;
  adapters: ReadonlyMap<ServiceName, ServiceAdapter>;
  approvers: ApproverDirectory;
  clock: Clock;
  log: Logger;
  /** Distinct approvals an erasure needs (DSR_ERASE_APPROVALS): purge now and lift need as many, at least two. */
  erasureApprovals: number;
}

/** Why a click did nothing, beyond the rules of lifecycleRules.ts. */
export type LifecycleFailure =
  | 'unknownRequest'
  /** The service no longer holds the soft-deleted account (purged meanwhile). */
  | 'notInDeletedItems'
  /** The service failed the restore; nothing changed on the request. */
  | 'restoreFailed'
  /** Other approvals of the same action kept arriving while standings were read. */
  | 'busy';

export type LifecycleDone =
  | 'restored'
  /** Recorded; `approvalsStillNeeded` more are needed. */
  | 'approvalRecorded'
  | 'purgeStarted'
  | 'liftStarted'
  | 'liftRetried';

export type LifecycleOutcome =
  | { result: 'refused'; code: LifecycleRefusal | LifecycleFailure; request?: DsrRequest }
  | { result: 'done'; code: LifecycleDone; request: DsrRequest; approvalsStillNeeded: number };

/** Reads of approver standings before giving up on approvals that keep arriving meanwhile (as RequestService.decide). */
const STANDING_READS = 4;

/**
 * An approver's actions on a closed request: restore a soft-deleted Entra account before its
 * purge, purge it at once, lift a completed restriction. Each change is one conditional write;
 * the purge and the lift run as jobs (Executor.purge, RestrictionLifter).
 */
export class AccountLifecycle {
  constructor(private readonly deps: AccountLifecycleDeps) {}

  /**
   * Restores the soft-deleted account in each service that soft-deleted it, then closes the
   * request as `account_restored` so its purge never runs. What the other services erased stays erased.
   */
  async restore(requestId: string, actor: Actor, actorIsApprover: boolean): Promise<LifecycleOutcome> {
    const { store, clock, adapters, log } = this.deps;
    const request = (await store.get(requestId))?.request;
    if (!request) return { result: 'refused', code: 'unknownRequest' };
    const refusal = restoreRefusal(request, { actor, actorIsApprover });
    if (refusal) return { result: 'refused', code: refusal, request };
    const softDeleted = (Object.entries(request.steps) as [ServiceName, StepOutcome][]).filter(([service, step]) => step.awaitsPurge && adapters.get(service)?.restore);
    for (const [service] of softDeleted) {
      try {
        await adapters.get(service)!.restore!(request.subject, { requestId, kind: request.kind });
      } catch (error) {
        log.warn({ requestId, service, error: errorCode(error) }, 'restore failed');
        return { result: 'refused', code: statusCodeOf(error) === 404 ? 'notInDeletedItems' : 'restoreFailed', request };
      }
    }
    const at = clock.now();
    const restored = await updateRequest(store, requestId, (r) => {
      if (restoreRefusal(r, { actor, actorIsApprover })) return undefined;
      const steps = Object.fromEntries(Object.entries(r.steps).map(([s, step]) => [s, step && { ...step, awaitsPurge: false }]));
      const { purgeAt: _noPurge, ...rest } = applyEvent(r, 'accountRestored', at);
      return { ...rest, steps, restored: { by: actor, at: at.toISOString() } };
    });
    if (!restored) return { result: 'refused', code: 'notSoftDeleted', request: (await store.get(requestId))?.request };
    await this.deps.audit.append(requestId, 'account restored', { by: actor.aadObjectId, services: softDeleted.map(([s]) => s).join(',') });
    log.info({ requestId }, 'soft-deleted account restored');
    await this.tell('accountRestored', restored);
    return { result: 'done', code: 'restored', request: restored, approvalsStillNeeded: 0 };
  }

  /** One approval of purging the soft-deleted account at once; the last one needed starts the purge job. */
  async approvePurgeNow(requestId: string, actor: Actor, actorIsApprover: boolean): Promise<LifecycleOutcome> {
    return this.approve(requestId, 'purgeNow', actor, actorIsApprover);
  }

  /**
   * One approval of lifting a completed restriction; the last one needed starts the lift job.
   * Once approved, a click on a lift that failed in some service runs it again.
   */
  async approveLift(requestId: string, actor: Actor, actorIsApprover: boolean): Promise<LifecycleOutcome> {
    const current = (await this.deps.store.get(requestId))?.request;
    if (current && liftRetryable(current.lift) && current.state === 'completed') return this.retryLift(current, actor, actorIsApprover);
    return this.approve(requestId, 'liftRestriction', actor, actorIsApprover);
  }

  private async retryLift(request: DsrRequest, actor: Actor, actorIsApprover: boolean): Promise<LifecycleOutcome> {
    const refusal = !actorIsApprover ? 'notApprover' : actor.aadObjectId === request.subject.aadObjectId ? 'aboutThemselves' : undefined;
    if (refusal) return { result: 'refused', code: refusal, request };
    await this.deps.audit.append(request.id, 'lift retried', { by: actor.aadObjectId });
    await this.deps.queue.enqueue({ type: 'lift', requestId: request.id });
    return { result: 'done', code: 'liftRetried', request, approvalsStillNeeded: 0 };
  }

  private async approve(requestId: string, action: FollowUpAction, actor: Actor, actorIsApprover: boolean): Promise<LifecycleOutcome> {
    const { store, clock } = this.deps;
    let refusal: LifecycleRefusal | undefined;
    let stillNeeded = 0;
    let voided: Actor[] = [];
    let recorded: DsrRequest | undefined;
    for (let read = 1; ; read++) {
      const current = (await store.get(requestId))?.request;
      if (!current) return { result: 'refused', code: 'unknownRequest' };
      const standings: Map<string, ApproverStanding> = await readStandings(this.deps.approvers, followUpApproversToCheck(current, action, actor.aadObjectId), actor, actorIsApprover);
      let unread = false;
      recorded = await updateRequest(store, requestId, (r) => {
        unread = followUpApproversToCheck(r, action, actor.aadObjectId).some((id) => !standings.has(id));
        if (unread) return undefined;
        const outcome = approveFollowUp(r, action, { actor, actorIsApprover, at: clock.now(), erasureApprovals: this.deps.erasureApprovals, approvers: standings });
        if (outcome.result === 'refused') {
          refusal = outcome.code;
          return undefined;
        }
        refusal = undefined;
        stillNeeded = outcome.approvalsStillNeeded;
        voided = outcome.voided;
        return outcome.request;
      });
      if (!unread) break;
      if (read >= STANDING_READS) return { result: 'refused', code: 'busy', request: current };
    }
    if (!recorded) return { result: 'refused', code: refusal ?? 'unknownRequest', request: (await store.get(requestId))?.request };
    for (const approver of voided) {
      await this.deps.audit.append(requestId, 'approval voided', { approver: approver.aadObjectId, of: action, why: 'no longer an approver or without a person key' });
    }
    const what = action === 'purgeNow' ? 'purge now' : 'lift restriction';
    await this.deps.audit.append(requestId, `${what} approved`, { approver: actor.aadObjectId, approvalsStillNeeded: stillNeeded });
    this.deps.log.info({ requestId, action, stillNeeded }, 'follow-up approval recorded');
    if (stillNeeded > 0) {
      await this.tell('followUpApprovalRecorded', recorded);
      return { result: 'done', code: 'approvalRecorded', request: recorded, approvalsStillNeeded: stillNeeded };
    }
    await this.deps.queue.enqueue({ type: action === 'purgeNow' ? 'purge' : 'lift', requestId });
    await this.tell('followUpApprovalRecorded', recorded);
    return { result: 'done', code: action === 'purgeNow' ? 'purgeStarted' : 'liftStarted', request: recorded, approvalsStillNeeded: 0 };
  }

  private tell(notice: RequestNotice, request: DsrRequest): Promise<void> {
    return notifySafely(this.deps, notice, request);
  }
}
