import { AuditLog, Clock, DsrRequest, keptRecordHash, Logger, pseudonymised, RecordsStore, RequestState, RequestStore, updateRequest } from '../dsr';
import { ConversationStore } from './conversationStore';
import { AuditEntry } from './tableAuditLog';

export interface ErasureFollowUpDeps {
  store: RequestStore & Pick<RecordsStore, 'listToPseudonymise'>;
  conversations: ConversationStore;
  audit: AuditLog & { entries(requestId: string): Promise<AuditEntry[]> };
  clock: Clock;
  log: Logger;
  pseudonymKey: string;
}

/** An erasure whose record nothing needs the subject's id for any more: no purge waits (a restored account is never purged). */
const DONE_WITH_SUBJECT: ReadonlySet<RequestState> = new Set<RequestState>(['completed', 'purged', 'account_restored']);

/** Whether the receipt of `requestId` was delivered or its delivery tried and failed: the notifier records either. */
function receiptTried(entries: readonly AuditEntry[]): boolean {
  return entries.some((e) => (e.event === 'delivered' || e.event === 'delivery failed') && e.detail.what === 'receipt');
}

/**
 * What an erasure of the bot's own store leaves to do after its receipt, swept on the interval
 * (and after a crash, by the next sweep): the copy of the subject's conversation reference kept
 * for the receipt is removed once the receipt was delivered (or its request is gone or
 * pseudonymised); the erasure request itself, which holds the subject until then (the receipt is
 * addressed by it, the Entra purge needs the object id), is pseudonymised once the receipt was
 * tried and no purge waits. Receipt delivery is read from the audit chain, where the notifier
 * records it after sending. Safe on every instance at once: deletes and conditional writes.
 */
export class ErasureFollowUp {
  constructor(private readonly deps: ErasureFollowUpDeps) {}

  async sweep(): Promise<{ copiesRemoved: number; requestsPseudonymised: number }> {
    return { copiesRemoved: await this.removeDeliveredCopies(), requestsPseudonymised: await this.pseudonymiseFinishedErasures() };
  }

  private async removeDeliveredCopies(): Promise<number> {
    const { conversations, store, audit } = this.deps;
    let removed = 0;
    for (const copy of await conversations.receiptCopies()) {
      const request = (await store.get(copy.requestId))?.request;
      if (request && !request.pseudonymisedAt && !receiptTried(await audit.entries(copy.requestId))) continue;
      await conversations.removeReceiptCopy(copy.pseudonym);
      removed++;
    }
    return removed;
  }

  private async pseudonymiseFinishedErasures(): Promise<number> {
    const { store, audit, clock, log, pseudonymKey } = this.deps;
    const now = clock.now();
    let done = 0;
    for (const candidate of await store.listToPseudonymise(now)) {
      if (!finishedErasure(candidate) || !receiptTried(await audit.entries(candidate.id))) continue;
      const kept = await updateRequest(store, candidate.id, (r) => (finishedErasure(r) ? { ...pseudonymised(r, pseudonymKey), pseudonymisedAt: now.toISOString() } : undefined));
      if (!kept) continue;
      await audit.append(kept.id, 'pseudonymised', { reason: 'erasure carried out', keptSha256: keptRecordHash(kept) });
      log.info({ requestId: kept.id }, 'erasure request pseudonymised after its receipt');
      done++;
    }
    return done;
  }
}

/** An erasure of the bot's own store, carried out, whose record still names the subject. */
function finishedErasure(request: DsrRequest): boolean {
  return request.kind === 'erase' && DONE_WITH_SUBJECT.has(request.state) && request.steps.botStore?.status === 'done' && !request.pseudonymisedAt;
}
