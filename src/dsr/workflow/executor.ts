import { Clock } from '../ports';
import { addDays } from '../model/deadlines';
import { AuditAnchor, AuditEvent, AuditLog, ExportStore, JobQueue, Logger, Notifier, PackageStoreError, PackageWriter, RequestNotice, RequestStore } from '../ports';
import { describeFailure, errorCode, failureAuditFields } from '../model/serviceFailures';
import { countsOf, notifySafely } from './notifySafely';
import { type SentNotices, updateRecordingSent } from './noticeOutbox';
import { applyEvent, updateRequest } from './requestUpdates';
import { AdapterCallContext, ServiceAdapter, StepReport } from '../ports';
import { ManualStepInput, ManualStepRefusal, closingEvent, confirmManualStep } from '../model/manualSteps';
import { approvedPlan, mergeStepOutcomes, newDeltaRound } from '../model/plan';
import { ServiceExports } from './serviceExports';
import { canTake, isOpen } from '../model/stateMachine';
import { Actor, DsrRequest, ManualStepOutcome, PACKAGE_FOLDERS, RunLease, ServiceName, StepOutcome } from '../model/types';

export interface ExecutorDeps {
  store: RequestStore;
  queue: JobQueue;
  audit: AuditLog;
  notifier: Notifier;
  exports: ExportStore;
  adapters: ReadonlyMap<ServiceName, ServiceAdapter>;
  clock: Clock;
  log: Logger;
  /** Days a soft-deleted Entra account stays restorable before the bot purges it. */
  purgeGraceDays: number;
  /** This worker's name on the run leases it holds: unique per process. */
  workerId: string;
  /** How long a run's lease holds without renewal; renewed every third of it while the run works. */
  leaseMs: number;
  /** Told when a request closes, to anchor the audit chains outside the store soon. */
  anchor?: AuditAnchor;
  /** A service whose own export runs for days (system-generated logs): started here, delivered later. */
  serviceExports?: ServiceExports;
}

/**
 * The order of changes. IoT Hub before DPS: the hub's devices are also found through their DPS
 * registrations, which the DPS step deletes. Entra last: the other services are found through
 * the account.
 */
const CHANGE_ORDER: readonly ServiceName[] = ['digitalTwins', 'iotCentral', 'iotHub', 'dps', 'botStore', 'systemLogs', 'roleAssignments', 'entra'];

function executionOrder(services: ServiceName[]): ServiceName[] {
  return CHANGE_ORDER.filter((service) => services.includes(service));
}

/** Why a retry did nothing: codes and facts, worded by the bot. */
export type RetryRefusal =
  | { code: 'notApprover' }
  | { code: 'ownRequest' }
  | { code: 'nothingToRetry' | 'noExportToRetry'; requestId: string };

export type RetryOutcome =
  | ({ result: 'refused'; request?: DsrRequest } & RetryRefusal)
  | { result: 'done'; code: 'retrying' | 'exportAskedAgain'; requestId: string; request: DsrRequest };

/** An approver's confirmation of a manual step: refused, or recorded (and, with the last step, the request completed). */
export type ManualStepConfirmation =
  | ({ result: 'refused'; request?: DsrRequest } & (ManualStepRefusal | { code: 'unknownRequest'; requestId: string }))
  | { result: 'done'; code: 'stepConfirmed' | 'stepConfirmedAndComplete'; outcome: ManualStepOutcome; requestId: string; request: DsrRequest };

/** Another worker runs the request now: the job should come back once `until` has passed. */
export class LeaseHeld extends Error {
  constructor(
    readonly requestId: string,
    readonly until: string,
  ) {
    super(`Request ${requestId} is being carried out by another worker until ${until}.`);
    this.name = 'LeaseHeld';
  }
}

/**
 * Carries out approved requests, one service step at a time. Each finished step that changes a
 * service is written before the next starts, so a crash resumes where it stopped and no step
 * takes effect twice; an export's steps only read, and a resumed export reads again.
 */
export class Executor {
  /** Requests this worker is running now. */
  private readonly running = new Set<string>();

  constructor(private readonly deps: ExecutorDeps) {}

