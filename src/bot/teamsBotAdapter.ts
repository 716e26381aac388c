import { TeamsAdapter } from '@microsoft/teams-ai';
import { Activity, InvokeResponse, StatusCodes, TurnContext } from 'botbuilder';
import { AuthenticateRequestResult, AuthenticationError, BotFrameworkAuthentication } from 'botframework-connector';
import { ReusedClientsAuthentication } from './reusedClientsAuthentication';

/** jsonwebtoken's errors, which botbuilder 4.23 lets through as a 500 (a bad signature under a known key id, a future `nbf`). */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

/**
 * The TeamsAdapter, except that every token that fails validation is answered 401, as botbuilder
 * means to, and that connector clients are made once and reused (ReusedClientsAuthentication).
 */
export class TeamsBotAdapter extends TeamsAdapter {
  constructor(...args: ConstructorParameters<typeof TeamsAdapter>) {
    super(...args);
    // TeamsAdapter makes its authentication itself, and CloudAdapter keeps it in a field declared
    // read-only: it is wrapped in place, the one way in without rebuilding TeamsAdapter.
    const adapter = this as unknown as { botFrameworkAuthentication: BotFrameworkAuthentication };
    adapter.botFrameworkAuthentication = new ReusedClientsAuthentication(this.botFrameworkAuthentication);
  }

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
