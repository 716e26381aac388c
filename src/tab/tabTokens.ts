import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../dsr';

/** Who a valid tab token names. */
export interface TabIdentity {
  aadObjectId: string;
  displayName: string;
}

export interface TabTokenOptions {
  issuer: string;
  /** The tab's Application ID URI and its client id: Teams SSO tokens carry either as `aud`. */
  audiences: string[];
  /** The one tenant whose people may use the tab. */
  tenantId: string;
  /** The authority's signing keys (Entra's `discovery/v2.0/keys`, or the sandbox sign-in's). */
  jwksUrl: string;
  clock: Clock;
  /** The permission the token must grant (`scp`). */
  permission: string;
}

/** Seconds of clock difference tolerated on `exp` and `nbf`. */
const LEEWAY_SECONDS = 60;

/**
 * Validates the bearer tokens of the tab's API: RS256 only, signed by a key of the authority's
 * JWKS (cached, fetched again when a token names a kid it does not hold, at most every 30 s),
 * the exact issuer, an audience of the tab's, the pinned tenant, the tab's permission, and
 * `exp`/`nbf` against the injected clock. Answers the identity, or undefined for any failure.
 */
export class TabTokens {
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly options: TabTokenOptions) {
    this.keys = createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 5_000 });
  }

  async verify(token: string): Promise<TabIdentity | undefined> {
    const { issuer, audiences, tenantId, clock, permission } = this.options;
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        algorithms: ['RS256'],
        issuer,
        audience: audiences,
        clockTolerance: LEEWAY_SECONDS,
        currentDate: clock.now(),
        requiredClaims: ['exp', 'iat', 'oid', 'tid'],
      });
      if (typeof payload.tid !== 'string' || payload.tid.toLowerCase() !== tenantId.toLowerCase()) return undefined;
      if (typeof payload.oid !== 'string' || !payload.oid) return undefined;
      const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
      if (!scopes.includes(permission)) return undefined;
      return { aadObjectId: payload.oid, displayName: typeof payload.name === 'string' ? payload.name : '' };
    } catch {
      return undefined;
    }
  }
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