  /**
   * Runs an approved request under a lease, so that one worker at a time carries it out. A live
   * lease held by another worker ends this call with {@link LeaseHeld} (the job comes back later);
   * an expired one is taken over, and the takeover audited.
   */
  async execute(requestId: string, sent?: SentNotices): Promise<void> {
    // The lease names this worker: a second job for the same request in this process must wait too.
    if (this.running.has(requestId)) {
      await this.refreshLeftCards(sent, await sent?.record());
      throw new LeaseHeld(requestId, new Date(this.deps.clock.now().getTime() + this.deps.leaseMs).toISOString());
    }
    this.running.add(requestId);
    try {
      await this.run(requestId, sent);
    } finally {
      this.running.delete(requestId);
    }
  }

  private async run(requestId: string, sent?: SentNotices): Promise<void> {
    const taken = await this.takeLease(requestId, sent);
    if (!taken) return;
    const { started, takenOverFrom } = taken;
    let request = taken.request;
    const lease = this.renewWhileRunning(requestId);
    try {
      this.deps.log.info({ requestId, resumed: !started }, 'execution started');
      if (takenOverFrom) await this.deps.audit.append(requestId, 'lease taken over', { expiredAt: takenOverFrom.expiresAt });
      if (started) await this.deps.audit.append(requestId, 'execution started', { ...(request.planHash ? { planHash: request.planHash } : {}), ...(request.deltas?.length ? { deltaRound: request.deltas.length } : {}) });
      else await this.deps.audit.append(requestId, 'execution resumed', { stepsDone: Object.keys(request.steps).length });
      await this.tell('progress', request);

      if (request.kind === 'access' || request.kind === 'export') {
        await this.exportPackage(request, lease.signal);
      } else {
        request = await this.runChanges(request, lease.signal);
        if (!lease.signal.aborted) await this.finish(request);
      }
    } finally {
      lease.stop();
    }
  }

  /**
   * Takes the run's lease: starts an approved request, resumes one whose lease is free or expired.
   * `sent`: notices the job sent first, recorded by the same write, taken or not.
   */
  private async takeLease(requestId: string, sent?: SentNotices): Promise<{ request: DsrRequest; started: boolean; takenOverFrom?: RunLease } | undefined> {
    const { store, clock, workerId } = this.deps;
    let took = false;
    let started = false;
    let takenOverFrom: RunLease | undefined;
    let heldUntil: string | undefined;
    const request = await updateRecordingSent(store, requestId, (r) => {
      const now = clock.now();
      took = false;
      heldUntil = undefined;
      takenOverFrom = undefined;
      started = canTake(r.state, 'startExecution');
      if (!started && r.state !== 'executing') return undefined;
      if (r.lease && r.lease.owner !== workerId) {
        if (new Date(r.lease.expiresAt) > now) {
          heldUntil = r.lease.expiresAt;
          return undefined;
        }
        takenOverFrom = r.lease;
      }
      took = true;
      const lease: RunLease = { owner: workerId, expiresAt: new Date(now.getTime() + this.deps.leaseMs).toISOString() };
      return { ...(started ? applyEvent(r, 'startExecution', now) : r), lease };
    }, sent);
    if (!took) await this.refreshLeftCards(sent, request);
    if (heldUntil) throw new LeaseHeld(requestId, heldUntil);
    return request && took ? { request, started, takenOverFrom } : undefined;
  }

  /** The cards the job's notices left for its run to refresh, refreshed now: this job does not run. */
  private async refreshLeftCards(sent: SentNotices | undefined, request: DsrRequest | undefined): Promise<void> {
    if (sent?.cardsLeft && request) await this.tell('progress', request);
  }

