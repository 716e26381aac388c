import type { TabConfig } from './contract';

/**
 * Sign-in outside Teams, in sandbox mode only: the OAuth 2.0 implicit grant against the sandbox's
 * sign-in page (the shape of Entra's /oauth2/v2.0/authorize), the token kept for this browser tab.
 */

const TOKEN_KEY = 'dsr-tab-token';
const STATE_KEY = 'dsr-tab-sign-in-state';

function randomValue(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The page's own address without its fragment: where the sign-in page sends the browser back. */
function tabUrl(): string {
  return `${location.origin}${location.pathname}${location.search}`;
}

/**
 * Takes the token the sign-in page put in the fragment (`#access_token=..&state=..`) when its state
 * is the one this tab sent, keeps it, and removes the fragment from the address bar and history.
 */
export function takeTokenFromRedirect(): void {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get('access_token');
  if (!token) return;
  const expected = sessionStorage.getItem(STATE_KEY);
  sessionStorage.removeItem(STATE_KEY);
  if (expected && fragment.get('state') === expected) sessionStorage.setItem(TOKEN_KEY, token);
  history.replaceState(null, '', tabUrl());
}

export function storedToken(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Sends the browser to the sandbox sign-in page; it comes back to this page with a token. */
export function goToSandboxSignIn(config: TabConfig): void {
  if (!config.authorizeUrl) throw new Error('the tab config names no sandbox authorize URL');
  const state = randomValue();
  sessionStorage.setItem(STATE_KEY, state);
  const query = new URLSearchParams({
    client_id: config.clientId,
    response_type: 'token',
    redirect_uri: tabUrl(),
    scope: config.scope,
    state,
    nonce: randomValue(),
  });
  location.assign(`${config.authorizeUrl}?${query}`);
}
