import { Application, TeamsAdapter, TurnState } from '@microsoft/teams-ai';
import { ActivityTypes } from 'botbuilder';
import { BotDeps } from './botDeps';
import { CARD_ACTIONS, guardedAction } from './cardActions';
import { guarded, onMessage } from './chatCommands';
import { MessageRateLimiter } from './messageRateLimiter';

/** The teams-ai Application: every message and card verb routed to its handler. */
export function createApplication(adapter: TeamsAdapter, botAppId: string, deps: BotDeps): Application<TurnState> {
  const app = new Application<TurnState>({ adapter, botAppId, removeRecipientMention: true, startTypingTimer: false });
  const limiter = new MessageRateLimiter(deps.messagesPerMinute, deps.clock);
  app.turn('beforeTurn', async (context) => {
    const person = context.activity.from?.aadObjectId ?? context.activity.from?.id;
    if (context.activity.type !== ActivityTypes.Message || !person) return true;
    const { allowed, firstRefusal } = limiter.take(person);
    if (firstRefusal) {
      deps.log.warn({}, 'message rate limit reached');
      await context.sendActivity(`You are sending messages faster than I can take them (${deps.messagesPerMinute} a minute). Please wait a minute, then try again.`);
    }
    return allowed;
  });
  for (const [verb, handler] of Object.entries(CARD_ACTIONS)) app.adaptiveCards.actionExecute(verb, guardedAction(deps, handler));
  app.activity(ActivityTypes.Message, guarded(deps, onMessage));
  return app;
}
