import { Clock } from '../ports';
import { errorCode } from '../model/serviceFailures';
import { AuditAnchor, AuditLog, ExportStore, Logger, Notifier, RequestNotice, RequestStore } from '../ports';
import { notifySafely } from './notifySafely';
import { applyEvent, updateRequest } from './requestUpdates';
import { StepReport } from '../ports';
import { LongRunningExport, ServiceExportSpace } from '../ports';
import { Actor, DsrRequest, PACKAGE_FOLDERS, ServiceExport } from '../model/types';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Nobody else polls while a poll runs: its claim on the request holds this long. */
const POLL_CLAIM_MS = 5 * 60 * 1000;

export interface ServiceExportsDeps {
  store: RequestStore;
  audit: AuditLog;
  notifier: Notifier;
  exports: ExportStore;
  exporter: LongRunningExport;
  space: ServiceExportSpace;
  clock: Clock;
  log: Logger;
  /** The shortest wait between two checks of a running export, whatever the service asks for. */
  minPollSeconds: number;
  /** How many days before the due date approvers hear of an export still running. */
  warnDaysBeforeDue: number;
  /** Told when a request closes, to anchor the audit chains outside the store soon. */
  anchor?: AuditAnchor;
}

/** What starting a request's service export came to, for the executor's step. */
export type ServiceExportStart = 'started' | 'alreadyStarted' | 'answerLost';

/** A Retry refused, or the request it restarted. */
export type ServiceExportRetry = { ok: true; request: DsrRequest } | { ok: false; reason: 'notApprover' | 'ownRequest' | 'nothingToRetry' };

/**
 * A service's own export that runs for days (Entra's system-generated logs): started once per
 * request into a place the bot owns, polled no more often than the service and the settings allow,
 * delivered as a second package, and the place removed. Every step is one conditional write on the
 * request, so a crash or a job delivered twice never starts a second export: the start is recorded
 * before it is asked for, and a start whose answer was lost waits for an approver's Retry.
 */
export class ServiceExports {
  constructor(private readonly deps: ServiceExportsDeps) {}

  get service() {
    return this.deps.exporter.service;
  }

  /** Whether `request` waits on this export: asked for and not yet delivered. */
  static pending(request: DsrRequest): boolean {
    return request.serviceExport !== undefined && request.serviceExport.delivery === undefined;
  }

  /**
   * The executor's step for this service in an access or export run: starts the export unless the
   * request already has one. `stillHeld` says whether the run still holds the request.
   */
  async start(request: DsrRequest, stillHeld: (current: DsrRequest) => boolean, signal?: AbortSignal): Promise<StepReport> {
    let outcome = 'started' as ServiceExportStart;
    const now = this.deps.clock.now();
    const marked = await updateRequest(this.deps.store, request.id, (r) => {
      if (!stillHeld(r)) return undefined;
      if (r.serviceExport?.status === 'requested') {
        outcome = 'answerLost';
        return { ...r, serviceExport: { ...r.serviceExport, status: 'unknown' } };
      }
      if (r.serviceExport) {
        outcome = 'alreadyStarted';
        return undefined;
      }
      return { ...r, serviceExport: { service: this.service, status: 'requested', requestedAt: now.toISOString(), starts: 1 } };
    });
    if (outcome === 'alreadyStarted') return { summary: { code: 'serviceExport.alreadyRequested' }, count: 1 };
    if (outcome === 'answerLost') {
      await this.deps.audit.append(request.id, 'service export answer lost', { service: this.service });
      return { summary: { code: 'serviceExport.answerLost' }, count: 1 };
    }
    if (!marked) return { summary: { code: 'serviceExport.notRequested' }, count: 0 };
    await this.ask(marked, signal);
    return { summary: { code: 'serviceExport.requested' }, count: 1 };
  }