  /**
   * Renews the lease every third of its length while the run works. A renewal that finds the
   * lease gone to another worker (this one was stalled past its expiry) aborts the run: its
   * adapters stop at their next call, and no further outcome of it is written.
   */
  private renewWhileRunning(requestId: string): { signal: AbortSignal; stop(): void } {
    const { store, clock, workerId, leaseMs, log } = this.deps;
    const controller = new AbortController();
    const timer = setInterval(() => {
      updateRequest(store, requestId, (r) => {
        if (r.lease?.owner !== workerId) {
          controller.abort(new LeaseHeld(requestId, r.lease?.expiresAt ?? clock.now().toISOString()));
          return undefined;
        }
        return { ...r, lease: { owner: workerId, expiresAt: new Date(clock.now().getTime() + leaseMs).toISOString() } };
      }).catch((error: unknown) => log.warn({ requestId, error: errorCode(error) }, 'run lease not renewed'));
    }, Math.max(100, leaseMs / 3));
    return { signal: controller.signal, stop: () => clearInterval(timer) };
  }

  /**
   * A job that kept failing: its request goes where approvers can retry it (failed_partially,
   * Retry on the card) instead of staying approved or executing for ever.
   */
  async abandon(requestId: string): Promise<void> {
    const { store, clock, workerId } = this.deps;
    const abandoned = await updateRequest(store, requestId, (r) => {
      if (!canTake(r.state, 'executionPartlyFailed')) return undefined;
      if (r.lease && r.lease.owner !== workerId && new Date(r.lease.expiresAt) > clock.now()) return undefined;
      const { lease: _released, ...rest } = r;
      return applyEvent(rest, 'executionPartlyFailed', clock.now());
    });
    if (!abandoned) return;
    await this.deps.audit.append(requestId, 'failed partially', { ...countsOf(abandoned.steps), jobGaveUp: true });
    this.deps.log.warn({ requestId }, 'job gave up: request set to failed_partially for a retry');
    await this.tell('failed', abandoned);
  }

  /**
   * Approvers' "Retry failed steps": failed services run again, finished ones stand. As with a
   * decision, nobody acts on a request about themselves: a retry runs erasure steps again.
   */
  async retryFailedSteps(requestId: string, actor: Actor, actorIsApprover: boolean): Promise<RetryOutcome> {
    if (!actorIsApprover) return { result: 'refused', code: 'notApprover' };
    const exports = this.deps.serviceExports;
    if (exports && (await this.deps.store.get(requestId))?.request.state === 'awaiting_service_export') {
      const outcome = await exports.retry(requestId, actor, actorIsApprover);
      if (outcome.ok) return { result: 'done', code: 'exportAskedAgain', requestId, request: outcome.request };
      return outcome.reason === 'ownRequest' ? { result: 'refused', code: 'ownRequest' } : { result: 'refused', code: 'noExportToRetry', requestId };
    }
    let refusal: RetryRefusal = { code: 'nothingToRetry', requestId };
    const retried = await updateRequest(this.deps.store, requestId, (r) => {
      if (r.subject.aadObjectId === actor.aadObjectId) {
        refusal = { code: 'ownRequest' };
        return undefined;
      }
      if (!canTake(r.state, 'retryFailedSteps')) return undefined;
      const steps = Object.fromEntries(Object.entries(r.steps).filter(([, step]) => step?.status !== 'failed'));
      return { ...applyEvent(r, 'retryFailedSteps', this.deps.clock.now()), steps };
    });
    if (!retried) return { result: 'refused', ...refusal };
    await this.deps.audit.append(requestId, 'retried', { by: actor.aadObjectId });
    await this.deps.queue.enqueue({ type: 'execute', requestId });
    return { result: 'done', code: 'retrying', requestId, request: retried };
  }

  /** Permanently removes what erasure soft-deleted, once the grace period is over. */
  async purge(requestId: string): Promise<void> {
    const request = (await this.deps.store.get(requestId))?.request;
    if (!request || request.state !== 'soft_deleted') return;
    const pending = (Object.entries(request.steps) as [ServiceName, StepOutcome][]).filter(([, s]) => s.awaitsPurge);
    for (const [service] of pending) {
      const adapter = this.deps.adapters.get(service);
      if (!adapter?.purge) continue;
      await adapter.purge(request.subject, { requestId, kind: request.kind });
      await this.deps.audit.append(requestId, 'purged', { service });
    }
    const purged = await updateRequest(this.deps.store, requestId, (r) => {
      if (!canTake(r.state, 'accountPurged')) return undefined;
      const steps = Object.fromEntries(Object.entries(r.steps).map(([s, step]) => [s, step && { ...step, awaitsPurge: false }]));
      return { ...applyEvent(r, 'accountPurged', this.deps.clock.now()), steps };
    });
    if (purged) await this.tell('purged', purged);
    if (purged) this.deps.anchor?.anchorSoon();
  }

