import type { Config } from './config';

/**
 * The inbound-authentication part of botbuilder's `ConfigurationBotFrameworkAuthenticationOptions`,
 * named as botbuilder names them.
 */
export type BotFrameworkAuthenticationSettings = {
  ToChannelFromBotLoginUrl?: string;
  ToChannelFromBotOAuthScope?: string;
  ToBotFromChannelTokenIssuer?: string;
  OAuthUrl?: string;
  ToBotFromChannelOpenIdMetadataUrl?: string;
  ToBotFromEmulatorOpenIdMetadataUrl?: string;
  CallerId?: string;
  ValidateAuthority?: boolean;
};

/**
 * Botbuilder's public-cloud values (botframework-connector AuthenticationConstants and
 * CallerIdConstants.PublicAzureChannel), checked against botbuilder in test/unit/config.test.ts.
 */
const PUBLIC_CLOUD: Required<BotFrameworkAuthenticationSettings> = {
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  CallerId: 'urn:botframework:azure',
  ValidateAuthority: true,
};

/**
 * What the TeamsAdapter is given for inbound authentication. Without DSR_BOT_OPENID_METADATA_URL:
 * nothing, so botbuilder applies its own public-cloud defaults. With it: botbuilder treats any
 * one of these values as "everything is configured" and leaves the rest undefined (no issuer,
 * no login URL), so the whole public-cloud set is given with only the metadata URL replaced.
 */
export function botFrameworkAuthenticationSettings(config: Pick<Config, 'botOpenIdMetadataUrl'>): BotFrameworkAuthenticationSettings {
  if (!config.botOpenIdMetadataUrl) return {};
  return { ...PUBLIC_CLOUD, ToBotFromChannelOpenIdMetadataUrl: config.botOpenIdMetadataUrl };
}
