import { Clock } from './clock';
import { addDays } from './deadlines';
import { AuditAnchor, AuditLog, ExportStore, JobQueue, Logger, Notifier, PackageStoreError, PackageWriter, RequestNotice, RequestStore } from './ports';
import { describeFailure, errorCode } from './failures';
import { countsOf, notifySafely } from './notify';
import { applyEvent, updateRequest } from './requestUpdates';
import { AdapterCallContext, ServiceAdapter, StepReport } from './serviceAdapter';
import { ManualStepInput, closingEvent, confirmManualStep } from './manualSteps';
import { canTake, isOpen } from './stateMachine';
import { Actor, DsrRequest, PACKAGE_FOLDERS, ServiceName, StepOutcome } from './types';

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
  /** Told when a request closes, to anchor the audit chains outside the store soon. */
  anchor?: AuditAnchor;
}

/**
 * The order of changes. IoT Hub before DPS: the hub's devices are also found through their DPS
 * registrations, which the DPS step deletes. Entra last: the other services are found through
 * the account.
 */
const CHANGE_ORDER: readonly ServiceName[] = ['digitalTwins', 'iotCentral', 'iotHub', 'dps', 'botStore', 'entra'];

function executionOrder(services: ServiceName[]): ServiceName[] {
  return CHANGE_ORDER.filter((service) => services.includes(service));
}

/**
 * Carries out approved requests, one service step at a time. Each finished step is written
 * before the next starts, so a crash resumes where it stopped and no step takes effect twice.
 */
export class Executor {
  constructor(private readonly deps: ExecutorDeps) {}

  async execute(requestId: string): Promise<void> {
    const { store, clock } = this.deps;
    const started = await updateRequest(store, requestId, (r) =>
      canTake(r.state, 'startExecution') ? applyEvent(r, 'startExecution', clock.now()) : undefined,
    );
    let request = started ?? (await store.get(requestId))?.request;
    if (!request || request.state !== 'executing') return;
    this.deps.log.info({ requestId, resumed: !started }, 'execution started');
    if (started) await this.deps.audit.append(requestId, 'execution started', {});
    else await this.deps.audit.append(requestId, 'execution resumed', { stepsDone: Object.keys(request.steps).length });
    await this.tell('progress', request);

    request = request.kind === 'access' || request.kind === 'export' ? await this.exportPackage(request) : await this.runChanges(request);
    await this.finish(request);
  }

