import { ConfigurationServiceClientCredentialFactory, TurnContext } from 'botbuilder';
import { JwtTokenProviderFactory, ManagedIdentityServiceClientCredentialsFactory, ServiceClientCredentialsFactory } from 'botframework-connector';
import { botFrameworkAuthenticationSettings, Config } from '../config';
import { errorCode, Logger } from '../dsr';
import { TeamsBotAdapter } from './teamsBotAdapter';

export type BotAdapterSettings = Pick<Config, 'botAppId' | 'botAppType' | 'botAppPassword' | 'botTenantId' | 'botOpenIdMetadataUrl'>;

/**
 * The bot's credentials towards the Bot Framework. A user-assigned managed identity gets its
 * tokens from the managed-identity endpoint (botbuilder's JwtTokenProviderFactory asks
 * @azure/identity for the identity's client id: IDENTITY_ENDPOINT/IDENTITY_HEADER on App
 * Service); an app registration signs in with its secret. Inbound tokens must name `botAppId`
 * as their audience either way.
 */
function credentialsFactory(config: BotAdapterSettings): ServiceClientCredentialsFactory {
  if (config.botAppType === 'UserAssignedMSI') return new ManagedIdentityServiceClientCredentialsFactory(config.botAppId, new JwtTokenProviderFactory());
  return new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: config.botAppId,
    MicrosoftAppPassword: config.botAppPassword,
    MicrosoftAppType: config.botAppId ? 'SingleTenant' : undefined,
    MicrosoftAppTenantId: config.botTenantId,
  });
}

/**
 * The adapter for inbound activities and proactive sends: the bot's single-tenant app
 * registration or managed identity (none in sandbox mode), and a failed turn logged by error code only.
 */
export function createBotAdapter(config: BotAdapterSettings, log: Logger): TeamsBotAdapter {
  const adapter = new TeamsBotAdapter(botFrameworkAuthenticationSettings(config), credentialsFactory(config));
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    log.error({ error: errorCode(error), activity: context.activity.type }, 'turn failed');
  };
  return adapter;
}
