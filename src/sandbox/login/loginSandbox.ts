import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopbackHost } from '../../config';
import type { Tenant } from '../tenant';
import { loadLoginKey } from './loginKey';
import { loginPage } from './loginPage';
import { issueToken, TOKEN_SECONDS } from './loginToken';

/** The OAuth error body (RFC 6749 §5.2) Entra answers a bad authorize request with. */
class OAuthError extends Error {
  constructor(readonly status: number, readonly code: string, description: string) {
    super(description);
  }
}

/** Entra only redirects to a registered reply URL; the sandbox to loopback only, so a token never leaves the machine. */
function loopbackRedirect(value: string | undefined): URL {
  let url: URL;
  try {
    url = new URL(value ?? '');
  } catch {
    throw new OAuthError(400, 'invalid_request', 'redirect_uri must be an absolute URL.');
  }
  if (!['http:', 'https:'].includes(url.protocol) || !isLoopbackHost(url.hostname)) {
    throw new OAuthError(400, 'invalid_request', 'The sandbox sign-in redirects to loopback addresses only (127.0.0.1, localhost, [::1]).');
  }
  return url;
}

async function formBody(req: http.IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16 * 1024) throw new OAuthError(413, 'invalid_request', 'The form is too large.');
  }
  return new URLSearchParams(body);
}

const AUTHORIZE_FIELDS = ['client_id', 'response_type', 'redirect_uri', 'scope', 'state', 'nonce'] as const;

/**
 * The sandbox's stand-in for Entra ID sign-in, for the dashboard tab outside Teams: the OpenID
 * configuration, the signing keys, and the implicit grant's authorize page, which lists the seeded
 * people and sends the chosen one's access token back in the redirect's fragment. Plain HTTP on
 * loopback; started with the other sandbox services, never in Azure mode.
 */
export async function createLoginSandbox(options: { tenant: Tenant; dataDir: string; port: number; now?: () => Date }): Promise<{ url: string; close(): Promise<void> }> {
  const { tenant } = options;
  const key = await loadLoginKey(options.dataDir);
  const now = options.now ?? (() => new Date());
  let base = '';
  const issuer = () => `${base}/${tenant.tenantId}/v2.0`;

  const authorizeFields = (params: URLSearchParams) => {
    const fields = Object.fromEntries(AUTHORIZE_FIELDS.map((name) => [name, params.get(name) ?? ''])) as Record<(typeof AUTHORIZE_FIELDS)[number], string>;
    if (!fields.client_id) throw new OAuthError(400, 'invalid_request', 'client_id is required.');
    if (fields.response_type !== 'token') throw new OAuthError(400, 'unsupported_response_type', 'The sandbox sign-in issues access tokens only: response_type=token.');
    loopbackRedirect(fields.redirect_uri);
    return fields;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    };
    if (url.pathname === '/_sandbox/health') return json(200, { status: 'ok' });
    const match = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys|oauth2\/v2\.0\/authorize)$/.exec(url.pathname);
    if (!match) throw new OAuthError(404, 'not_found', 'The sandbox sign-in serves /{tenant}/v2.0/.well-known/openid-configuration, /{tenant}/discovery/v2.0/keys and /{tenant}/oauth2/v2.0/authorize.');
    const [, tid, route] = match;
    if (tid !== tenant.tenantId) throw new OAuthError(400, 'invalid_tenant', `Tenant '${tid}' not found: the sandbox has one tenant, ${tenant.tenantId}.`);
    const root = `${base}/${tid}`;
    if (route.endsWith('openid-configuration') && req.method === 'GET') {
      return json(200, {
        issuer: issuer(),
        authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
        jwks_uri: `${root}/discovery/v2.0/keys`,
        response_types_supported: ['token'],
        response_modes_supported: ['fragment'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        tenant_region_scope: null,
      });
    }
    if (route.endsWith('keys') && req.method === 'GET') return json(200, { keys: [key.jwk] });
    if (route.endsWith('authorize') && req.method === 'GET') {
      const fields = authorizeFields(url.searchParams);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(loginPage(url.pathname, fields, tenant.users));
      return;
    }
    if (route.endsWith('authorize') && req.method === 'POST') {
      const form = await formBody(req);
      const fields = authorizeFields(form);
      const user = tenant.users.find((u) => u.upn === form.get('upn'));
      if (!user) throw new OAuthError(400, 'invalid_request', 'Pick one of the seeded people.');
      const token = issueToken({ key, issuer: issuer(), tenantId: tenant.tenantId, clientId: fields.client_id, scope: fields.scope, user, now: now() });
      const fragment = new URLSearchParams({ access_token: token, token_type: 'Bearer', expires_in: String(TOKEN_SECONDS), scope: fields.scope, state: fields.state });
      const target = loopbackRedirect(fields.redirect_uri);
      target.hash = fragment.toString();
      res.writeHead(302, { location: target.toString(), 'cache-control': 'no-store' }).end();
      return;
    }
    throw new OAuthError(405, 'invalid_request', `${req.method} is not allowed here.`);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const known = error instanceof OAuthError ? error : new OAuthError(500, 'server_error', 'The sandbox sign-in failed.');
      res.writeHead(known.status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: known.code, error_description: known.message }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
