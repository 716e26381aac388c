import { RequestStore } from '../dsr/ports';
import { pseudonymised } from '../dsr/pseudonyms';
import { updateRequest } from '../dsr/requestUpdates';
import { AdapterCallContext, ExportFile, ServiceAdapter, StepReport } from '../dsr/serviceAdapter';
import { isOpen } from '../dsr/stateMachine';
import { DiscoveryResult, DsrRequest, Subject } from '../dsr/types';

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
    return { count: requests.length, items: [`${earlier} earlier request${earlier === 1 ? '' : 's'}`, '1 request record (this one)'] };
  }

  async *export(subject: Subject): AsyncIterable<ExportFile> {
    yield { path: 'requests.json', content: (await this.about(subject)).map(exportable) };
  }

  async erase(subject: Subject, context: AdapterCallContext): Promise<StepReport> {
    const closed = (await this.about(subject)).filter((r) => r.id !== context.requestId && !isOpen(r.state));
    for (const request of closed) {
      await updateRequest(this.store, request.id, (r) => (r.subject.aadObjectId === subject.aadObjectId ? pseudonymised(r, this.pseudonymKey) : undefined));
    }
    return { summary: `${closed.length} earlier request record${closed.length === 1 ? '' : 's'} pseudonymised`, count: closed.length };
  }

  private async about(subject: Subject): Promise<DsrRequest[]> {
    return (await this.store.listForPerson(subject.aadObjectId)).filter((r) => r.subject.aadObjectId === subject.aadObjectId);
  }
}
