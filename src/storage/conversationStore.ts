import { TableClient } from '@azure/data-tables';
import { Clock, isPseudonym, pseudonymFor, statusCodeOf } from '../dsr';

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

/**
 * Conversation references kept across restarts (proactive messages go to the serviceUrl stored here).
 * Keyed by user or role, never by conversation id alone: two clients can share one.
 *
 * An erasure retires the subject's reference: it is replaced by a copy keyed by their pseudonym,
 * without name or ids, which `get` still finds for their key so the erasure's receipt reaches
 * them; the copy is removed once the receipt is delivered (storage/erasureFollowUp.ts).
 */
export class ConversationStore {
  /** The channels' references as last read or saved here, and when (see `get`). */
  private readonly channels = new Map<ConversationKey, { reference: Promise<StoredConversationReference | undefined>; at: number }>();

  /** `channelCache`: how long a channel's reference is reused; absent, every `get` reads the table. */
  constructor(
    private readonly table: TableClient,
    private readonly pseudonymKey: string,
    private readonly channelCache?: { ttlMs: number; clock: Clock },
  ) {}

  async save(key: ConversationKey, reference: StoredConversationReference): Promise<void> {
    this.channels.delete(key);
    await this.table.upsertEntity({ partitionKey: 'conversation', rowKey: key, reference: JSON.stringify(reference) }, 'Replace');
  }

  /**
   * Where `key` is reached. The two channels' references (no personal data in them) are reused
   * for `channelCache.ttlMs`, since every notice of every request posts to one of them; a channel
   * registered anew through another instance is used here once that time has passed. People's
   * references are always read: an erasure retires them.
   */
  async get(key: ConversationKey): Promise<StoredConversationReference | undefined> {
    if (key.startsWith('channel:') && this.channelCache) return this.channelReference(key);
    const reference = await this.read('conversation', key);
    if (reference || !key.startsWith('user:')) return reference;
    return this.read(RECEIPT_COPIES, this.pseudonymOf(key.slice('user:'.length)));
  }

  private channelReference(key: ConversationKey): Promise<StoredConversationReference | undefined> {
    const { ttlMs, clock } = this.channelCache!;
    const now = clock.now().getTime();
    const kept = this.channels.get(key);
    if (kept && now - kept.at < ttlMs) return kept.reference;
    const reference = this.read('conversation', key);
    this.channels.set(key, { reference, at: now });
    // A failed read is not kept: the next notice reads again.
    reference.catch(() => this.channels.get(key)?.reference === reference && this.channels.delete(key));
    return reference;
  }

  /** Whether `aadObjectId`'s own reference (not a receipt copy) is stored. */
  async has(aadObjectId: string): Promise<boolean> {
    return (await this.read('conversation', userConversationKey(aadObjectId))) !== undefined;
  }

  /**
   * Replaces the person's reference by a copy kept for `requestId`'s receipt (written before the
   * reference is deleted, so a crash between leaves the copy, never neither). False when none.
   */
  async retire(aadObjectId: string, requestId: string): Promise<boolean> {
    const key = userConversationKey(aadObjectId);
    const reference = await this.read('conversation', key);
    if (!reference) return false;
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