  /**
   * One poll, as a queue job: due polls only, claimed with the request's ETag so that a job
   * delivered twice checks once. Ends with the second package, a warning, or the next poll time.
   */
  async poll(requestId: string): Promise<void> {
    const now = this.deps.clock.now();
    const claimed = await updateRequest(this.deps.store, requestId, (r) => {
      const se = r.serviceExport;
      if (r.state !== 'awaiting_service_export' || !se?.operation || !isRunning(se)) return undefined;
      if (se.nextPollAt && Date.parse(se.nextPollAt) > now.getTime()) return undefined;
      return { ...r, serviceExport: { ...se, nextPollAt: new Date(now.getTime() + POLL_CLAIM_MS).toISOString() } };
    });
    if (!claimed) return;
    const se = claimed.serviceExport!;
    let check;
    try {
      check = await this.deps.exporter.check(se.operation!, { requestId, kind: claimed.kind });
    } catch (error) {
      // The claim lapses and a later sweep polls again; the call policy has retried already.
      this.deps.log.warn({ requestId, service: this.service, error: errorCode(error) }, 'service export not checked');
      return;
    }
    const waitSeconds = Math.max(check.retryAfterSeconds ?? 0, this.deps.minPollSeconds);
    const checked = await this.record(requestId, {
      status: check.status,
      progress: check.progress,
      lastPolledAt: now.toISOString(),
      nextPollAt: new Date(now.getTime() + waitSeconds * 1000).toISOString(),
    });
    if (!checked) return;
    if (check.status === 'complete') {
      await this.deliver(checked);
      return;
    }
    if (check.status === 'failed') await this.deps.audit.append(requestId, 'service export failed', { service: this.service });
    if (check.status === 'failed' || this.lateFor(checked)) await this.warn(requestId);
    else if (se.progress !== check.progress || se.status !== check.status) await this.tell('progress', checked);
  }

  /** The requests whose next poll is due now: for the sweep to put their jobs on the queue. */
  async duePolls(): Promise<string[]> {
    const now = this.deps.clock.now().getTime();
    const open = await this.deps.store.listOpen();
    return open
      .filter((r) => r.state === 'awaiting_service_export' && r.serviceExport && isRunning(r.serviceExport))
      .filter((r) => !r.serviceExport!.nextPollAt || Date.parse(r.serviceExport!.nextPollAt) <= now)
      .map((r) => r.id);
  }

  /**
   * Approvers' Retry on a failed export (or one whose start's answer was lost): the place is
   * emptied and the export asked for again. As with any decision, never by the subject.
   */
  async retry(requestId: string, actor: Actor, actorIsApprover: boolean): Promise<ServiceExportRetry> {
    if (!actorIsApprover) return { ok: false, reason: 'notApprover' };
    const current = (await this.deps.store.get(requestId))?.request;
    if (current?.subject.aadObjectId === actor.aadObjectId) return { ok: false, reason: 'ownRequest' };
    if (!current || !retryable(current)) return { ok: false, reason: 'nothingToRetry' };
    // What a failed export left behind goes first: the second package holds only the new export's files.
    await this.deps.space.remove(requestId);
    const now = this.deps.clock.now();
    const marked = await updateRequest(this.deps.store, requestId, (r) => {
      if (!retryable(r)) return undefined;
      const { operation: _old, progress: _p, nextPollAt: _n, lastPolledAt: _l, ...rest } = r.serviceExport!;
      return { ...r, serviceExport: { ...rest, status: 'requested', requestedAt: now.toISOString(), starts: rest.starts + 1 } };
    });
    if (!marked) return { ok: false, reason: 'nothingToRetry' };
    await this.deps.audit.append(requestId, 'service export retried', { service: this.service, by: actor.aadObjectId });
    const asked = await this.ask(marked);
    return { ok: true, request: asked ?? marked };
  }

  /** Tells approvers when the request waits on an export that cannot arrive without them (failed, or its start lost). */
  async warnIfStuck(requestId: string): Promise<void> {
    const se = (await this.deps.store.get(requestId))?.request.serviceExport;
    if (se && (se.status === 'failed' || se.status === 'unknown')) await this.warn(requestId);
  }

