import { Application, TeamsAdapter, TurnState } from '@microsoft/teams-ai';
import { ActivityTypes } from 'botbuilder';
import { RateChannel } from '../storage/personRateLimiter';
import { MessageKey } from '../i18n';
import { BotDeps } from './botDeps';
import { buttonMessage } from './buttonMessage';
import { CARD_ACTIONS, guardedAction } from './cardActions';
import { guarded, onMessage } from './chatCommands';
import { wordsForTurn } from './turnWords';

/** What a person over their limit is told. */
const SLOW_DOWN: Record<RateChannel, MessageKey> = { message: 'chat.rate.messages', invoke: 'chat.rate.invokes' };

/** The teams-ai Application: every message and card verb routed to its handler. */
export function createApplication(adapter: TeamsAdapter, botAppId: string, deps: BotDeps): Application<TurnState> {
  const app = new Application<TurnState>({ adapter, botAppId, removeRecipientMention: true, startTypingTimer: false });
  const perMinute: Record<RateChannel, number> = { message: deps.messagesPerMinute, invoke: deps.invokesPerMinute };
  // Before anything else of the turn (each invoke checks Entra and reads storage): the person's
  // messages and card actions per minute, counted across instances.
  app.turn('beforeTurn', async (context) => {
    const { type, from } = context.activity;
    const person = from?.aadObjectId ?? from?.id;
    const channel: RateChannel | undefined = type === ActivityTypes.Message ? 'message' : type === ActivityTypes.Invoke ? 'invoke' : undefined;
    if (!channel || !person) return true;
    const { allowed, firstRefusal } = await deps.rateLimiter.take(channel, person);
    if (allowed) {
      // Counted, a message gives way to the card actions being answered (see ForegroundTurns).
      if (channel === 'message') await deps.cardActionsFirst();
      return true;
    }
    if (firstRefusal) deps.log.warn({ channel }, 'rate limit reached');
    // An invoke always needs its answer; a burst of messages gets one.
    const slowDown = () => wordsForTurn(context, deps, 'conversation').t(SLOW_DOWN[channel], { perMinute: perMinute[channel] });
    if (channel === 'invoke') await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: buttonMessage(slowDown()) });
    else if (firstRefusal) await context.sendActivity(slowDown());
    return false;
  });
  for (const [verb, handler] of Object.entries(CARD_ACTIONS)) app.adaptiveCards.actionExecute(verb, guardedAction(deps, handler));
  app.activity(ActivityTypes.Message, guarded(deps, onMessage));
  return app;
}
