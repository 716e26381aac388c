import { ConfigurationServiceClientCredentialFactory, TurnContext } from 'botbuilder';
import { botFrameworkAuthenticationSettings, Config } from '../config';
import { errorCode } from '../dsr/failures';
import { Logger } from '../dsr/ports';
import { TeamsBotAdapter } from './teamsBotAdapter';

export type BotAdapterSettings = Pick<Config, 'botAppId' | 'botAppPassword' | 'botTenantId' | 'botOpenIdMetadataUrl'>;

/**
 * The adapter for inbound activities and proactive sends: the bot's single-tenant app
 * registration (none in sandbox mode), and a failed turn logged by error code only.
 */
export function createBotAdapter(config: BotAdapterSettings, log: Logger): TeamsBotAdapter {
  const adapter = new TeamsBotAdapter(
    botFrameworkAuthenticationSettings(config),
    new ConfigurationServiceClientCredentialFactory({
      MicrosoftAppId: config.botAppId,
      MicrosoftAppPassword: config.botAppPassword,
      MicrosoftAppType: config.botAppId ? 'SingleTenant' : undefined,
      MicrosoftAppTenantId: config.botTenantId,
    }),
  );
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    log.error({ error: errorCode(error), activity: context.activity.type }, 'turn failed');
  };
  return adapter;
}