  /** Enqueues a purge for every soft-deleted account whose grace period is over. */
  async enqueueDuePurges(): Promise<number> {
    const due = await this.deps.store.listDueForPurge(this.deps.clock.now());
    for (const request of due) await this.deps.queue.enqueue({ type: 'purge', requestId: request.id });
    return due.length;
  }

  /**
   * access / export: every service's data into one package, streamed from the services into the
   * store; reads only, so a resumed run starts it again. A package that is not finished is given
   * up, so nothing half-written is stored and a run from scratch writes it afresh. Since a resumed
   * run does it all again anyway, the steps' outcomes are written with the run's end (the closing
   * event, the lease released) in one write, and their last audit entries with the closing one.
   */
  private async exportPackage(request: DsrRequest, signal: AbortSignal): Promise<void> {
    const writer = await this.deps.exports.openPackage(request);
    const outcomes: Partial<Record<ServiceName, StepOutcome>> = {};
    // The steps only read: their audit entries are appended together, in one transaction (those of
    // a run that fails on the store are lost with it; the run made again appends its own).
    const evidence: AuditEvent[] = [];
    const record = async (event: string, detail: AuditEvent['detail']) => void evidence.push({ event, detail });
    let delivery: Awaited<ReturnType<PackageWriter['finish']>> | undefined;
    try {
      for (const service of request.services) {
        const adapter = this.deps.adapters.get(service);
        if (!adapter) continue;
        let storeFailure: PackageStoreError | undefined;
        if (signal.aborted) break;
        const longRunning = this.deps.serviceExports?.service === service ? this.deps.serviceExports : undefined;
        if (longRunning) {
          outcomes[service] = await this.runStep(request, service, signal, () => longRunning.start(request, (r) => this.stillHeld(r), signal), record);
          continue;
        }
        outcomes[service] = await this.runStep(request, service, signal, async (context) => {
          let files = 0;
          for await (const file of adapter.export(request.subject, context)) {
            try {
              await writer.addFile(`${PACKAGE_FOLDERS[service]}/${file.path}`, file.content);
            } catch (error) {
              if (error instanceof PackageStoreError) storeFailure = error;
              throw error;
            }
            files++;
          }
          return { summary: { code: 'step.filesExported', files }, count: files };
        }, record);
        // The store, not the service, failed: the whole export fails, as a failed finish does.
        if (storeFailure) throw storeFailure;
      }
      const failed = Object.values(outcomes).some((o) => o?.status === 'failed');
      if (!failed && !signal.aborted) {
        // Before the package is sealed: its manifest holds the chain's head, steps included.
        await this.deps.audit.appendAll(request.id, evidence.splice(0));
        delivery = await writer.finish();
      }
    } finally {
      if (!delivery) await writer.abort();
    }
    const now = this.deps.clock.now();
    const updated = await updateRequest(this.deps.store, request.id, (r) => {
      if (!this.stillHeld(r)) return undefined;
      const run = { ...r, steps: { ...r.steps, ...outcomes }, ...(delivery ? { delivery: { ...delivery, writtenAt: now.toISOString() } } : {}) };
      return (signal.aborted ? undefined : this.ended(run)) ?? run;
    });
    if (delivery) evidence.push({ event: 'package written', detail: { bytes: delivery.bytes, sha256: delivery.sha256 } });
    // Written without its lease: the run ended.
    if (updated && !updated.lease) await this.closed(updated, evidence);
    else await this.deps.audit.appendAll(request.id, evidence);
  }

