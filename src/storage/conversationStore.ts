import { TableClient } from '@azure/data-tables';
import { ConversationReference } from 'botbuilder';
import { statusCodeOf } from '../dsr/failures';

/** Where the bot can reach someone later: a person's 1:1 chat, or a channel with a role. */
export type ConversationKey = `user:${string}` | `channel:${'approvals' | 'compliance'}`;

export function userConversationKey(aadObjectId: string): ConversationKey {
  return `user:${aadObjectId}`;
}

/**
 * Conversation references kept across restarts (proactive messages go to the serviceUrl stored here).
 * Keyed by user or role, never by conversation id alone: two clients can share one.
 */
export class ConversationStore {
  constructor(private readonly table: TableClient) {}

  async save(key: ConversationKey, reference: Partial<ConversationReference>): Promise<void> {
    await this.table.upsertEntity({ partitionKey: 'conversation', rowKey: key, reference: JSON.stringify(reference) }, 'Replace');
  }

  async get(key: ConversationKey): Promise<Partial<ConversationReference> | undefined> {
    try {
      const entity = await this.table.getEntity<{ reference: string }>('conversation', key);
      return JSON.parse(entity.reference) as Partial<ConversationReference>;
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }
}
