import { TableClient } from '@azure/data-tables';
import { Clock, isPseudonym, pseudonymFor, statusCodeOf } from '../dsr';
import { GroupedRowWrites } from './groupedRowWrites';

/** Where the bot can reach someone later: a person's 1:1 chat, or a channel with a role. */
export type ConversationKey = `user:${string}` | `channel:${'approvals' | 'compliance'}`;

/** An account or conversation in a reference: its id, and whatever else the channel gave. */
export interface ReferenceAccount {
  id: string;
}

/**
 * A Bot Framework conversation reference as the store keeps it: the shape of botbuilder's
 * `Partial<ConversationReference>`, declared here so storage does not depend on the Teams packages.
 * Saved and read back as the JSON it was given, every field included.
 */
export interface StoredConversationReference {
  serviceUrl?: string;
  channelId?: string;
  conversation?: ReferenceAccount;
  bot?: ReferenceAccount;
  user?: ReferenceAccount;
  activityId?: string;
  locale?: string;
}

export function userConversationKey(aadObjectId: string): ConversationKey {
  return `user:${aadObjectId}`;
}

/** Where the copies kept for one last receipt live, keyed by the person's pseudonym. */
const RECEIPT_COPIES = 'receiptCopy';

/** A retired reference kept for one receipt: whose (their pseudonym) and which request it waits for. */
export interface ReceiptCopy {
  pseudonym: string;
  requestId: string;
}

/**
 * The reference without the person's name and directory ids: what reaching the chat needs
 * (service URL, the conversation, the bot, the Teams user id) and nothing else.
 */
function withoutPersonalFields(reference: StoredConversationReference): StoredConversationReference {
  const conversation = reference.conversation as (ReferenceAccount & { conversationType?: string; tenantId?: string }) | undefined;
  return {
    serviceUrl: reference.serviceUrl,
    channelId: reference.channelId,
    ...(conversation ? { conversation: { id: conversation.id, ...(conversation.conversationType ? { conversationType: conversation.conversationType } : {}), ...(conversation.tenantId ? { tenantId: conversation.tenantId } : {}) } } : {}),
    ...(reference.bot ? { bot: { id: reference.bot.id } } : {}),
    ...(reference.user ? { user: { id: reference.user.id } } : {}),
    ...(reference.locale ? { locale: reference.locale } : {}),
  };
}

/** References one instance keeps in memory at most: the people of the last minute or so. */
const MAX_KEPT = 10_000;

/** Whether two references reach the same chat the same way: all but the activity they came with. */
function sameChat(a: StoredConversationReference | undefined, b: StoredConversationReference): boolean {
  return a !== undefined && JSON.stringify({ ...a, activityId: undefined }) === JSON.stringify({ ...b, activityId: undefined });
}

/**
 * Conversation references kept across restarts (proactive messages go to the serviceUrl stored here).
 * Keyed by user or role, never by conversation id alone: two clients can share one.
 *
 * An erasure retires the subject's reference: it is replaced by a copy keyed by their pseudonym,
 * without name or ids, which `get` still finds for their key so the erasure's receipt reaches
 * them; the copy is removed once the receipt is delivered (storage/erasureFollowUp.ts).
 */
export class ConversationStore {
  /** References as last read or saved here, and when (see `get`). */
  private readonly kept = new Map<ConversationKey, { reference: Promise<StoredConversationReference | undefined>; at: number }>();
  /** The references of many people saved at once (a burst of first messages) go in one transaction. */
  private readonly writes: GroupedRowWrites;

  /** `cache`: how long a reference is reused from memory; absent, every `get` reads the table and every `save` writes. */
  constructor(
    private readonly table: TableClient,
    private readonly pseudonymKey: string,
    private readonly cache?: { ttlMs: number; clock: Clock },
  ) {
    this.writes = new GroupedRowWrites(table);
  }

  /**
   * Stores where `key` is reached. A person's chat is reached the same way turn after turn: a
   * reference that this instance saved or read within `cache.ttlMs` and that only differs by its
   * activity is not written again.
   */
  async save(key: ConversationKey, reference: StoredConversationReference): Promise<void> {
    const kept = this.fresh(key);
    if (kept && sameChat(await kept.catch(() => undefined), reference)) return;
    this.kept.delete(key);
    const entity = { partitionKey: 'conversation', rowKey: key, reference: JSON.stringify(reference) };
    await this.writes.write({ kind: 'upsert', entity });
    this.keep(key, Promise.resolve(reference));
  }

