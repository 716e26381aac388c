import { generateKeyPairSync, KeyObject, KeyPairKeyObjectResult } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

/** The issuer of the tokens the Bot Connector service puts on activities it sends to a bot. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

export interface TokenOptions {
  /** The bot's app id, or another one. */
  audience: string;
  /** The `serviceurl` claim: the connector the activity names. */
  serviceUrl: string;
  issuer?: string;
  /** Seconds from now; negative for a token that has already expired. */
  expiresIn?: number;
  /** Signs with this key instead of the published one (a forgery). */
  signingKey?: KeyObject;
  /** The `kid` header; the published key's id unless given. */
  kid?: string;
  /** Signs with the published key endorsed for this channel: Teams' unless told. */
  endorsedFor?: KeyEndorsement;
}

/** The channels a published key is endorsed for: Microsoft's key set has keys for Teams and keys for other channels such as Direct Line. */
export type KeyEndorsement = 'msteams' | 'directline';

/**
 * The Bot Framework's token service as a bot sees it, on loopback: an OpenID configuration
 * document whose `jwks_uri` lists two freshly generated RSA keys, one endorsed for Teams and one
 * for Direct Line (as the real key set has keys for each channel), and tokens signed with them,
 * shaped like the ones the Bot Connector sends.
 */
export class BotFrameworkKeys {
  readonly kid = `test-key-${Date.now().toString(36)}`;
  /** Paths the bot fetched, oldest first. */
  readonly fetched: string[] = [];
  private readonly keys: Record<KeyEndorsement, { kid: string; pair: KeyPairKeyObjectResult }> = {
    msteams: { kid: this.kid, pair: generateKeyPairSync('rsa', { modulusLength: 2048 }) },
    directline: { kid: `${this.kid}-directline`, pair: generateKeyPairSync('rsa', { modulusLength: 2048 }) },
  };
  private server: Server | undefined;
  private base = '';

  get metadataUrl(): string {
    return `${this.base}/v1/.well-known/openidconfiguration`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = req.url?.split('?')[0] ?? '';
      this.fetched.push(path);
      const json = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (path === '/v1/.well-known/openidconfiguration') {
        json({
          issuer: BOT_FRAMEWORK_ISSUER,
          authorization_endpoint: `${this.base}/v1/auth`,
          jwks_uri: `${this.base}/v1/.well-known/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        });
      } else if (path === '/v1/.well-known/keys') {
        json({
          keys: (Object.entries(this.keys) as [KeyEndorsement, { kid: string; pair: KeyPairKeyObjectResult }][]).map(([channel, { kid, pair }]) => ({
            ...pair.publicKey.export({ format: 'jwk' }),
            kid,
            use: 'sig',
            alg: 'RS256',
            endorsements: [channel],
          })),
        });
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** A signed Bot Framework token: RS256, issuer, audience, `serviceurl`, valid for an hour unless told. */
  token(options: TokenOptions): string {
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = options.expiresIn ?? 3600;
    const published = this.keys[options.endorsedFor ?? 'msteams'];
    return jwt.sign(
      { serviceurl: options.serviceUrl, nbf: Math.min(now, now + expiresIn) - 600, exp: now + expiresIn },
      options.signingKey ?? published.pair.privateKey,
      { algorithm: 'RS256', keyid: options.kid ?? published.kid, issuer: options.issuer ?? BOT_FRAMEWORK_ISSUER, audience: options.audience },
    );
  }
}

/** A key nobody published, for forged tokens. */
export function strayKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

/** Posts an activity to the bot as the Bot Connector does, with `authorization` as given (or none). */
export async function postActivity(botUrl: string, activity: Record<string, unknown>, authorization?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  return fetch(`${botUrl}/api/messages`, { method: 'POST', headers, body: JSON.stringify(activity) });
}

/** An Adaptive Card Universal Action in `user`'s 1:1 chat, as Teams sends it through the Bot Connector at `serviceUrl`. */
export function personalCardAction(
  user: { teamsUserId: string; displayName: string; aadObjectId: string },
  tenantId: string,
  botAppId: string,
  serviceUrl: string,
  verb: string,
  data: Record<string, unknown>,
): Record<string, unknown> {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `auth-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    locale: 'en-US',
    from: { id: user.teamsUserId, name: user.displayName, aadObjectId: user.aadObjectId },
    recipient: { id: `28:${botAppId}`, name: 'DSR Bot' },
    conversation: { id: `a:1on1-${user.teamsUserId}`, conversationType: 'personal', tenantId },
    channelData: { tenant: { id: tenantId } },
    replyToId: 'card',
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}
