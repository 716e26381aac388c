import { Application, TeamsAdapter, TurnState } from '@microsoft/teams-ai';
import { ActivityTypes } from 'botbuilder';
import { BotDeps } from './botDeps';
import { CARD_ACTIONS, guardedAction } from './cardActions';
import { guarded, onMessage } from './chatCommands';

/** The teams-ai Application: every message and card verb routed to its handler. */
export function createApplication(adapter: TeamsAdapter, botAppId: string, deps: BotDeps): Application<TurnState> {
  const app = new Application<TurnState>({ adapter, botAppId, removeRecipientMention: true, startTypingTimer: false });
  for (const [verb, handler] of Object.entries(CARD_ACTIONS)) app.adaptiveCards.actionExecute(verb, guardedAction(deps, handler));
  app.activity(ActivityTypes.Message, guarded(deps, onMessage));
  return app;
}
