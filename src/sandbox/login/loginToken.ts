import { sign } from 'node:crypto';
import type { TenantUser } from '../tenant';
import type { LoginKey } from './loginKey';

/** How long a token lives, as Entra's access tokens do by default. */
export const TOKEN_SECONDS = 3600;

/**
 * The resource a scope asks for, as Entra reads it: `api://botid-…/access_as_user` is the
 * permission `access_as_user` of the resource `api://botid-…`. A bare permission asks for the client itself.
 */
export function scopeParts(scope: string, clientId: string): { audience: string; permission: string } {
  const first = scope.split(' ').find((s) => s && !['openid', 'profile', 'offline_access', 'email'].includes(s)) ?? '';
  const cut = first.lastIndexOf('/');
  if (cut <= 0) return { audience: clientId, permission: first || 'access_as_user' };
  return { audience: first.slice(0, cut), permission: first.slice(cut + 1) };
}

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A v2 access token for `user`, shaped as Entra's (claims of
 * https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference), signed RS256.
 */
export function issueToken(input: { key: LoginKey; issuer: string; tenantId: string; clientId: string; scope: string; user: TenantUser; now: Date }): string {
  const { key, user } = input;
  const iat = Math.floor(input.now.getTime() / 1000);
  const { audience, permission } = scopeParts(input.scope, input.clientId);
  const header = { typ: 'JWT', alg: 'RS256', kid: key.kid };
  const claims = {
    aud: audience,
    iss: input.issuer,
    iat,
    nbf: iat,
    exp: iat + TOKEN_SECONDS,
    azp: input.clientId,
    name: user.displayName,
    oid: user.aadObjectId,
    preferred_username: user.upn,
    scp: permission,
    sub: user.aadObjectId,
    tid: input.tenantId,
    ver: '2.0',
  };
  const signingInput = `${part(header)}.${part(claims)}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), input.key.privateKey).toString('base64url')}`;
}
