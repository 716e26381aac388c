import { Application, TeamsAdapter, TurnState } from '@microsoft/teams-ai';
import { ActivityTypes } from 'botbuilder';
import { RateChannel } from '../storage/personRateLimiter';
import { BotDeps } from './botDeps';
import { buttonMessage } from './buttonMessage';
import { CARD_ACTIONS, guardedAction } from './cardActions';
import { guarded, onMessage } from './chatCommands';

/** What a person over their limit is told. */
const SLOW_DOWN: Record<RateChannel, (perMinute: number) => string> = {
  message: (perMinute) => `You are sending messages faster than I can take them (${perMinute} a minute). Please wait a minute, then try again.`,
  invoke: (perMinute) => `You are clicking faster than I can take it (${perMinute} actions a minute). Nothing was done: please wait a minute, then try again.`,
};


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
    if (allowed) return true;
    if (firstRefusal) deps.log.warn({ channel }, 'rate limit reached');
    // An invoke always needs its answer; a burst of messages gets one.
    if (channel === 'invoke') await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: buttonMessage(SLOW_DOWN.invoke(perMinute.invoke)) });
    else if (firstRefusal) await context.sendActivity(SLOW_DOWN.message(perMinute.message));
    return false;
  });
  for (const [verb, handler] of Object.entries(CARD_ACTIONS)) app.adaptiveCards.actionExecute(verb, guardedAction(deps, handler));
  app.activity(ActivityTypes.Message, guarded(deps, onMessage));
  return app;
}
