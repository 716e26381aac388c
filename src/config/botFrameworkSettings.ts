import type { Config } from './config';
import { LOOPBACK, isLoopbackHost } from './loopback';
import { SANDBOX_PORTS } from './sandboxDefaults';
import { GUID, type SettingReader } from './settingReader';

/**
 * How the bot proves itself to the Bot Framework (`MicrosoftAppType`): a single-tenant app
 * registration with a client secret, or a user-assigned managed identity (no secret at all: its
 * tokens come from the managed-identity endpoint, infra/azure.bicep).
 */
export const BOT_APP_TYPES = ['SingleTenant', 'UserAssignedMSI'] as const;
export type BotAppType = (typeof BOT_APP_TYPES)[number];

/** Why `value` cannot be an OpenID metadata URL, or undefined: https, or in sandbox mode http on loopback (a local key set in tests). */
function metadataUrlProblem(value: string, sandbox: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (sandbox && url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return 'must be an https URL (plain http only on loopback in sandbox mode)';
}

type BotFrameworkSettings = Pick<Config, 'sandbox' | 'host' | 'port' | 'botAppId' | 'botAppType' | 'botAppPassword' | 'botTenantId' | 'botOpenIdMetadataUrl'>;

/**
 * The bot's identity towards the Bot Framework, whether it runs in sandbox mode (by default when
 * it has no app id), and where it listens: only on loopback while nobody is authenticated.
 */
export function botFrameworkSettings(read: SettingReader): BotFrameworkSettings {
  const { text, problems } = read;
  const botAppId = text('MicrosoftAppId', '');
  const sandboxSetting = read.env.DSR_SANDBOX?.trim().toLowerCase();
  if (sandboxSetting && !['on', 'off'].includes(sandboxSetting)) problems.push('DSR_SANDBOX must be on or off.');
  const sandbox = sandboxSetting ? sandboxSetting === 'on' : !botAppId;
  const host = text('DSR_HOST', '127.0.0.1');
  if (!botAppId && !LOOPBACK.has(host)) {
    problems.push(`DSR_HOST is not a loopback address but MicrosoftAppId is not set: without an app id nobody is authenticated, so the bot only listens on loopback. Set MicrosoftAppId (and MicrosoftAppPassword) or DSR_HOST=127.0.0.1.`);
  }
  const givenAppType = text('MicrosoftAppType', 'SingleTenant');
  const botAppType = BOT_APP_TYPES.find((type) => type.toLowerCase() === givenAppType.toLowerCase());
  if (!botAppType) problems.push('MicrosoftAppType must be SingleTenant or UserAssignedMSI.');
  if (botAppType === 'UserAssignedMSI') {
    // The identity's tokens come from the managed-identity endpoint; a password would be a secret nobody uses.
    if (!botAppId) problems.push('MicrosoftAppId is required when MicrosoftAppType is UserAssignedMSI: the client id of the bot\'s user-assigned managed identity.');
    else if (!GUID.test(botAppId)) problems.push(`MicrosoftAppId must be the client id (a GUID) of the user-assigned managed identity when MicrosoftAppType is UserAssignedMSI (got '${botAppId}').`);
    if (text('MicrosoftAppPassword', '')) problems.push('MicrosoftAppPassword is set but MicrosoftAppType is UserAssignedMSI: a managed identity has no password; remove the setting.');
  }
  if (botAppId) {
    // botbuilder would otherwise stop at start with an assertion (src/bot/createBotAdapter.ts).
    if (botAppType === 'SingleTenant' && !text('MicrosoftAppPassword', '')) problems.push('MicrosoftAppPassword is required when MicrosoftAppId is set: the client secret of the bot\'s app registration.');
    if (!text('MicrosoftAppTenantId', '')) problems.push('MicrosoftAppTenantId is required when MicrosoftAppId is set: the directory (tenant) id of the bot\'s app registration or managed identity.');
  }
  if (!sandbox && !botAppId && !text('MicrosoftAppTenantId', '')) {
    problems.push('MicrosoftAppTenantId is required outside sandbox mode: the directory (tenant) id whose Teams activities the bot acts on.');
  }
  const botOpenIdMetadataUrl = read.optional('DSR_BOT_OPENID_METADATA_URL');
  if (botOpenIdMetadataUrl) {
    if (!botAppId) problems.push('DSR_BOT_OPENID_METADATA_URL is set but MicrosoftAppId is not: without an app id inbound requests are not authenticated at all. Set MicrosoftAppId or leave DSR_BOT_OPENID_METADATA_URL unset.');
    const problem = metadataUrlProblem(botOpenIdMetadataUrl, sandbox);
    if (problem) problems.push(`DSR_BOT_OPENID_METADATA_URL ${problem}. Leave it unset for Microsoft's public metadata.`);
  }
  return {
    sandbox,
    host,
    port: read.whole('PORT', SANDBOX_PORTS.bot, 0, 65535),
    botAppId,
    botAppType: botAppType ?? 'SingleTenant',
    botAppPassword: text('MicrosoftAppPassword', ''),
    botTenantId: text('MicrosoftAppTenantId', ''),
    ...(botOpenIdMetadataUrl ? { botOpenIdMetadataUrl } : {}),
  };
}
