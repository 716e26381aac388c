import type { TabConfig } from './contract';
import { forgetToken, goToSandboxSignIn, storedToken, takeTokenFromRedirect } from './sandboxSignIn';
import { connectToTeams, TeamsHost } from './teamsHost';

/** How the tab starts: signed in (with or without Teams around it), or not. */
export type Session =
  | { status: 'signedIn'; token: string; teams?: TeamsHost; signInAgain: () => void }
  | { status: 'signedOut'; teams?: TeamsHost; signInAgain: () => void }
  /** The browser is on its way to the sign-in page. */
  | { status: 'leaving' };

async function tabConfig(): Promise<TabConfig> {
  const response = await fetch('/tab/api/config');
  if (!response.ok) throw new Error(`GET /tab/api/config answered ${response.status}`);
  return (await response.json()) as TabConfig;
}

/**
 * Signs the person in: by tab SSO inside Teams, else (sandbox mode only) through the sandbox
 * sign-in page. Signing in again forgets the token: the next one is asked for afresh.
 */
export async function startSession(): Promise<Session> {
  takeTokenFromRedirect();
  const teams = await connectToTeams();
  const again = () => {
    forgetToken();
    location.reload();
  };
  if (teams) {
    try {
      return { status: 'signedIn', token: await teams.token(), teams, signInAgain: again };
    } catch {
      return { status: 'signedOut', teams, signInAgain: again };
    }
  }
  const token = storedToken();
  if (token) return { status: 'signedIn', token, signInAgain: again };
  const config = await tabConfig();
  if (config.signIn !== 'sandbox') return { status: 'signedOut', signInAgain: again };
  goToSandboxSignIn(config);
  return { status: 'leaving' };
}
