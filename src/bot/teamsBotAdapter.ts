import { TeamsAdapter } from '@microsoft/teams-ai';
import { Activity, InvokeResponse, StatusCodes, TurnContext } from 'botbuilder';
import { AuthenticateRequestResult, AuthenticationError } from 'botframework-connector';

/** jsonwebtoken's errors, which botbuilder 4.23 lets through as a 500 (a bad signature under a known key id, a future `nbf`). */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

/** The TeamsAdapter, except that every token that fails validation is answered 401, as botbuilder means to. */
export class TeamsBotAdapter extends TeamsAdapter {
  protected override async processActivity(
    auth: string | AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    try {
      return await super.processActivity(auth as string, activity, logic);
    } catch (error) {
      if (error instanceof Error && TOKEN_ERRORS.has(error.name)) throw new AuthenticationError(`Unauthorized: ${error.message}`, StatusCodes.UNAUTHORIZED);
      throw error;
    }
  }
}
