import { app, authentication } from '@microsoft/teams-js';

/** What the tab takes from Teams when it runs inside it. */
export interface TeamsHost {
  /** The Teams client's language tag (`de-DE`). */
  locale: string;
  /** `default`, `dark` or `contrast`. */
  theme: string;
  onThemeChange(handler: (theme: string) => void): void;
  /** A token for the tab's own app registration (the manifest's webApplicationInfo), by tab SSO. */
  token(): Promise<string>;
}

/**
 * Connects to the Teams client, or resolves to undefined when the page is not inside Teams:
 * `app.initialize()` then rejects (no parent window) or, in some hosts, never settles, hence the wait.
 */
export async function connectToTeams(waitMs = 1500): Promise<TeamsHost | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outside = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), waitMs)));
  const inside = app.initialize().then(
    () => true,
    () => false,
  );
  const inTeams = await Promise.race([inside, outside]);
  clearTimeout(timer);
  if (!inTeams) return undefined;
  const context = await app.getContext();
  return {
    locale: context.app.locale,
    theme: context.app.theme,
    onThemeChange: (handler) => app.registerOnThemeChangeHandler(handler),
    token: () => authentication.getAuthToken(),
  };
}
