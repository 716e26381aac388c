import { InvokeResponse } from 'botbuilder';
import type { Card } from '../cards/render';

/**
 * The answer to a card button (`adaptiveCard/action`) that Teams shows as a message under the
 * card (Universal Actions): 200, never an error status, whatever went wrong.
 */
export const buttonMessage = (text: string): InvokeResponse => ({
  status: 200,
  body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text },
});

/** The answer to a card button that replaces the clicked card, for the clicker alone (Universal Actions). */
export const buttonCard = (card: Card): InvokeResponse => ({
  status: 200,
  body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card },
});