  /** Asks the service to start, and records its answer (or its refusal: the export then failed). */
  private async ask(request: DsrRequest, signal?: AbortSignal): Promise<DsrRequest | undefined> {
    const now = this.deps.clock.now();
    try {
      const destination = await this.deps.space.prepare(request.id);
      const { operation, retryAfterSeconds } = await this.deps.exporter.start(request.subject, destination, { requestId: request.id, kind: request.kind, signal });
      const waitSeconds = Math.max(retryAfterSeconds, this.deps.minPollSeconds);
      const recorded = await this.record(request.id, { status: 'notStarted', operation, progress: 0, nextPollAt: new Date(now.getTime() + waitSeconds * 1000).toISOString() });
      await this.deps.audit.append(request.id, 'service export started', { service: this.service, starts: request.serviceExport!.starts });
      return recorded;
    } catch (error) {
      this.deps.log.warn({ requestId: request.id, service: this.service, error: errorCode(error) }, 'service export not started');
      const failed = await this.record(request.id, { status: 'failed' });
      await this.deps.audit.append(request.id, 'service export failed', { service: this.service, starting: true });
      if (failed?.state === 'awaiting_service_export') await this.warn(request.id);
      return failed;
    }
  }

  /** The second package: what the service wrote, under its folder, with the same manifest rules; then the request completes. */
  private async deliver(request: DsrRequest): Promise<void> {
    const folder = PACKAGE_FOLDERS[this.service];
    const writer = await this.deps.exports.openPackage(request, folder);
    let written;
    try {
      for await (const file of this.deps.space.files(request.id)) await writer.addFile(`${folder}/${file.path}`, file.content);
      written = await writer.finish();
    } finally {
      if (!written) await writer.abort();
    }
    const now = this.deps.clock.now();
    const delivered = await updateRequest(this.deps.store, request.id, (r) => {
      if (r.state !== 'awaiting_service_export' || !r.serviceExport || r.serviceExport.delivery) return undefined;
      const serviceExport: ServiceExport = { ...r.serviceExport, status: 'complete', progress: 100, delivery: { ...written!, writtenAt: now.toISOString() } };
      return applyEvent({ ...r, serviceExport }, 'executionSucceeded', now);
    });
    if (!delivered) return;
    await this.deps.audit.append(request.id, 'service export delivered', { service: this.service, bytes: written.bytes, sha256: written.sha256 });
    await this.deps.audit.append(request.id, 'completed', { [this.service]: 1 });
    this.deps.anchor?.anchorSoon();
    // Written into the package and recorded: the service's copy in the bot's account goes.
    await this.deps.space.remove(request.id).catch((error: unknown) => this.deps.log.warn({ requestId: request.id, error: errorCode(error) }, 'service export place not removed'));
    await this.tell('serviceExportDelivered', delivered);
  }

  /** Tells approvers once per due date that the export needs them (failed, lost, or late), with the choice to extend. */
  private async warn(requestId: string): Promise<void> {
    const warned = await updateRequest(this.deps.store, requestId, (r) => {
      if (!r.serviceExport || r.serviceExport.warnedFor === r.dueAt) return undefined;
      return { ...r, serviceExport: { ...r.serviceExport, warnedFor: r.dueAt } };
    });
    if (!warned) return;
    await this.deps.audit.append(requestId, 'service export needs approvers', { service: this.service, status: warned.serviceExport!.status });
    await this.tell('serviceExportNeedsApprovers', warned);
  }

  /** Still running within `warnDaysBeforeDue` of the due date, and not yet told for it. */
  private lateFor(request: DsrRequest): boolean {
    const se = request.serviceExport!;
    const warnFrom = Date.parse(request.dueAt) - this.deps.warnDaysBeforeDue * DAY_MS;
    return isRunning(se) && se.warnedFor !== request.dueAt && this.deps.clock.now().getTime() >= warnFrom;
  }

  private record(requestId: string, change: Partial<ServiceExport>): Promise<DsrRequest | undefined> {
    return updateRequest(this.deps.store, requestId, (r) => (r.serviceExport && !r.serviceExport.delivery ? { ...r, serviceExport: { ...r.serviceExport, ...change } } : undefined));
  }

  private tell(notice: RequestNotice, request: DsrRequest): Promise<void> {
    return notifySafely(this.deps, notice, request);
  }
}

/** Waiting on an export only an approver's Retry can restart: failed, or its start's answer lost. */
function retryable(request: DsrRequest): boolean {
  const status = request.serviceExport?.status;
  return request.state === 'awaiting_service_export' && (status === 'failed' || status === 'unknown');
}

function isRunning(se: ServiceExport): boolean {
  return se.status === 'notStarted' || se.status === 'running';
}