  /**
   * rectify / restrict / erase: one service at a time, each result written before the next. Each
   * adapter is given the service's approved items (discovery's plan and any approved delta) and
   * touches only those; a step rerun for an approved delta is merged with the run before it.
   */
  private async runChanges(request: DsrRequest, signal: AbortSignal): Promise<DsrRequest> {
    let current = request;
    const plan = request.planHash ? approvedPlan(request) : undefined;
    const rerunOf = request.deltas?.at(-1)?.stepsBefore ?? {};
    for (const service of executionOrder(request.services)) {
      if (signal.aborted) break;
      const previous = current.steps[service];
      if (previous?.status === 'done' || previous?.status === 'skipped') continue;
      const adapter = this.deps.adapters.get(service);
      if (!adapter) continue;
      const planned = plan ? { plan: plan[service] ?? [] } : {};
      const outcome = await this.runStep(current, service, signal, (context) => this.change(adapter, current, { ...context, ...planned }));
      const merged = outcome.status === 'done' ? mergeStepOutcomes(rerunOf[service], outcome) : outcome;
      const written = await updateRequest(this.deps.store, request.id, (r) => (this.stillHeld(r) ? { ...r, steps: { ...r.steps, [service]: merged } } : undefined));
      if (!written) break;
      current = written;
      await this.tell('progress', current);
    }
    return current;
  }

  /** Whether this worker still holds the request's run: a run that lost its lease writes nothing more. */
  private stillHeld(request: DsrRequest): boolean {
    return request.lease?.owner === this.deps.workerId;
  }

  private change(adapter: ServiceAdapter, request: DsrRequest, context: AdapterCallContext): Promise<StepReport | undefined> {
    switch (request.kind) {
      case 'erase':
        return adapter.erase(request.subject, context);
      case 'rectify':
        return adapter.rectify ? adapter.rectify(request.subject, request.corrections ?? {}, context) : Promise.resolve(undefined);
      case 'restrict':
        return adapter.restrict ? adapter.restrict(request.subject, context) : Promise.resolve(undefined);
      default:
        return Promise.resolve(undefined);
    }
  }

  /**
   * Runs one service step; `undefined` from `work` means the service has nothing to do for this kind.
   * `record` takes the step's audit entry: appended at once unless the caller keeps it for later.
   */
  private async runStep(
    request: DsrRequest,
    service: ServiceName,
    signal: AbortSignal,
    work: (context: AdapterCallContext) => Promise<StepReport | undefined>,
    record: (event: string, detail: AuditEvent['detail']) => Promise<void> = (event, detail) => this.deps.audit.append(request.id, event, detail),
  ): Promise<StepOutcome> {
    const attempts = (request.steps[service]?.attempts ?? 0) + 1;
    const at = () => this.deps.clock.now().toISOString();
    try {
      const report = await work({ requestId: request.id, kind: request.kind, signal });
      const outcome: StepOutcome = report
        ? {
          status: 'done',
          summary: report.summary,
          count: report.count,
          at: at(),
          attempts,
          ...(report.awaitsPurge ? { awaitsPurge: true } : {}),
          ...(report.items ? { items: report.items } : {}),
          ...(report.delta?.length ? { delta: report.delta } : {}),
        }
        : { status: 'skipped', summary: { code: 'step.nothingToDo', kind: request.kind }, count: 0, at: at(), attempts };
      // Counts only: item ids may spell names, and the audit trail carries ids of staff and counts.
      await record(`step ${outcome.status}`, {
        service,
        count: outcome.count,
        attempts,
        ...(report?.items ? { alreadyGone: report.items.filter((i) => i.result === 'alreadyGone').length } : {}),
        ...(report?.delta?.length ? { delta: report.delta.length } : {}),
      });
      this.deps.log.info({ requestId: request.id, service, status: outcome.status, count: outcome.count }, 'service step finished');
      return outcome;
    } catch (error) {
      const failure = describeFailure(service, error);
      this.deps.log.warn({ requestId: request.id, service, error: errorCode(error) }, 'service step failed');
      await record('step failed', { service, attempts, ...failureAuditFields(failure) });
      return { status: 'failed', summary: { code: 'step.failed' }, count: 0, at: at(), attempts, error: failure };
    }
  }