  /** Approvers' "Retry failed steps": failed services run again, finished ones stand. */
  async retryFailedSteps(requestId: string, actor: Actor, actorIsApprover: boolean): Promise<{ ok: boolean; message: string; request?: DsrRequest }> {
    if (!actorIsApprover) return { ok: false, message: 'Only privacy admins can retry a request.' };
    const retried = await updateRequest(this.deps.store, requestId, (r) => {
      if (!canTake(r.state, 'retryFailedSteps')) return undefined;
      const steps = Object.fromEntries(Object.entries(r.steps).filter(([, step]) => step?.status !== 'failed'));
      return { ...applyEvent(r, 'retryFailedSteps', this.deps.clock.now()), steps };
    });
    if (!retried) return { ok: false, message: `${requestId} has no failed steps to retry.` };
    await this.deps.audit.append(requestId, 'retried', { by: actor.aadObjectId });
    await this.deps.queue.enqueue({ type: 'execute', requestId });
    return { ok: true, message: `Retrying the failed steps of ${requestId}.`, request: retried };
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
   * up, so nothing half-written is stored and a run from scratch writes it afresh.
   */
  private async exportPackage(request: DsrRequest): Promise<DsrRequest> {
    const writer = await this.deps.exports.openPackage(request);
    const outcomes: Partial<Record<ServiceName, StepOutcome>> = {};
    let delivery: Awaited<ReturnType<PackageWriter['finish']>> | undefined;
    try {
      for (const service of request.services) {
        const adapter = this.deps.adapters.get(service);
        if (!adapter) continue;
        let storeFailure: PackageStoreError | undefined;
        outcomes[service] = await this.runStep(request, service, async (context) => {
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
          return { summary: `${files} file${files === 1 ? '' : 's'} exported`, count: files };
        });
        // The store, not the service, failed: the whole export fails, as a failed finish does.
        if (storeFailure) throw storeFailure;
      }
      const failed = Object.values(outcomes).some((o) => o?.status === 'failed');
      if (!failed) delivery = await writer.finish();
    } finally {
      if (!delivery) await writer.abort();
    }
    const now = this.deps.clock.now();
    const updated = await updateRequest(this.deps.store, request.id, (r) => ({
      ...r,
      steps: { ...r.steps, ...outcomes },
      ...(delivery ? { delivery: { ...delivery, writtenAt: now.toISOString() } } : {}),
    }));
    if (delivery) await this.deps.audit.append(request.id, 'package written', { bytes: delivery.bytes, sha256: delivery.sha256 });
    return updated ?? request;
  }

  /** rectify / restrict / erase: one service at a time, each result written before the next. */
  private async runChanges(request: DsrRequest): Promise<DsrRequest> {
    let current = request;
    for (const service of executionOrder(request.services)) {
      const previous = current.steps[service];
      if (previous?.status === 'done' || previous?.status === 'skipped') continue;
      const adapter = this.deps.adapters.get(service);
      if (!adapter) continue;
      const outcome = await this.runStep(current, service, (context) => this.change(adapter, current, context));
      current = (await updateRequest(this.deps.store, request.id, (r) => ({ ...r, steps: { ...r.steps, [service]: outcome } }))) ?? current;
      await this.tell('progress', current);
    }
    return current;
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

  /** Runs one service step; `undefined` from `work` means the service has nothing to do for this kind. */
  private async runStep(request: DsrRequest, service: ServiceName, work: (context: AdapterCallContext) => Promise<StepReport | undefined>): Promise<StepOutcome> {
    const attempts = (request.steps[service]?.attempts ?? 0) + 1;
    const at = () => this.deps.clock.now().toISOString();
    try {
      const report = await work({ requestId: request.id, kind: request.kind });
      const outcome: StepOutcome = report
        ? { status: 'done', summary: report.summary, count: report.count, at: at(), attempts, ...(report.awaitsPurge ? { awaitsPurge: true } : {}) }
        : { status: 'skipped', summary: `nothing to ${request.kind} here`, count: 0, at: at(), attempts };
      await this.deps.audit.append(request.id, `step ${outcome.status}`, { service, count: outcome.count, attempts });
      this.deps.log.info({ requestId: request.id, service, status: outcome.status, count: outcome.count }, 'service step finished');
      return outcome;
    } catch (error) {
      const message = describeFailure(service, error);
      this.deps.log.warn({ requestId: request.id, service, error: errorCode(error) }, 'service step failed');
      await this.deps.audit.append(request.id, 'step failed', { service, attempts, error: message });
      return { status: 'failed', summary: 'failed', count: 0, at: at(), attempts, error: message };
    }
  }

  /**
   * An approver confirms a manual step (done, or not applicable). Confirming the last one of a
   * request whose automated steps are done closes it, in the same conditional write.
   */
  async confirmManualStep(requestId: string, input: Omit<ManualStepInput, 'at'>): Promise<{ ok: boolean; message: string; request?: DsrRequest }> {
    let refusal = `There is no request ${requestId}.`;
    const confirmed = await updateRequest(this.deps.store, requestId, (r) => {
      const outcome = confirmManualStep(r, { ...input, at: this.deps.clock.now() });
      if (outcome.result === 'refused') {
        refusal = outcome.message;
        return undefined;
      }
      return r.state === 'awaiting_manual_steps' ? this.close(outcome.request) ?? outcome.request : outcome.request;
    });
    if (!confirmed) return { ok: false, message: refusal, request: (await this.deps.store.get(requestId))?.request };
    await this.deps.audit.append(requestId, 'manual step confirmed', { step: input.key, outcome: input.outcome, by: input.actor.aadObjectId });
    const closed = !isOpen(confirmed.state);
    if (closed) await this.closed(confirmed);
    else await this.tell('progress', confirmed);
    const what = input.outcome === 'done' ? 'marked done' : 'marked not applicable';
    return { ok: true, message: closed ? `Step ${what}. ${requestId} is complete.` : `Step ${what}.`, request: confirmed };
  }

  private async finish(request: DsrRequest): Promise<void> {
    const finished = await updateRequest(this.deps.store, request.id, (r) => this.close(r));
    if (finished) await this.closed(finished);
  }

  /** The request moved on by its closing event, or undefined when it cannot take one. */
  private close(request: DsrRequest): DsrRequest | undefined {
    const event = closingEvent(request);
    if (!event) return undefined;
    const closed = applyEvent(request, event, this.deps.clock.now());
    if (event !== 'accountSoftDeleted') return closed;
    // The grace period runs from the soft delete, which may be days before the last manual step.
    const deletedAt = Object.values(request.steps).filter((s) => s?.awaitsPurge).map((s) => s!.at).sort()[0];
    return { ...closed, purgeAt: addDays(new Date(deletedAt), this.deps.purgeGraceDays).toISOString() };
  }

  /** Records and announces where execution ended. */
  private async closed(request: DsrRequest): Promise<void> {
    const { state } = request;
    const event = state === 'failed_partially' ? 'failed partially' : state === 'awaiting_manual_steps' ? 'awaiting manual steps' : 'completed';
    await this.deps.audit.append(request.id, event, countsOf(request.steps));
    this.deps.log.info({ requestId: request.id, state }, 'execution finished');
    await this.tell(state === 'failed_partially' ? 'failed' : state === 'awaiting_manual_steps' ? 'manualStepsPending' : 'completed', request);
    // After the telling, which records the delivery: the digest then includes it.
    this.deps.anchor?.anchorSoon();
  }

  private tell(notice: RequestNotice, request: DsrRequest): Promise<void> {
    return notifySafely(this.deps.notifier, this.deps.log, notice, request);
  }
}
