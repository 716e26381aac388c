import { TableClient } from '@azure/data-tables';
import { statusCodeOf } from '../dsr/failures';

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

/**
 * Conversation references kept across restarts (proactive messages go to the serviceUrl stored here).
 * Keyed by user or role, never by conversation id alone: two clients can share one.
 */
export class ConversationStore {
  constructor(private readonly table: TableClient) {}

  async save(key: ConversationKey, reference: StoredConversationReference): Promise<void> {
    await this.table.upsertEntity({ partitionKey: 'conversation', rowKey: key, reference: JSON.stringify(reference) }, 'Replace');
  }

  async get(key: ConversationKey): Promise<StoredConversationReference | undefined> {
    try {
      const entity = await this.table.getEntity<{ reference: string }>('conversation', key);
      return JSON.parse(entity.reference) as StoredConversationReference;
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }
}
