import { TurnContext } from 'botbuilder';
import { Actor } from '../dsr';
import { localeOf } from '../i18n';
import { ConversationStore, userConversationKey } from '../storage/conversationStore';

/**
 * The one channel whose activities the bot acts on. Bot Framework signing keys are endorsed for
 * other channels too, and there (Web Chat, Direct Line) the client writes its own `from`.
 */
export const TEAMS_CHANNEL_ID = 'msteams';

/**
 * Who is acting, from the authenticated activity only; undefined for anyone without an Entra
 * identity, and on any channel but Teams (src/server.ts refuses those before this; a second lock).
 */
export function actorOf(context: TurnContext): Actor | undefined {
  if (context.activity.channelId !== TEAMS_CHANNEL_ID) return undefined;
  const from = context.activity.from;
  const id = from?.aadObjectId;
  if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const locale = context.activity.locale;
  return {
    aadObjectId: id.toLowerCase(),
    displayName: typeof from.name === 'string' ? from.name.slice(0, 120) : 'Someone',
    ...(typeof locale === 'string' && localeOf(locale) ? { locale: locale.slice(0, 35) } : {}),
  };
}

export function isPersonalChat(context: TurnContext): boolean {
  return context.activity.conversation?.conversationType === 'personal';
}

/** Keeps the way back to this person's 1:1 chat, so their link or receipt can reach them later. */
export async function rememberPersonalChat(context: TurnContext, actor: Actor, conversations: ConversationStore): Promise<void> {
  if (isPersonalChat(context)) {
    await conversations.save(userConversationKey(actor.aadObjectId), TurnContext.getConversationReference(context.activity));
  }
}

/**
 * The reference of the channel itself, not of the thread the message was in, so that later
 * cards start new posts in the channel.
 */
export function channelReference(context: TurnContext) {
  const reference = TurnContext.getConversationReference(context.activity);
  const channelId = (context.activity.channelData as { channel?: { id?: string } } | undefined)?.channel?.id;
  const conversationId = channelId ?? reference.conversation?.id?.split(';messageid=')[0];
  return { ...reference, conversation: { ...reference.conversation!, id: conversationId! } };
}
