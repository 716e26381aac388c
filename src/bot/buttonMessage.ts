import { InvokeResponse } from 'botbuilder';

/**
 * The answer to a card button (`adaptiveCard/action`) that Teams shows as a message under the
 * card (Universal Actions): 200, never an error status, whatever went wrong.
 */
export const buttonMessage = (text: string): InvokeResponse => ({
  status: 200,
  body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text },
});
