import { AdapterCallContext, DiscoveryResult, DsrRequest, ExportFile, isOpen, ItemOutcome, ItemResult, OwnTraces, PlanItem, pseudonymised, RequestStore, ServiceAdapter, StepReport, Subject, updateRequest } from '../../dsr';
import { changedCount, outcomeOf, unplanned } from '../planItems';

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

/** What the bot's own store holds about a subject, by plan item type. */
const TRACE_TYPES = { request: 'request', conversation: 'conversation', file: 'file', exportSpace: 'serviceExportSpace' } as const;

/**
 * The bot's own records about the subject: their earlier requests, the 1:1 conversation reference
 * it reaches them through, the files it wrote about them (the packages of their earlier
 * requests, any register CSV naming them), and the system-logs export places their earlier requests
 * left behind. Erasure pseudonymises the closed requests in place (the audit chain keeps only ids),
 * deletes the files and the places, and retires the conversation reference: a copy
 * without name or ids stays only until this erasure's receipt has reached the requester. The
 * request being carried out is pseudonymised once nothing needs the subject's id any more (after
 * the receipt and any purge: storage/erasureFollowUp.ts).
 */
export class BotStoreAdapter implements ServiceAdapter {
  readonly service = 'botStore' as const;

  constructor(
    private readonly store: RequestStore,
    private readonly traces: OwnTraces,
    private readonly pseudonymKey: string,
  ) {}

  async discover(subject: Subject, context: AdapterCallContext): Promise<DiscoveryResult> {
    const requests = await this.about(subject);
    const earlier = requests.filter((r) => r.id !== context.requestId).length;
    // The plan may count the reference the requester's own messages read or saved a moment ago;
    // erasure asks afresh, and finds one deleted since already gone.
    const plan = await this.found(subject, context, { requests, fresh: false });
    const others = plan.filter((item) => item.type !== TRACE_TYPES.request);
    const conversations = others.filter((item) => item.type === TRACE_TYPES.conversation).length;
    const exportSpaces = others.filter((item) => item.type === TRACE_TYPES.exportSpace).length;
    return {
      count: requests.length + others.length,
      plan,
      items: [
        { code: 'botStore.earlierRequests', count: earlier },
        { code: 'botStore.thisRequest' },
        { code: 'botStore.conversations', count: conversations },
        { code: 'botStore.files', count: others.length - conversations - exportSpaces },
        // Rare (an export that failed or crashed before cleaning up): named only when there is one.
        ...(exportSpaces ? [{ code: 'botStore.exportSpaces', count: exportSpaces } as const] : []),
      ],
    };
  }

  async *export(subject: Subject): AsyncIterable<ExportFile> {
    yield { path: 'requests.json', content: (await this.about(subject)).map(exportable) };
  }

  async erase(subject: Subject, context: AdapterCallContext): Promise<StepReport> {
    if (context.plan) return this.erasePlanned(subject, context.plan, context);
    const items: ItemOutcome[] = [];
    for (const item of await this.found(subject, context, { fresh: true })) items.push(outcomeOf(item, await this.eraseItem(item, subject, context)));
    return { ...erasedReport(items), count: changedCount(items) };
  }

  /**
   * Erases the planned traces only, each read once to be changed; then lists what is there now
   * but was not planned (a request closed since discovery, a file written since): the delta, left alone.
   */
  private async erasePlanned(subject: Subject, plan: readonly PlanItem[], context: AdapterCallContext): Promise<StepReport> {
    const items: ItemOutcome[] = [];
    for (const item of plan) items.push(outcomeOf(item, await this.eraseItem(item, subject, context)));
    return { ...erasedReport(items), count: changedCount(items), items, delta: unplanned(await this.found(subject, context, { fresh: true }), plan) };
  }

  private async eraseItem(item: PlanItem, subject: Subject, context: AdapterCallContext): Promise<ItemResult> {
    switch (item.type) {
      case TRACE_TYPES.conversation:
        return (await this.traces.retireConversation(subject.aadObjectId, context.requestId)) ? 'removed' : 'alreadyGone';
      case TRACE_TYPES.file:
        return (await this.traces.removeFile(item.id)) ? 'removed' : 'alreadyGone';
      case TRACE_TYPES.exportSpace:
        return (await this.traces.removeExportSpace(item.id)) ? 'removed' : 'alreadyGone';
      default:
        return this.pseudonymise(item.id, subject);
    }
  }