  /**
   * An approver confirms a manual step (done, or not applicable). Confirming the last one of a
   * request whose automated steps are done closes it, in the same conditional write.
   */
  async confirmManualStep(requestId: string, input: Omit<ManualStepInput, 'at'>): Promise<ManualStepConfirmation> {
    let refusal: ManualStepRefusal | { code: 'unknownRequest'; requestId: string } = { code: 'unknownRequest', requestId };
    const confirmed = await updateRequest(this.deps.store, requestId, (r) => {
      const outcome = confirmManualStep(r, { ...input, at: this.deps.clock.now() });
      if (outcome.result === 'refused') {
        const { result: _refused, ...why } = outcome;
        refusal = why;
        return undefined;
      }
      return r.state === 'awaiting_manual_steps' ? this.close(outcome.request) ?? outcome.request : outcome.request;
    });
    if (!confirmed) return { result: 'refused', ...refusal, request: (await this.deps.store.get(requestId))?.request };
    await this.deps.audit.append(requestId, 'manual step confirmed', { step: input.key, outcome: input.outcome, by: input.actor.aadObjectId });
    const closed = !isOpen(confirmed.state);
    if (closed) await this.closed(confirmed);
    else await this.tell('progress', confirmed);
    return { result: 'done', code: closed ? 'stepConfirmedAndComplete' : 'stepConfirmed', outcome: input.outcome, requestId, request: confirmed };
  }

  /** Ends the run: the request takes its closing event and the lease is released, in one write. */
  private async finish(request: DsrRequest): Promise<void> {
    const finished = await updateRequest(this.deps.store, request.id, (r) => (this.stillHeld(r) ? this.ended(r) : undefined));
    if (finished) await this.closed(finished);
  }

  /** The request with its run ended, the lease released; undefined when it cannot take a closing event. */
  private ended(request: DsrRequest): DsrRequest | undefined {
    const { lease: _released, ...rest } = request;
    return this.close(rest);
  }

  /** The request moved on by its closing event, or undefined when it cannot take one. */
  private close(request: DsrRequest): DsrRequest | undefined {
    const event = closingEvent(request);
    if (!event) return undefined;
    const closed = applyEvent(request, event, this.deps.clock.now());
    if (event === 'deltaFound') return newDeltaRound(closed, this.deps.clock.now());
    if (event !== 'accountSoftDeleted') return closed;
    // The grace period runs from the soft delete, which may be days before the last manual step.
    const deletedAt = Object.values(request.steps).filter((s) => s?.awaitsPurge).map((s) => s!.at).sort()[0];
    return { ...closed, purgeAt: addDays(new Date(deletedAt), this.deps.purgeGraceDays).toISOString() };
  }

  /** Records and announces where execution ended; `evidence`: the run's audit entries not yet appended, which go before. */
  private async closed(request: DsrRequest, evidence: readonly AuditEvent[] = []): Promise<void> {
    const { state } = request;
    const record = (event: string, detail: AuditEvent['detail']) => this.deps.audit.appendAll(request.id, [...evidence, { event, detail }]);
    if (state === 'awaiting_delta_approval') {
      const round = request.deltas!.at(-1)!;
      await record('delta found', { ...countsOf(Object.fromEntries(Object.entries(round.plan).map(([s, items]) => [s, { count: items?.length ?? 0 }]))), planHash: round.planHash });
      this.deps.log.info({ requestId: request.id, state }, 'execution paused: items beyond the plan wait for approval');
      await this.tell('deltaAwaitingApproval', request);
      return;
    }
    if (state === 'awaiting_service_export') {
      await record('awaiting service export', countsOf(request.steps));
      this.deps.log.info({ requestId: request.id, state }, 'first package written: a service export follows');
      await this.tell('awaitingServiceExport', request);
      await this.deps.serviceExports?.warnIfStuck(request.id);
      return;
    }
    const event = state === 'failed_partially' ? 'failed partially' : state === 'awaiting_manual_steps' ? 'awaiting manual steps' : 'completed';
    await record(event, countsOf(request.steps));
    this.deps.log.info({ requestId: request.id, state }, 'execution finished');
    this.deps.anchor?.anchorSoon();
    await this.tell(state === 'failed_partially' ? 'failed' : state === 'awaiting_manual_steps' ? 'manualStepsPending' : 'completed', request);
  }

  private tell(notice: RequestNotice, request: DsrRequest): Promise<void> {
    return notifySafely(this.deps, notice, request);
  }
}
