import { Clock } from '../ports';
import { describeFailure, errorCode } from '../model/serviceFailures';
import { isLiftable, restrictedItems, servicesToLift } from '../model/lifecycleRules';
import { countsOf, notifySafely } from './notifySafely';
import { AuditAnchor, AuditLog, Logger, Notifier, RequestNotice, RequestStore } from '../ports';
import { applyEvent, updateRequest } from './requestUpdates';
import { ServiceAdapter } from '../ports';
import { DsrRequest, ServiceName, StepOutcome } from '../model/types';

export interface RestrictionLifterDeps {
  store: RequestStore;
  audit: AuditLog;
  notifier: Notifier;
  adapters: ReadonlyMap<ServiceName, ServiceAdapter>;
  clock: Clock;
  log: Logger;
  anchor?: AuditAnchor;
}

/**
 * The lift job of an approved lift (src/dsr/workflow/accountLifecycle.ts): each service puts back what its
 * restrict step changed or removed, one service at a time, each outcome written before the next.
 * A service whose lift is done is not run again, so a retry after a failure redoes only the rest.
 */
export class RestrictionLifter {
  constructor(private readonly deps: RestrictionLifterDeps) {}

  async lift(requestId: string): Promise<void> {
    const { store, adapters, clock, log, audit } = this.deps;
    const request = (await store.get(requestId))?.request;
    if (!request?.lift?.approvedAt || !isLiftable(request)) return;
    let current: DsrRequest = request;
    for (const service of servicesToLift(request)) {
      const adapter = adapters.get(service);
      const attempts = (current.lift?.steps[service]?.attempts ?? 0) + 1;
      const at = () => clock.now().toISOString();
      let outcome: StepOutcome;
      try {
        const report = adapter?.liftRestriction ? await adapter.liftRestriction(request.subject, restrictedItems(request, service), { requestId, kind: request.kind }) : undefined;
        outcome = report
          ? { status: 'done', summary: report.summary, count: report.count, at: at(), attempts, ...(report.items ? { items: report.items } : {}) }
          : { status: 'skipped', summary: { code: 'step.nothingToPutBack' }, count: 0, at: at(), attempts };
      } catch (error) {
        log.warn({ requestId, service, error: errorCode(error) }, 'lift failed for a service');
        outcome = { status: 'failed', summary: { code: 'step.failed' }, count: 0, at: at(), attempts, error: describeFailure(service, error) };
      }
      await audit.append(requestId, `lift step ${outcome.status}`, { service, count: outcome.count, attempts });
      const written = await updateRequest(store, requestId, (r) => (r.lift && isLiftable(r) ? { ...r, lift: { ...r.lift, steps: { ...r.lift.steps, [service]: outcome } } } : undefined));
      if (!written) return;
      current = written;
    }
    if (servicesToLift(current).length > 0) {
      await audit.append(requestId, 'lift failed partially', countsOf(current.lift!.steps));
      await this.tell('liftFailed', current);
      return;
    }
    const lifted = await updateRequest(store, requestId, (r) => (isLiftable(r) && servicesToLift(r).length === 0 ? applyEvent(r, 'restrictionLifted', clock.now()) : undefined));
    if (!lifted) return;
    await audit.append(requestId, 'restriction lifted', countsOf(lifted.lift!.steps));
    log.info({ requestId }, 'restriction lifted');
    this.deps.anchor?.anchorSoon();
    await this.tell('restrictionLifted', lifted);
  }

  private tell(notice: RequestNotice, request: DsrRequest): Promise<void> {
    return notifySafely(this.deps, notice, request);
  }
}
