import { connect } from 'node:net';
import os from 'node:os';
import { loadConfig } from '../../src/config';
import { startBot } from '../../src/index';
import { createLogger } from '../../src/log';
import { TenantUser } from '../../src/sandbox/tenant';
import { storageClientsFromConnectionString } from '../../src/storage/storageClients';
import { BotFrameworkKeys, personalCardAction, postActivity, strayKey } from '../support/botFrameworkKeys';
import { BotStack, startBotStack } from '../support/botStack';
import { waitFor } from '../support/waitFor';

jest.setTimeout(120_000);

/** The bot's app registration in this test; no token is ever fetched for it from Entra. */
const APP_ID = '6d1e0f55-3c1b-4f8e-9a57-2b8c4d0e7a13';
const FOREIGN_CONNECTOR = 'https://smba.trafficmanager.net/emea/';
const SUBMISSION = { kind: 'export', regime: 'GDPR', services: 'entra' };

let keys: BotFrameworkKeys;
let stack: BotStack;
let alex: TenantUser;
let priya: TenantUser;

/** Everything an accepted submission would leave: request rows, audit entries, conversation references, jobs. */
async function traces() {
  const clients = storageClientsFromConnectionString(stack.azurite.connectionString);
  const count = async (entities: AsyncIterable<unknown>) => {
    let n = 0;
    for await (const _ of entities) n++;
    return n;
  };
  return {
    requests: await count(clients.requests.listEntities()),
    audit: await count(clients.audit.listEntities()),
    conversations: await count(clients.conversations.listEntities()),
    jobs: (await clients.jobs.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.length,
    alexsRequests: (await stack.bot.store.listForPerson(alex.aadObjectId)).length,
  };
}
const NO_TRACES = { requests: 0, audit: 0, conversations: 0, jobs: 0, alexsRequests: 0 };

/** Alex submits an export request: accepted, it would file a request and keep his chat's reference. */
const submission = (serviceUrl = stack.connector.url) => personalCardAction(alex, stack.tenant.tenantId, APP_ID, serviceUrl, 'dsr.submit', SUBMISSION);
const bearer = (token: string) => `Bearer ${token}`;

beforeAll(async () => {
  keys = new BotFrameworkKeys();
  await keys.start();
  stack = await startBotStack('authentication', {
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'unused-by-these-tests',
    MicrosoftAppTenantId: '00000000-0000-4000-8000-0000000000aa',
    // An app id would leave sandbox mode; the Azure endpoints stay local.
    DSR_SANDBOX: 'on',
    DSR_BOT_OPENID_METADATA_URL: keys.metadataUrl,
  });
  alex = stack.user('Alex');
  priya = stack.user('Priya');
});

afterAll(async () => {
  await stack?.stop();
  await keys?.stop();
});

describe('inbound authentication with an app id', () => {
  it('starts with a clean store, and says in its start line that callers are authenticated', async () => {
    expect(await traces()).toEqual(NO_TRACES);
    const started = stack.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'DSR Bot listening');
    expect(started).toMatchObject({ inboundAuthentication: 'bot-framework-jwt' });
  });

  const refused: [string, () => string | undefined, (() => Record<string, unknown>)?][] = [
    ['no Authorization header', () => undefined],
    ['an Authorization header that is not a bearer token', () => `Basic ${Buffer.from(`${APP_ID}:secret`).toString('base64')}`],
    ['a token signed by a key that is not published', () => bearer(keys.token({ audience: APP_ID, serviceUrl: stack.connector.url, signingKey: strayKey(), kid: 'stray-key' }))],
    ['an expired token', () => bearer(keys.token({ audience: APP_ID, serviceUrl: stack.connector.url, expiresIn: -3600 }))],
    ['a token for another bot', () => bearer(keys.token({ audience: '0b5f2c8e-1d4a-4e6b-9c3f-7a8d2e1f0c94', serviceUrl: stack.connector.url }))],
    ['a token from another issuer', () => bearer(keys.token({ audience: APP_ID, serviceUrl: stack.connector.url, issuer: 'https://sts.contoso.example/' }))],
    ['a token whose serviceurl claim names another connector', () => bearer(keys.token({ audience: APP_ID, serviceUrl: FOREIGN_CONNECTOR }))],
    ['a valid token on an activity that names another connector', () => bearer(keys.token({ audience: APP_ID, serviceUrl: stack.connector.url })), () => submission(FOREIGN_CONNECTOR)],
  ];

  it.each(refused)('refuses %s with 401 and files nothing', async (_case, authorization, activity = submission) => {
    const answer = await postActivity(stack.bot.url, activity(), authorization());
    expect(answer.status).toBe(401);
    expect(await traces()).toEqual(NO_TRACES);
    expect(stack.connector.sent).toHaveLength(0);
  });

  it('refuses a token forged with the published key id with 401, and files nothing', async () => {
    const forged = keys.token({ audience: APP_ID, serviceUrl: stack.connector.url, signingKey: strayKey() });
    // botbuilder 4.23 lets jsonwebtoken's "invalid signature" through as a 500; TeamsBotAdapter makes it a 401.
    expect((await postActivity(stack.bot.url, submission(), bearer(forged))).status).toBe(401);
    expect(await traces()).toEqual(NO_TRACES);
  });

  it('accepts a valid token, with keys from the configured metadata, and answers the card action in the response', async () => {
    const status = personalCardAction(alex, stack.tenant.tenantId, APP_ID, stack.connector.url, 'dsr.status', {});
    const answer = await postActivity(stack.bot.url, status, bearer(keys.token({ audience: APP_ID, serviceUrl: stack.connector.url })));
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { statusCode: number; type: string; value: unknown };
    expect(body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(JSON.stringify(body.value)).toContain('Your requests');
    expect(keys.fetched).toEqual(expect.arrayContaining(['/v1/.well-known/openidconfiguration', '/v1/.well-known/keys']));
  });

  it('kept nothing from any refused request once the accepted one has run', async () => {
    expect(await traces()).toEqual(NO_TRACES);
    const logs = stack.logLines.join('\n').toLowerCase();
    for (const value of [alex.displayName, alex.email, alex.upn, alex.aadObjectId]) expect(logs).not.toContain(value.toLowerCase());
  });
});

/** `activity` with its tenant named as given in `channelData.tenant.id` and `conversation.tenantId` (undefined: left out). */
function withTenants(activity: Record<string, unknown>, channelDataTenant: string | undefined, conversationTenant: string | undefined): Record<string, unknown> {
  const conversation = { ...(activity.conversation as Record<string, unknown>) };
  if (conversationTenant === undefined) delete conversation.tenantId;
  else conversation.tenantId = conversationTenant;
  return { ...activity, conversation, channelData: channelDataTenant === undefined ? {} : { tenant: { id: channelDataTenant } } };
}

const OTHER_TENANT = '3f0c9a7e-5b2d-4e18-9c6a-8d7e1f2a3b4c';

/** A 403 with the Bot Framework's error body, before botbuilder or the app saw the activity. */
async function expectForbidden(answer: Response): Promise<void> {
  expect(answer.status).toBe(403);
  expect(await answer.json()).toEqual({ error: { code: 'Forbidden', message: expect.any(String) } });
}

describe('only Teams activities from our tenant, with an app id', () => {
  let requestId: string;

  it('lets Alex file an export through Teams, which then waits for approval', async () => {
    const answer = await postActivity(stack.bot.url, submission(), bearer(keys.token({ audience: APP_ID, serviceUrl: stack.connector.url })));
    expect(answer.status).toBe(200);
    requestId = /DSR-\d{4}-\d{4}/.exec(JSON.stringify(await answer.json()))?.[0] ?? '';
    expect(requestId).not.toBe('');
    await waitFor('the request to await approval', async () => (await stack.bot.store.get(requestId))?.request.state === 'awaiting_approval');
  });

  it('refuses an approver\'s object id on a Direct Line activity, signed with a key endorsed for Direct Line, with 403: the request stays unapproved', async () => {
    const before = await traces();
    // A Direct Line client writes its own `from`, and may copy Teams' tenant fields too.
    const approval = {
      ...personalCardAction(priya, stack.tenant.tenantId, APP_ID, stack.connector.url, 'dsr.approve', { requestId }),
      channelId: 'directline',
      from: { id: 'dl_7f3a', name: priya.displayName, aadObjectId: priya.aadObjectId },
    };
    await expectForbidden(await postActivity(stack.bot.url, approval, bearer(keys.token({ audience: APP_ID, serviceUrl: stack.connector.url, endorsedFor: 'directline' }))));
    const stored = (await stack.bot.store.get(requestId))?.request;
    expect({ state: stored?.state, decisions: stored?.decisions }).toEqual({ state: 'awaiting_approval', decisions: [] });
    expect(await traces()).toEqual(before);
  });

  it('refuses a token whose key is endorsed for Direct Line on an activity that says it comes from Teams, with 401 (botbuilder checks the endorsement)', async () => {
    const before = await traces();
    const approval = personalCardAction(priya, stack.tenant.tenantId, APP_ID, stack.connector.url, 'dsr.approve', { requestId });
    const answer = await postActivity(stack.bot.url, approval, bearer(keys.token({ audience: APP_ID, serviceUrl: stack.connector.url, endorsedFor: 'directline' })));
    expect(answer.status).toBe(401);
    expect((await stack.bot.store.get(requestId))?.request.decisions).toEqual([]);
    expect(await traces()).toEqual(before);
  });

  it.each<[string, string | undefined, string | undefined]>([
    ['another tenant in both places', OTHER_TENANT, OTHER_TENANT],
    ['another tenant in channelData only', OTHER_TENANT, 'ours'],
    ['another tenant in the conversation only', 'ours', OTHER_TENANT],
    ['another tenant in channelData, none in the conversation', OTHER_TENANT, undefined],
    ['no tenant at all', undefined, undefined],
  ])('refuses a Teams activity with a valid token that names %s with 403, and files nothing', async (_case, channelDataTenant, conversationTenant) => {
    const ours = (tenant: string | undefined) => (tenant === 'ours' ? stack.tenant.tenantId : tenant);
    const before = await traces();
    const foreign = withTenants(submission(), ours(channelDataTenant), ours(conversationTenant));
    await expectForbidden(await postActivity(stack.bot.url, foreign, bearer(keys.token({ audience: APP_ID, serviceUrl: stack.connector.url }))));
    expect(await traces()).toEqual(before);
  });

  it('refuses a foreign activity with 403 before looking at its token, and logs no personal data', async () => {
    await expectForbidden(await postActivity(stack.bot.url, withTenants(submission(), OTHER_TENANT, OTHER_TENANT)));
    const logs = stack.logLines.join('\n').toLowerCase();
    for (const value of [priya.displayName, priya.email, priya.aadObjectId]) expect(logs).not.toContain(value.toLowerCase());
  });
});

describe('without an app id', () => {
  it('listens on loopback only, says so in its start line, and takes unauthenticated requests there', async () => {
    const lines: string[] = [];
    const bot = await startBot(
      loadConfig({
        DSR_SANDBOX: 'on',
        PORT: '0',
        DSR_STORAGE_CONNECTION_STRING: stack.azurite.connectionString,
        DSR_APPROVER_GROUP_ID: stack.tenant.approverGroup.id,
        DSR_DATA_DIR: stack.dataDir,
      }),
      { log: createLogger('info', { write: (line: string) => lines.push(line) }) },
    );
    try {
      const started = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'DSR Bot listening');
      expect(started).toMatchObject({ host: '127.0.0.1', port: bot.port });
      expect(String(started?.inboundAuthentication)).toContain('loopback only');

      const status = personalCardAction(alex, stack.tenant.tenantId, 'sandbox-bot', stack.connector.url, 'dsr.status', {});
      expect((await postActivity(`http://127.0.0.1:${bot.port}`, status)).status).toBe(200);

      // Not reachable on any other address of this machine.
      const external = Object.values(os.networkInterfaces())
        .flat()
        .filter((a) => a && !a.internal && a.family === 'IPv4')
        .map((a) => a!.address);
      for (const address of external) {
        const reached = await new Promise<boolean>((resolve) => {
          const socket = connect({ host: address, port: bot.port }, () => {
            socket.destroy();
            resolve(true);
          });
          socket.on('error', () => resolve(false));
        });
        expect({ address, reached }).toEqual({ address, reached: false });
      }
    } finally {
      await bot.stop();
    }
  });

  it('acts only on Teams activities from the tenant of tenant.json, refusing the rest with 403', async () => {
    const bot = await startBot(
      loadConfig({
        DSR_SANDBOX: 'on',
        PORT: '0',
        DSR_STORAGE_CONNECTION_STRING: stack.azurite.connectionString,
        DSR_APPROVER_GROUP_ID: stack.tenant.approverGroup.id,
        DSR_DATA_DIR: stack.dataDir,
      }),
      { log: createLogger('info', { write: () => undefined }) },
    );
    try {
      const url = `http://127.0.0.1:${bot.port}`;
      const before = await traces();
      const filing = personalCardAction(alex, stack.tenant.tenantId, 'sandbox-bot', stack.connector.url, 'dsr.submit', SUBMISSION);
      await expectForbidden(await postActivity(url, { ...filing, channelId: 'directline' }));
      await expectForbidden(await postActivity(url, { ...filing, channelId: 'webchat' }));
      await expectForbidden(await postActivity(url, withTenants(filing, OTHER_TENANT, OTHER_TENANT)));
      await expectForbidden(await postActivity(url, withTenants(filing, undefined, undefined)));
      expect(await traces()).toEqual(before);
      const status = personalCardAction(alex, stack.tenant.tenantId, 'sandbox-bot', stack.connector.url, 'dsr.status', {});
      expect((await postActivity(url, status)).status).toBe(200);
    } finally {
      await bot.stop();
    }
  });
});
