import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConversationReference } from 'botbuilder';
import { createBotAdapter } from '../../src/bot/createBotAdapter';
import { loadConfig } from '../../src/config';
import type { Logger } from '../../src/dsr';
import { FakeBotConnector } from '../support/fakeBotConnector';

/**
 * The bot as a user-assigned managed identity (MicrosoftAppType=UserAssignedMSI), sending through
 * botbuilder's own connector client: its Bot Framework token comes from App Service's
 * managed-identity endpoint (IDENTITY_ENDPOINT, IDENTITY_HEADER), here a loopback server that
 * answers as App Service documents it, never from a password.
 */

const CLIENT_ID = '3c9e7b21-0d4a-4f6e-8b15-6a2f0e9d4c71';
const TENANT_ID = '00000000-0000-4000-8000-0000000000aa';
const IDENTITY_HEADER = 'header-only-the-platform-knows';
const MSI_TOKEN = 'token-from-the-managed-identity-endpoint';

interface TokenRequest {
  path: string;
  query: Record<string, string>;
  identityHeader?: string;
}

let identityEndpoint: Server;
const tokenRequests: TokenRequest[] = [];
let connector: FakeBotConnector;
const savedEnv = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };

beforeAll(async () => {
  // App Service's token endpoint: GET ?resource=&api-version=2019-08-01&client_id=, header X-IDENTITY-HEADER.
  identityEndpoint = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const header = req.headers['x-identity-header'];
    tokenRequests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), ...(typeof header === 'string' && { identityHeader: header }) });
    if (header !== IDENTITY_HEADER) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid header' }));
      return;
    }
    const expiresOn = Math.floor(Date.now() / 1000) + 3600;
    // Not chained: restify, loaded by other tests in this worker, replaces writeHead with one returning nothing.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      access_token: MSI_TOKEN,
      expires_on: String(expiresOn),
      resource: url.searchParams.get('resource'),
      token_type: 'Bearer',
      client_id: url.searchParams.get('client_id'),
    }));
  });
  await new Promise<void>((resolve) => identityEndpoint.listen(0, '127.0.0.1', resolve));
  process.env.IDENTITY_ENDPOINT = `http://127.0.0.1:${(identityEndpoint.address() as AddressInfo).port}/msi/token`;
  process.env.IDENTITY_HEADER = IDENTITY_HEADER;
  connector = new FakeBotConnector();
  await connector.start();
});

afterAll(async () => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await connector?.stop();
  await new Promise((resolve) => identityEndpoint?.close(resolve));
});

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The bot's settings as a user-assigned managed identity. */
const managedIdentityConfig = () => loadConfig({
  MicrosoftAppType: 'UserAssignedMSI',
  MicrosoftAppId: CLIENT_ID,
  MicrosoftAppTenantId: TENANT_ID,
  DSR_SANDBOX: 'on',
}, 'f0f0f0f0-0000-4000-8000-000000000001');

it('sends a proactive message with a token from the managed-identity endpoint, for its own client id and the Bot Framework', async () => {
  const config = managedIdentityConfig();
  expect(config.botAppPassword).toBe('');
  const adapter = createBotAdapter(config, silent);
  const reference: Partial<ConversationReference> = {
    channelId: 'msteams',
    serviceUrl: connector.url,
    conversation: { id: 'a:managed-identity-chat', isGroup: false, conversationType: 'personal', name: '' },
    bot: { id: `28:${CLIENT_ID}`, name: 'DSR Bot' },
  };
  await adapter.continueConversationAsync(CLIENT_ID, reference, async (context) => {
    await context.sendActivity('DSR-2026-0001 received');
  });

  const [sent] = connector.to('a:managed-identity-chat');
  expect(sent.activity.text).toBe('DSR-2026-0001 received');
  expect(sent.authorization).toBe(`Bearer ${MSI_TOKEN}`);
  expect(tokenRequests.length).toBeGreaterThanOrEqual(1);
  expect(tokenRequests.at(-1)).toEqual({
    path: '/msi/token',
    query: expect.objectContaining({ resource: 'https://api.botframework.com', client_id: CLIENT_ID, 'api-version': '2019-08-01' }),
    identityHeader: IDENTITY_HEADER,
  });
});

it('makes one connector client per service URL and reuses it for every later send, each still sent with the identity\'s token', async () => {
  const adapter = createBotAdapter(managedIdentityConfig(), silent);
  const other = new FakeBotConnector();
  await other.start();
  try {
    const clients: unknown[] = [];
    const send = async (serviceUrl: string, text: string) => {
      const reference: Partial<ConversationReference> = {
        channelId: 'msteams',
        serviceUrl,
        conversation: { id: 'a:reused-client-chat', isGroup: false, conversationType: 'personal', name: '' },
        bot: { id: `28:${CLIENT_ID}`, name: 'DSR Bot' },
      };
      await adapter.continueConversationAsync(CLIENT_ID, reference, async (context) => {
        clients.push(context.turnState.get(adapter.ConnectorClientKey));
        await context.sendActivity(text);
      });
    };
    await send(connector.url, 'first');
    await send(connector.url, 'second');
    await send(other.url, 'elsewhere');

    expect(clients[0]).toBeDefined();
    expect(clients[1]).toBe(clients[0]);
    expect(clients[2]).not.toBe(clients[0]);
    const sent = [...connector.to('a:reused-client-chat'), ...other.to('a:reused-client-chat')];
    expect(sent.map((s) => s.activity.text)).toEqual(['first', 'second', 'elsewhere']);
    for (const s of sent) expect(s.authorization).toBe(`Bearer ${MSI_TOKEN}`);
  } finally {
    await other.stop();
  }
});
