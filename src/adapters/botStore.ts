import { RequestStore } from '../dsr/ports';
import { pseudonymised } from '../dsr/pseudonyms';
import { updateRequest } from '../dsr/requestUpdates';
import { AdapterCallContext, ExportFile, ServiceAdapter, StepReport } from '../dsr/serviceAdapter';
import { isOpen } from '../dsr/stateMachine';
import { DiscoveryResult, DsrRequest, ItemOutcome, ItemResult, PlanItem, Subject } from '../dsr/types';
import { changedCount, outcomeOf, unplanned } from './planItems';

/** What the subject gets to see of a request: their own data, not the approvers'. */
function exportable(request: DsrRequest) {
  return {
    id: request.id,
    kind: request.kind,
    regime: request.regime,
    state: request.state,
    receivedAt: request.receivedAt,
    dueAt: request.dueAt,
    closedAt: request.closedAt,
    services: request.services,
    corrections: request.corrections,
    decisions: request.decisions.map((d) => ({ decision: d.decision, at: d.at, reason: d.reason })),
  };
}

/**
 * The bot's own records about the subject: their earlier requests. Erasure pseudonymises the
 * closed ones in place (the audit chain keeps only ids); the request being carried out stays
 * until retention, since its receipt still has to reach the requester.
 */
export class BotStoreAdapter implements ServiceAdapter {
  readonly service = 'botStore' as const;

  constructor(
    private readonly store: RequestStore,
    private readonly pseudonymKey: string,
  ) {}

  async discover(subject: Subject, context: AdapterCallContext): Promise<DiscoveryResult> {
    const requests = await this.about(subject);
    const earlier = requests.filter((r) => r.id !== context.requestId).length;
    return {
      count: requests.length,
      plan: this.pseudonymisable(requests, context).map(requestItem),
      items: [`${earlier} earlier request${earlier === 1 ? '' : 's'}`, '1 request record (this one)'],
    };
  }

  async *export(subject: Subject): AsyncIterable<ExportFile> {
    yield { path: 'requests.json', content: (await this.about(subject)).map(exportable) };
  }

  async erase(subject: Subject, context: AdapterCallContext): Promise<StepReport> {
    if (context.plan) return this.erasePlanned(subject, context.plan, context);
    const closed = this.pseudonymisable(await this.about(subject), context);
    for (const request of closed) await this.pseudonymise(request.id, subject);
    return pseudonymisedReport(closed.length);
  }

  /**
   * Pseudonymises the planned records only, each read once to be rewritten; then lists what is
   * pseudonymisable now but was not planned (a request closed since discovery): the delta, left alone.
   */
  private async erasePlanned(subject: Subject, plan: readonly PlanItem[], context: AdapterCallContext): Promise<StepReport> {
    const items: ItemOutcome[] = [];
    for (const item of plan) items.push(outcomeOf(item, await this.pseudonymise(item.id, subject)));
    const delta = unplanned(this.pseudonymisable(await this.about(subject), context).map(requestItem), plan);
    return { ...pseudonymisedReport(changedCount(items)), items, delta };
  }

  /**
   * Pseudonymises one closed record about the subject: `changed`; `alreadyGone` when the record
   * or the subject's data in it is gone (deleted, or pseudonymised by retention meanwhile);
   * `kept` when it is open again.
   */
  private async pseudonymise(requestId: string, subject: Subject): Promise<ItemResult> {
    let result: ItemResult = 'alreadyGone';
    await updateRequest(this.store, requestId, (r) => {
      if (r.subject.aadObjectId !== subject.aadObjectId) result = 'alreadyGone';
      else result = isOpen(r.state) ? 'kept' : 'changed';
      return result === 'changed' ? pseudonymised(r, this.pseudonymKey) : undefined;
    });
    return result;
  }

  /** The earlier, closed records among `requests`: what an erasure pseudonymises (this request stays until retention). */
  private pseudonymisable(requests: readonly DsrRequest[], context: AdapterCallContext): DsrRequest[] {
    return requests.filter((r) => r.id !== context.requestId && !isOpen(r.state));
  }

  private async about(subject: Subject): Promise<DsrRequest[]> {
    return (await this.store.listForPerson(subject.aadObjectId)).filter((r) => r.subject.aadObjectId === subject.aadObjectId);
  }
}

/** An earlier request record as a plan item: it is about the subject. */
function requestItem(request: DsrRequest): PlanItem {
  return { type: 'request', id: request.id, reason: 'subject' };
}

function pseudonymisedReport(count: number): StepReport {
  return { summary: `${count} earlier request record${count === 1 ? '' : 's'} pseudonymised`, count };
}
