import type { AccessToken, TokenCredential } from '@azure/core-auth';

/** The token {@link SandboxCredential} hands out. Opaque: the sandbox services only check one is sent. */
export const SANDBOX_ACCESS_TOKEN = 'dsr-sandbox-token';

// Far enough that no client ever tries to refresh it.
const EXPIRES_ON = Date.UTC(2099, 0, 1);

/**
 * A `TokenCredential` for sandbox mode and tests: the same fixed token for
 * every scope, never expiring in practice, with no call to any identity service.
 */
export class SandboxCredential implements TokenCredential {
  async getToken(): Promise<AccessToken> {
    return { token: SANDBOX_ACCESS_TOKEN, expiresOnTimestamp: EXPIRES_ON, tokenType: 'Bearer' };
  }
}
