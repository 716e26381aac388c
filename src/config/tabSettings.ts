import type { Config } from './config';
import { isLoopbackHost } from './loopback';
import { SANDBOX_PORTS } from './sandboxDefaults';
import { GUID, type SettingReader } from './settingReader';

/** Microsoft Entra ID's sign-in authority: the tab's tokens are issued and signed there. */
export const ENTRA_AUTHORITY = 'https://login.microsoftonline.com';

/** The client id the sandbox's tab app goes by: no app registration exists there. */
export const SANDBOX_TAB_CLIENT_ID = '5e1d7a3c-2b4f-4c8e-9a61-0d3f7b2c9e15';

/** The permission the tab asks for, as its app registration exposes it. */
export const TAB_PERMISSION = 'access_as_user';

/** The compliance dashboard tab's sign-in: whose tokens the bot's tab API accepts. */
export interface TabConfig {
  /** `teams`: Teams tab SSO against Entra; `sandbox`: the sandbox sign-in page, loopback only. */
  signIn: 'teams' | 'sandbox';
  /** DSR_TAB_CLIENT_ID: the tab's app registration (the manifest's `webApplicationInfo.id`). */
  clientId: string;
  /** DSR_TAB_RESOURCE: its Application ID URI (the manifest's `webApplicationInfo.resource`). */
  resource: string;
  /** Where tokens come from: Entra, or in sandbox mode the sandbox sign-in (DSR_SANDBOX_LOGIN_URL). */
  authorityUrl: string;
}

/** The issuer, keys and authorize page of `tab`'s authority for one tenant, as Entra's v2 endpoints name them. */
export function tabAuthority(tab: TabConfig, tenantId: string): { issuer: string; jwksUrl: string; authorizeUrl: string; scope: string } {
  const root = `${tab.authorityUrl}/${tenantId}`;
  return { issuer: `${root}/v2.0`, jwksUrl: `${root}/discovery/v2.0/keys`, authorizeUrl: `${root}/oauth2/v2.0/authorize`, scope: `${tab.resource}/${TAB_PERMISSION}` };
}

/**
 * The tab's settings. In Azure the tab signs in with Teams SSO against Entra: its client id is
 * the bot's app registration unless DSR_TAB_CLIENT_ID names another, and without one the tab API
 * is off. The sandbox sign-in is refused outside sandbox mode, so Azure never trusts its keys.
 */
export function tabSettings(read: SettingReader, bot: Pick<Config, 'sandbox' | 'botAppId' | 'botAppType'>): TabConfig | undefined {
  const { problems } = read;
  const loginUrl = read.optional('DSR_SANDBOX_LOGIN_URL');
  if (!bot.sandbox) {
    if (loginUrl) problems.push('DSR_SANDBOX_LOGIN_URL is set outside sandbox mode: the tab trusts Entra ID only there. Remove the setting.');
    const clientId = read.text('DSR_TAB_CLIENT_ID', bot.botAppType === 'SingleTenant' ? bot.botAppId : '');
    if (!clientId) return undefined;
    if (!GUID.test(clientId)) problems.push('DSR_TAB_CLIENT_ID must be the application (client) id of the tab\'s app registration, a GUID.');
    return { signIn: 'teams', clientId, resource: read.text('DSR_TAB_RESOURCE', `api://botid-${clientId}`), authorityUrl: ENTRA_AUTHORITY };
  }
  const authorityUrl = (loginUrl ?? `http://127.0.0.1:${SANDBOX_PORTS.login}`).replace(/\/+$/, '');
  let loopback = false;
  try {
    loopback = isLoopbackHost(new URL(authorityUrl).hostname);
  } catch {
    loopback = false;
  }
  if (!loopback) problems.push('DSR_SANDBOX_LOGIN_URL must be a URL on loopback (127.0.0.1, localhost or [::1]): the sandbox sign-in never leaves the machine.');
  const clientId = read.text('DSR_TAB_CLIENT_ID', SANDBOX_TAB_CLIENT_ID);
  return { signIn: 'sandbox', clientId, resource: read.text('DSR_TAB_RESOURCE', `api://botid-${clientId}`), authorityUrl };
}
