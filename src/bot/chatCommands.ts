import { CardFactory, MessageFactory, TurnContext } from 'botbuilder';
import { RECTIFIABLE_FIELDS } from '../adapters/entra';
import { Card } from '../cards/render';
import { helpCard, intakeCard, requestListCard } from '../cards/views';
import { errorCode } from '../dsr/failures';
import { RequestKind } from '../dsr/types';
import { BotDeps } from './botDeps';
import { parseIntent } from './intents';
import { actorOf, channelReference, isPersonalChat, rememberPersonalChat } from './turnIdentity';

const FIELD_LABELS: Record<(typeof RECTIFIABLE_FIELDS)[number], string> = {
  displayName: 'My name',
  jobTitle: 'My job title',
  department: 'My department',
  officeLocation: 'My office',
  mobilePhone: 'My mobile number',
};

const sendCard = (context: TurnContext, card: Card) => context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));

/** The intake card for `kind`, with this bot's services and law. */
export function intakeFor(kind: RequestKind, deps: BotDeps): Card {
  return intakeCard(kind, {
    regime: deps.defaultRegime,
    services: deps.offeredServices,
    graceDays: deps.purgeGraceDays,
    fields: RECTIFIABLE_FIELDS.map((name) => ({ name, label: FIELD_LABELS[name] })),
  });
}

/** Text messages: commands and plain-language requests in 1:1, channel registration in channels. */
export async function onMessage(context: TurnContext, deps: BotDeps): Promise<void> {
  const actor = actorOf(context);
  if (!actor) {
    await context.sendActivity('I can only help people signed in with a work account of this organisation.');
    return;
  }
  const intent = parseIntent(typeof context.activity.text === 'string' ? context.activity.text : '');

  if (!isPersonalChat(context)) {
    if (intent.type !== 'register') {
      await context.sendActivity('In channels I only take `register approvals` or `register compliance`. Ask me about your own data in a 1:1 chat with me.');
      return;
    }
    if (context.activity.conversation?.conversationType !== 'channel') {
      await context.sendActivity('Register a channel of a team, not a group chat.');
      return;
    }
    if (!(await deps.directory.isApprover(actor.aadObjectId))) {
      await context.sendActivity('Only privacy admins (members of the DSR approvers group) can register a channel.');
      return;
    }
    await deps.conversations.save(`channel:${intent.role}`, channelReference(context));
    deps.log.info({ role: intent.role }, 'channel registered');
    await context.sendActivity(
      intent.role === 'approvals'
        ? 'This channel now receives approval cards for data subject requests.'
        : 'This channel now follows data subject requests: opened, decided, completed. Request ids, kinds, dates and counts only.',
    );
    return;
  }

  await rememberPersonalChat(context, actor, deps.conversations);
  switch (intent.type) {
    case 'help':
      await sendCard(context, helpCard());
      return;
    case 'request':
      await sendCard(context, intakeFor(intent.kind, deps));
      return;
    case 'status':
      await sendCard(context, requestListCard('Your requests', await deps.requests.listFor(actor)));
      return;
    case 'cancel': {
      if (!intent.requestId) {
        await context.sendActivity('Which request? For example: cancel DSR-2026-0042. Type status to see yours.');
        return;
      }
      const outcome = await deps.requests.cancel(intent.requestId, actor);
      await context.sendActivity(outcome.message);
      return;
    }
    case 'register':
      await context.sendActivity('Register a channel from the channel itself: @mention me there with `register approvals` or `register compliance`.');
      return;
    case 'unknown':
      await context.sendActivity("I didn't catch that. I can export, show, correct, restrict or delete the data we hold about you. Type help to see the options.");
  }
}

/** A message handler that answers politely instead of failing the turn. */
export function guarded(deps: BotDeps, handler: (context: TurnContext, deps: BotDeps) => Promise<void>) {
  return async (context: TurnContext): Promise<void> => {
    try {
      await handler(context, deps);
    } catch (error) {
      deps.log.error({ error: errorCode(error) }, 'message handling failed');
      await context.sendActivity('Something went wrong on our side and nothing was changed. Please try again in a minute.');
    }
  };
}