  /** Everything an erasure changes now: the earlier closed records, the conversation reference, the files, the leftover export places. */
  private async found(subject: Subject, context: AdapterCallContext, options: { requests?: readonly DsrRequest[]; fresh: boolean }): Promise<PlanItem[]> {
    const requests = options.requests ?? (await this.about(subject));
    return [...this.pseudonymisable(requests, context).map(requestItem), ...(await this.otherTraces(subject, requests, context, options.fresh))];
  }

  /** The conversation reference, the files about the subject, and the export places their earlier closed requests left (by request id), as plan items. */
  private async otherTraces(subject: Subject, requests: readonly DsrRequest[], context: AdapterCallContext, fresh: boolean): Promise<PlanItem[]> {
    const conversation: PlanItem[] = (await this.traces.hasConversation(subject.aadObjectId, { fresh }))
      ? [{ type: TRACE_TYPES.conversation, id: `user:${subject.aadObjectId}`, reason: 'subject' }]
      : [];
    const earlier = requests.filter((r) => r.id !== context.requestId).map((r) => r.id);
    const files = await this.traces.filesAbout(subject, earlier);
    // An open request's place may still be written to: its own flow removes it.
    const spaces = await this.traces.leftoverExportSpaces(this.pseudonymisable(requests, context).map((r) => r.id));
    return [
      ...conversation,
      ...files.map((name): PlanItem => ({ type: TRACE_TYPES.file, id: name, reason: 'subject' })),
      ...spaces.map((requestId): PlanItem => ({ type: TRACE_TYPES.exportSpace, id: requestId, reason: 'subject' })),
    ];
  }

  /**
   * Pseudonymises one closed record about the subject: `changed`; `alreadyGone` when the record
   * or the subject's data in it is gone (deleted, or pseudonymised by retention meanwhile);
   * `kept` when it is open again.
   */
  private async pseudonymise(requestId: string, subject: Subject): Promise<ItemResult> {
    // Set by the change, which may run more than once: TypeScript cannot see that.
    let result = 'alreadyGone' as ItemResult;
    const written = await updateRequest(this.store, requestId, (r) => {
      if (r.subject.aadObjectId !== subject.aadObjectId) result = 'alreadyGone';
      else result = isOpen(r.state) ? 'kept' : 'changed';
      return result === 'changed' ? pseudonymised(r, this.pseudonymKey) : undefined;
    });
    // Decided on a version whose row was then deleted before the write: gone, not changed.
    return result === 'changed' && !written ? 'alreadyGone' : result;
  }

  /** The earlier, closed records among `requests`: what an erasure pseudonymises (this request later, see above). */
  private pseudonymisable(requests: readonly DsrRequest[], context: AdapterCallContext): DsrRequest[] {
    return requests.filter((r) => r.id !== context.requestId && !isOpen(r.state));
  }

  private async about(subject: Subject): Promise<DsrRequest[]> {
    return (await this.store.listForPerson(subject.aadObjectId)).filter((r) => r.subject.aadObjectId === subject.aadObjectId);
  }
}

/** An earlier request record as a plan item: it is about the subject. */
function requestItem(request: DsrRequest): PlanItem {
  return { type: TRACE_TYPES.request, id: request.id, reason: 'subject' };
}

/** The step's summary from its item outcomes: records pseudonymised, references and files removed. */
function erasedReport(items: readonly ItemOutcome[]): Pick<StepReport, 'summary'> {
  const done = (type: string) => changedCount(items.filter((item) => item.type === type));
  return {
    summary: {
      code: 'botStore.erased',
      records: done(TRACE_TYPES.request),
      conversations: done(TRACE_TYPES.conversation),
      files: done(TRACE_TYPES.file),
      exportSpaces: done(TRACE_TYPES.exportSpace),
    },
  };
}