  /**
   * Where `key` is reached. References are reused for `cache.ttlMs`, since every notice of every
   * request posts to a channel and most to a person's chat: a channel registered anew through
   * another instance is used here once that time has passed. An erasure through another instance
   * deletes a person's reference; for that minute this one may still reach their chat with it, as
   * the receipt copy that replaced it would (an erasure here forgets it at once). A person without
   * a reference is never remembered as such: their receipt copy is looked for every time.
   */
  async get(key: ConversationKey): Promise<StoredConversationReference | undefined> {
    const reference = await this.current(key);
    if (reference || !key.startsWith('user:')) return reference;
    return this.read(RECEIPT_COPIES, this.pseudonymOf(key.slice('user:'.length)));
  }

  private current(key: ConversationKey): Promise<StoredConversationReference | undefined> {
    const kept = this.fresh(key);
    if (kept) return kept;
    const reference = this.read('conversation', key);
    this.keep(key, reference);
    return reference;
  }

  private fresh(key: ConversationKey): Promise<StoredConversationReference | undefined> | undefined {
    const kept = this.kept.get(key);
    return kept && this.cache && this.cache.clock.now().getTime() - kept.at < this.cache.ttlMs ? kept.reference : undefined;
  }

  private keep(key: ConversationKey, reference: Promise<StoredConversationReference | undefined>): void {
    if (!this.cache) return;
    this.kept.delete(key);
    this.kept.set(key, { reference, at: this.cache.clock.now().getTime() });
    if (this.kept.size > MAX_KEPT) this.kept.delete(this.kept.keys().next().value!);
    // A failed read is not kept, nor a person found without a reference: the next `get` reads again.
    const forget = () => this.kept.get(key)?.reference === reference && this.kept.delete(key);
    reference.then((found) => found === undefined && key.startsWith('user:') && forget(), forget);
  }

  /**
   * Whether `aadObjectId`'s own reference (not a receipt copy) is stored. Not `fresh`: a reference
   * kept from the last `cache.ttlMs` answers, as it would for `get`.
   */
  async has(aadObjectId: string, { fresh }: { fresh: boolean }): Promise<boolean> {
    const key = userConversationKey(aadObjectId);
    return (await (fresh ? this.read('conversation', key) : this.current(key))) !== undefined;
  }

  /**
   * Replaces the person's reference by a copy kept for `requestId`'s receipt (written before the
   * reference is deleted, so a crash between leaves the copy, never neither). False when none.
   */
  async retire(aadObjectId: string, requestId: string): Promise<boolean> {
    const key = userConversationKey(aadObjectId);
    const reference = await this.read('conversation', key);
    if (!reference) return false;
    this.kept.delete(key);
    const copy = { partitionKey: RECEIPT_COPIES, rowKey: this.pseudonymOf(aadObjectId), requestId, reference: JSON.stringify(withoutPersonalFields(reference)) };
    await this.table.upsertEntity(copy, 'Replace');
    await this.deleteEntity('conversation', key);
    return true;
  }

  /** The receipt copies kept now. */
  async receiptCopies(): Promise<ReceiptCopy[]> {
    const copies: ReceiptCopy[] = [];
    const entities = this.table.listEntities<{ requestId: string }>({ queryOptions: { filter: `PartitionKey eq '${RECEIPT_COPIES}'` } });
    for await (const entity of entities) copies.push({ pseudonym: entity.rowKey!, requestId: entity.requestId });
    return copies;
  }

  async removeReceiptCopy(pseudonym: string): Promise<void> {
    await this.deleteEntity(RECEIPT_COPIES, pseudonym);
  }

  private pseudonymOf(aadObjectId: string): string {
    return isPseudonym(aadObjectId) ? aadObjectId : pseudonymFor(aadObjectId, this.pseudonymKey);
  }

  private async read(partitionKey: string, rowKey: string): Promise<StoredConversationReference | undefined> {
    try {
      const entity = await this.table.getEntity<{ reference: string }>(partitionKey, rowKey);
      return JSON.parse(entity.reference) as StoredConversationReference;
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }

  private async deleteEntity(partitionKey: string, rowKey: string): Promise<void> {
    try {
      await this.table.deleteEntity(partitionKey, rowKey);
    } catch (error) {
      if (statusCodeOf(error) !== 404) throw error;
    }
  }
}
