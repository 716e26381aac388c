import path from 'node:path';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { ConfigError, SANDBOX_PORTS, botFrameworkAuthenticationSettings, loadConfig } from '../../src/config';
import { loadTenant } from '../../src/sandbox/tenant';

const GROUP = 'f0f0f0f0-0000-4000-8000-000000000001';

/** Settings of a real Azure deployment, complete. */
const AZURE = {
  MicrosoftAppId: '11111111-2222-4333-8444-555555555555',
  MicrosoftAppPassword: 'app-secret',
  MicrosoftAppTenantId: '99999999-8888-4777-8666-555555555555',
  DSR_STORAGE_CONNECTION_STRING: 'DefaultEndpointsProtocol=https;AccountName=dsr;EndpointSuffix=core.windows.net',
  DSR_APPROVER_GROUP_ID: GROUP,
  DSR_PSEUDONYM_KEY: 'a-secret-of-more-than-16-chars',
  DSR_AUDIT_HMAC_KEY: Buffer.alloc(32, 1).toString('base64'),
};

/** The Azure settings reaching storage with the managed identity instead of a connection string. */
const { DSR_STORAGE_CONNECTION_STRING: _connectionString, ...AZURE_NO_STORAGE } = AZURE;
const ENDPOINTS = {
  DSR_STORAGE_BLOB_URL: 'https://dsrstore.blob.core.windows.net/',
  DSR_STORAGE_QUEUE_URL: 'https://dsrstore.queue.core.windows.net',
  DSR_STORAGE_TABLE_URL: 'https://dsrstore.table.core.windows.net/',
};

function problemsOf(env: NodeJS.ProcessEnv, fallback = GROUP): string[] {
  try {
    loadConfig(env, fallback);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected loadConfig to refuse these settings');
}

describe('sandbox defaults', () => {
  it('keeps the ports of the sandbox contract', () => {
    expect(SANDBOX_PORTS).toEqual({ azuriteBlob: 10000, graph: 4010, digitalTwins: 4020, iotCentral: 4030, dps: 4040, iotHub: 4050, arm: 4060, login: 4070, bot: 3978, playground: 56150 });
  });

  it('runs in sandbox mode on loopback with no Azure settings at all', () => {
    const config = loadConfig({}, GROUP);
    expect(config).toMatchObject({
      sandbox: true,
      host: '127.0.0.1',
      port: 3978,
      botAppId: '',
      graphUrl: 'https://127.0.0.1:4010',
      approverGroupId: GROUP,
      erasureApprovals: 2,
      defaultRegime: 'GDPR',
      services: ['entra', 'digitalTwins', 'iotCentral', 'dps', 'iotHub', 'botStore', 'roleAssignments'],
      digitalTwins: { url: 'https://127.0.0.1:4020', linkProperty: 'ownerId', linkHolds: 'aadObjectId', linkRelationship: 'assignedTo' },
      iotCentral: { url: 'https://127.0.0.1:4030', deviceOwnerProperty: 'ownerEmail', deleteLinkedDevices: false },
      dps: { url: 'https://127.0.0.1:4040', ownerTag: 'owner' },
      iotHub: { hostName: 'contoso-hub.azure-devices.net', endpoint: '127.0.0.1:4050', ownerTag: 'owner', eraseMode: 'delete' },
      roleAssignments: {
        url: 'https://127.0.0.1:4060',
        subscriptionId: loadTenant().azure.subscriptionId,
        scopes: loadTenant().azure.roleAssignmentScopes,
        botPrincipalId: loadTenant().azure.botPrincipalId,
      },
    });
    expect(config.pseudonymKey.length).toBeGreaterThanOrEqual(16);
    expect(path.isAbsolute(config.dataDir)).toBe(true);
    expect(path.basename(config.dataDir)).toBe('.data');
  });

  it('asks outside sandbox mode for the subscription, the scopes and the bot\'s own object id when role assignments are used', () => {
    const subscription = '7c5e2a90-1f3b-4d6e-9a41-0b8d3c2e5f10';
    const given = {
      DSR_SANDBOX: 'off', DSR_SERVICES: 'roleAssignments', DSR_AZURE_SUBSCRIPTION_ID: subscription,
      DSR_ROLE_ASSIGNMENT_SCOPES: `/subscriptions/${subscription}/resourceGroups/rg-iot, /subscriptions/${subscription}/resourceGroups/rg-iot/providers/Microsoft.Devices/IotHubs/hub`,
      DSR_BOT_PRINCIPAL_ID: 'b0700000-0000-4000-8000-0000000000b0',
    };
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env, GROUP);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(problems(given)).not.toMatch(/DSR_ARM_URL|DSR_AZURE_SUBSCRIPTION_ID|DSR_ROLE_ASSIGNMENT_SCOPES|DSR_BOT_PRINCIPAL_ID/);
    expect(problems({ ...given, DSR_AZURE_SUBSCRIPTION_ID: '' })).toMatch(/DSR_AZURE_SUBSCRIPTION_ID must be the id/);
    expect(problems({ ...given, DSR_BOT_PRINCIPAL_ID: '' })).toMatch(/DSR_BOT_PRINCIPAL_ID must be the bot's own object id/);
    expect(problems({ ...given, DSR_ROLE_ASSIGNMENT_SCOPES: '/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/other' }))
      .toMatch(/DSR_ROLE_ASSIGNMENT_SCOPES has 1 entry that is not a subscription, resource group or resource id in DSR_AZURE_SUBSCRIPTION_ID/);
    expect(problems({ ...given, DSR_ARM_URL: 'http://management.example' })).toMatch(/DSR_ARM_URL/);
  });

  it('points storage at Azurite on its three local ports', () => {
    const { storageConnectionString } = loadConfig({}, GROUP);
    expect(storageConnectionString).toContain('AccountName=devstoreaccount1');
    expect(storageConnectionString).toContain('BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1');
    expect(storageConnectionString).toContain('QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1');
    expect(storageConnectionString).toContain('TableEndpoint=http://127.0.0.1:10002/devstoreaccount1');
  });

  it('takes each setting over its default', () => {
    const config = loadConfig({ PORT: '4000', DSR_ERASE_APPROVALS: '3', DSR_SERVICES: 'entra, iotHub', DSR_DEFAULT_REGIME: 'ccpa', DSR_GRAPH_URL: 'https://127.0.0.1:9999', DSR_DATA_DIR: '/tmp/dsr-unit' }, GROUP);
    expect(config).toMatchObject({ port: 4000, erasureApprovals: 3, services: ['entra', 'iotHub'], defaultRegime: 'CCPA', graphUrl: 'https://127.0.0.1:9999', dataDir: '/tmp/dsr-unit' });
  });

  it('leaves sandbox mode when an app id is set, and uses the real Graph', () => {
    expect(loadConfig(AZURE)).toMatchObject({ sandbox: false, graphUrl: 'https://graph.microsoft.com', storageConnectionString: AZURE.DSR_STORAGE_CONNECTION_STRING, services: ['entra', 'botStore'] });
  });

  it('takes the IoT services\' links and modes from settings', () => {
    const config = loadConfig({
      DSR_DIGITAL_TWINS_LINK_PROPERTY: 'externalIds.entra',
      DSR_DIGITAL_TWINS_LINK_HOLDS: 'email',
      DSR_DIGITAL_TWINS_LINK_RELATIONSHIP: 'ownedBy',
      DSR_IOT_CENTRAL_DELETE_DEVICES: 'true',
      DSR_IOT_HUB_CONNECTION_STRING: 'HostName=hub-b.azure-devices.net;SharedAccessKeyName=registryReadWrite;SharedAccessKey=a2V5',
      DSR_IOT_HUB_ERASE_MODE: 'clearPersonalData',
      DSR_CALL_MAX_RETRIES: '2',
    }, GROUP);
    expect(config.digitalTwins).toEqual({ url: 'https://127.0.0.1:4020', linkProperty: 'externalIds.entra', linkHolds: 'email', linkRelationship: 'ownedBy' });
    expect(config.iotCentral.deleteLinkedDevices).toBe(true);
    expect(config.iotHub).toMatchObject({ hostName: 'hub-b.azure-devices.net', eraseMode: 'clearPersonalData' });
    expect(config.callPolicy.maxRetries).toBe(2);
  });

  it('shares reads across requests by default: a 25 ms owner-query window, 10 s listings; each can be set or turned off', () => {
    expect(loadConfig({}, GROUP).readSharing).toEqual({ coalesceWindowMs: 25, sharedListingMs: 10_000 });
    expect(loadConfig({ DSR_COALESCE_WINDOW_MS: '0', DSR_SHARED_LISTING_MS: '0' }, GROUP).readSharing).toEqual({ coalesceWindowMs: 0, sharedListingMs: 0 });
    expect(problemsOf({ ...AZURE, DSR_COALESCE_WINDOW_MS: '5000' })[0]).toContain('DSR_COALESCE_WINDOW_MS');
  });

  it('links twins by relationship only when the link property is none', () => {
    expect(loadConfig({ DSR_DIGITAL_TWINS_LINK_PROPERTY: 'none' }, GROUP).digitalTwins).toMatchObject({ linkProperty: null, linkRelationship: 'assignedTo' });
    expect(problemsOf({ ...AZURE, DSR_DIGITAL_TWINS_LINK_PROPERTY: 'none' })[0]).toContain('DSR_DIGITAL_TWINS_LINK_RELATIONSHIP');
  });

  it('needs the endpoint of every IoT service it is told to reach outside sandbox mode', () => {
    const problems = problemsOf({ ...AZURE, DSR_SERVICES: 'entra,digitalTwins,iotCentral,dps,iotHub' });
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['DSR_DIGITAL_TWINS_URL', 'DSR_IOT_CENTRAL_URL', 'DSR_DPS_URL', 'DSR_IOT_HUB_HOST_NAME']);
  });
});

describe('settings it refuses', () => {
  it.each(['employeeId,mail', 'employeeId&$expand=memberOf', '1st', 'employee id'])('names DSR_APPROVER_PERSON_KEY when it is %p: it goes into a Graph $select', (value) => {
    const problems = problemsOf({ DSR_APPROVER_PERSON_KEY: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('DSR_APPROVER_PERSON_KEY');
  });

  it('reads the person key and the per-minute limits, with their defaults', () => {
    expect(loadConfig({}, GROUP)).toMatchObject({ approverPersonKey: 'employeeId', messagesPerMinute: 30, invokesPerMinute: 60 });
    expect(loadConfig({ DSR_APPROVER_PERSON_KEY: 'extension_3f1c_personId', DSR_INVOKES_PER_MINUTE: '5' }, GROUP)).toMatchObject({ approverPersonKey: 'extension_3f1c_personId', invokesPerMinute: 5 });
  });

  it.each(['0', '6', 'two', '1.5', '-1'])('names DSR_ERASE_APPROVALS when it is %p', (value) => {
    const problems = problemsOf({ DSR_ERASE_APPROVALS: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toBe('DSR_ERASE_APPROVALS must be a whole number from 1 to 5.');
  });

  it('names DSR_SERVICES and the services it knows, not the unknown one', () => {
    const [problem] = problemsOf({ DSR_SERVICES: 'entra,payroll' });
    expect(problem).toContain('DSR_SERVICES names a service it does not know. Known: entra,');
    expect(problem).not.toContain('payroll');
  });

  it.each([
    ['DSR_DIGITAL_TWINS_LINK_PROPERTY', "ownerId' OR 1=1"],
    ['DSR_DIGITAL_TWINS_LINK_HOLDS', 'phone'],
    ['DSR_DIGITAL_TWINS_LINK_RELATIONSHIP', 'owned by'],
    ['DSR_IOT_CENTRAL_DELETE_DEVICES', 'yes'],
    ['DSR_IOT_HUB_ERASE_MODE', 'wipe'],
    ['DSR_IOT_HUB_OWNER_TAG', 'tags.owner = 1'],
  ])('names %s when it is %p', (setting, value) => {
    const problems = problemsOf({ [setting]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(setting);
  });

  it('refuses to listen beyond loopback without an app id', () => {
    const [problem] = problemsOf({ DSR_HOST: '0.0.0.0' });
    expect(problem).toContain('DSR_HOST');
    expect(problem).toContain('MicrosoftAppId');
  });

  it('listens beyond loopback once an app id authenticates callers', () => {
    expect(loadConfig({ ...AZURE, DSR_HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('needs a storage connection string outside sandbox mode', () => {
    const { DSR_STORAGE_CONNECTION_STRING: _omitted, ...withoutStorage } = AZURE;
    const problems = problemsOf(withoutStorage);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('DSR_STORAGE_CONNECTION_STRING');
  });

  it('needs the approvers group and a pseudonym key outside sandbox mode', () => {
    const problems = problemsOf({ MicrosoftAppId: AZURE.MicrosoftAppId, DSR_STORAGE_CONNECTION_STRING: AZURE.DSR_STORAGE_CONNECTION_STRING }, '');
    expect(problems.some((p) => p.includes('DSR_APPROVER_GROUP_ID'))).toBe(true);
    expect(problems.some((p) => p.includes('DSR_PSEUDONYM_KEY'))).toBe(true);
  });

  it('reports every problem at once', () => {
    const env = { MicrosoftAppId: AZURE.MicrosoftAppId, DSR_ERASE_APPROVALS: '9', DSR_SERVICES: 'payroll', DSR_DEFAULT_REGIME: 'LGPD', PORT: 'http' };
    let thrown: unknown;
    try {
      loadConfig(env, '');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const { problems, message } = thrown as ConfigError;
    const named = ['MicrosoftAppPassword', 'MicrosoftAppTenantId', 'DSR_STORAGE_CONNECTION_STRING', 'DSR_APPROVER_GROUP_ID', 'DSR_PSEUDONYM_KEY', 'DSR_DEFAULT_REGIME', 'DSR_SERVICES', 'PORT', 'DSR_ERASE_APPROVALS', 'DSR_AUDIT_HMAC_KEY'];
    expect(problems).toHaveLength(named.length);
    for (const setting of named) {
      expect(problems.some((p) => p.startsWith(setting))).toBe(true);
      expect(message).toContain(setting);
    }
  });
});

/** The values botbuilder's inbound authentication ends up with (its internal ParameterizedBotFrameworkAuthentication). */
function inboundAuthOf(settings: Record<string, string | boolean | undefined>) {
  const inner = (new ConfigurationBotFrameworkAuthentication(settings) as unknown as { inner: Record<string, unknown> }).inner;
  const fields = ['validateAuthority', 'toChannelFromBotLoginUrl', 'toChannelFromBotOAuthScope', 'toBotFromChannelTokenIssuer', 'oAuthUrl', 'toBotFromChannelOpenIdMetadataUrl', 'toBotFromEmulatorOpenIdMetadataUrl', 'callerId'];
  return Object.fromEntries(fields.map((f) => [f, inner[f]]));
}

describe('inbound authentication settings', () => {
  const LOCAL_KEYS = 'http://127.0.0.1:4099/v1/.well-known/openidconfiguration';

  it('leaves botbuilder its own defaults when DSR_BOT_OPENID_METADATA_URL is unset', () => {
    const config = loadConfig(AZURE);
    expect(config.botOpenIdMetadataUrl).toBeUndefined();
    expect(botFrameworkAuthenticationSettings(config)).toEqual({});
    expect(inboundAuthOf(botFrameworkAuthenticationSettings(config))).toMatchObject({
      toBotFromChannelTokenIssuer: 'https://api.botframework.com',
      toBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
    });
  });

  it('replaces only the metadata URL: every other value is botbuilder\'s public-cloud default', () => {
    const config = loadConfig({ ...AZURE, DSR_SANDBOX: 'on', DSR_BOT_OPENID_METADATA_URL: LOCAL_KEYS });
    expect(config.botOpenIdMetadataUrl).toBe(LOCAL_KEYS);
    expect(inboundAuthOf(botFrameworkAuthenticationSettings(config))).toEqual({ ...inboundAuthOf({}), toBotFromChannelOpenIdMetadataUrl: LOCAL_KEYS });
  });

  it('gives botbuilder the whole set, because one value alone leaves it with no issuer and no login URL', () => {
    // If botbuilder ever fills the rest itself, the settings could shrink to the metadata URL.
    expect(inboundAuthOf({ ToBotFromChannelOpenIdMetadataUrl: LOCAL_KEYS })).toMatchObject({ toBotFromChannelTokenIssuer: undefined, toChannelFromBotLoginUrl: undefined });
  });

  it.each([LOCAL_KEYS, 'http://localhost:4099/keys', 'http://[::1]:4099/keys', 'https://login.botframework.com/v1/.well-known/openidconfiguration'])(
    'takes %p as the metadata URL in sandbox mode with an app id',
    (url) => {
      expect(loadConfig({ ...AZURE, DSR_SANDBOX: 'on', DSR_BOT_OPENID_METADATA_URL: url }).botOpenIdMetadataUrl).toBe(url);
    },
  );

  it('takes an https metadata URL outside sandbox mode', () => {
    const url = 'https://login.botframework.com/v1/.well-known/openidconfiguration';
    expect(loadConfig({ ...AZURE, DSR_BOT_OPENID_METADATA_URL: url }).botOpenIdMetadataUrl).toBe(url);
  });

  it.each(['http://keys.contoso.example/openid', 'ftp://127.0.0.1/keys', 'login.botframework.com/v1/.well-known/openidconfiguration', LOCAL_KEYS, 'http://localhost:4099/keys'])(
    'refuses %p as the metadata URL outside sandbox mode, without repeating it',
    (url) => {
      const problems = problemsOf({ ...AZURE, DSR_BOT_OPENID_METADATA_URL: url });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^DSR_BOT_OPENID_METADATA_URL must be an/);
      expect(problems[0]).not.toContain(url);
    },
  );

  it('refuses a metadata URL without an app id: nothing would be authenticated', () => {
    const [problem] = problemsOf({ DSR_BOT_OPENID_METADATA_URL: LOCAL_KEYS });
    expect(problem).toContain('DSR_BOT_OPENID_METADATA_URL');
    expect(problem).toContain('MicrosoftAppId');
  });

  it('needs the secret and the tenant of the single-tenant app registration with an app id', () => {
    const { MicrosoftAppPassword: _password, MicrosoftAppTenantId: _tenant, ...appIdOnly } = AZURE;
    expect(problemsOf(appIdOnly).map((p) => p.split(' ')[0])).toEqual(['MicrosoftAppPassword', 'MicrosoftAppTenantId']);
  });

  it('takes the app registration as SingleTenant unless MicrosoftAppType says otherwise', () => {
    expect(loadConfig(AZURE).botAppType).toBe('SingleTenant');
    expect(loadConfig({ ...AZURE, MicrosoftAppType: 'SingleTenant' }).botAppType).toBe('SingleTenant');
    expect(loadConfig({}, GROUP).botAppType).toBe('SingleTenant');
  });

  describe('a user-assigned managed identity as the bot (MicrosoftAppType=UserAssignedMSI)', () => {
    const { MicrosoftAppPassword: _password, ...AZURE_NO_PASSWORD } = AZURE;
    const MSI = { ...AZURE_NO_PASSWORD, MicrosoftAppType: 'UserAssignedMSI' };

    it('needs no password: the identity\'s tokens come from the managed-identity endpoint', () => {
      expect(loadConfig(MSI)).toMatchObject({ botAppType: 'UserAssignedMSI', botAppId: AZURE.MicrosoftAppId, botAppPassword: '', botTenantId: AZURE.MicrosoftAppTenantId, sandbox: false });
    });

    it('refuses a password beside it: a secret nobody uses, left to leak', () => {
      const problems = problemsOf({ ...MSI, MicrosoftAppPassword: 'forgotten-secret' });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^MicrosoftAppPassword is set but MicrosoftAppType is UserAssignedMSI/);
      expect(problems[0]).not.toContain('forgotten-secret');
    });

    it('needs the identity\'s client id (a GUID) and the tenant', () => {
      const { MicrosoftAppId: _id, MicrosoftAppTenantId: _tenant, ...typeOnly } = MSI;
      expect(problemsOf(typeOnly).map((p) => p.split(' ')[0])).toEqual(['MicrosoftAppId']);
      expect(problemsOf({ ...MSI, MicrosoftAppId: 'dsr-bot' }).map((p) => p.split(' ')[0])).toEqual(['MicrosoftAppId']);
      const { MicrosoftAppTenantId: _t, ...noTenant } = MSI;
      expect(problemsOf(noTenant).map((p) => p.split(' ')[0])).toEqual(['MicrosoftAppTenantId']);
    });
  });

  it.each(['MultiTenant', 'SystemAssignedMSI', 'msi'])('refuses MicrosoftAppType %p, naming the ones it supports', (type) => {
    const [problem, ...more] = problemsOf({ ...AZURE, MicrosoftAppType: type });
    expect(more).toEqual([]);
    expect(problem).toContain('MicrosoftAppType must be SingleTenant or UserAssignedMSI.');
    expect(problem).not.toContain(type);
  });

  it.each(['::', '10.1.2.3', 'dsr-bot.contoso.example'])('refuses to listen on %p without an app id', (host) => {
    const [problem] = problemsOf({ DSR_HOST: host });
    expect(problem).toContain('DSR_HOST');
  });
});

describe('storage reached with the managed identity', () => {
  const IDENTITY = '0d8f5a7e-1234-4a5b-8c6d-7e8f9a0b1c2d';

  it('takes the account endpoints instead of a connection string, without trailing slashes', () => {
    const config = loadConfig({ ...AZURE_NO_STORAGE, ...ENDPOINTS, AZURE_CLIENT_ID: IDENTITY });
    expect(config.storageAccount).toEqual({
      blobUrl: 'https://dsrstore.blob.core.windows.net',
      queueUrl: 'https://dsrstore.queue.core.windows.net',
      tableUrl: 'https://dsrstore.table.core.windows.net',
    });
    expect(config.storageConnectionString).toBe('');
    expect(config.managedIdentityClientId).toBe(IDENTITY);
  });

  it('takes an emulator\'s endpoints, which name the account in the path', () => {
    const config = loadConfig({
      DSR_STORAGE_BLOB_URL: 'https://127.0.0.1:10000/devstoreaccount1',
      DSR_STORAGE_QUEUE_URL: 'https://127.0.0.1:10001/devstoreaccount1',
      DSR_STORAGE_TABLE_URL: 'https://localhost:10002/devstoreaccount1',
    }, GROUP);
    expect(config.storageAccount?.queueUrl).toBe('https://127.0.0.1:10001/devstoreaccount1');
  });

  it('keeps Azurite\'s connection string in sandbox mode when no endpoint is set', () => {
    const config = loadConfig({}, GROUP);
    expect(config.storageAccount).toBeUndefined();
    expect(config.managedIdentityClientId).toBeUndefined();
    expect(config.storageConnectionString).toContain('AccountName=devstoreaccount1');
  });

  it('names both ways of configuring storage when neither is set outside sandbox mode', () => {
    const problems = problemsOf(AZURE_NO_STORAGE);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DSR_STORAGE_CONNECTION_STRING/);
    expect(problems[0]).toContain('DSR_STORAGE_BLOB_URL');
  });

  it('refuses a connection string and endpoints together', () => {
    const problems = problemsOf({ ...AZURE, ...ENDPOINTS });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('not both');
  });

  it.each(['DSR_STORAGE_BLOB_URL', 'DSR_STORAGE_QUEUE_URL', 'DSR_STORAGE_TABLE_URL'])('names %s when it alone is missing', (setting) => {
    const problems = problemsOf({ ...AZURE_NO_STORAGE, ...ENDPOINTS, [setting]: '' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${setting} is required`));
    expect(problems[0]).toContain('core.windows.net');
  });

  it.each([
    ['http://dsrstore.blob.core.windows.net', 'https'],
    ['https://dsrstore.blob.core.windows.net/?sv=2025-07-05&sig=abc', 'SAS token'],
    ['https://dsrstore.blob.core.windows.net/exports', 'not a container'],
    ['dsrstore.blob.core.windows.net', 'absolute URL'],
  ])('refuses %p as the blob endpoint, saying why (%s)', (value, why) => {
    const problems = problemsOf({ ...AZURE_NO_STORAGE, ...ENDPOINTS, DSR_STORAGE_BLOB_URL: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DSR_STORAGE_BLOB_URL/);
    expect(problems[0]).toContain(why);
    expect(problems[0]).not.toContain(value);
  });

  it('refuses endpoints of different accounts', () => {
    const problems = problemsOf({ ...AZURE_NO_STORAGE, ...ENDPOINTS, DSR_STORAGE_TABLE_URL: 'https://otherstore.table.core.windows.net' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('different accounts');
    expect(problems[0]).not.toContain('otherstore');
  });

  it('refuses an AZURE_CLIENT_ID that is not a client id', () => {
    const problems = problemsOf({ ...AZURE_NO_STORAGE, ...ENDPOINTS, AZURE_CLIENT_ID: 'dsr-bot-identity' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^AZURE_CLIENT_ID/);
  });

  it('keeps export links within the seven days a user-delegation key lives', () => {
    expect(loadConfig({ ...AZURE_NO_STORAGE, ...ENDPOINTS, DSR_EXPORT_LINK_DAYS: '7' }).exportLinkDays).toBe(7);
    const problems = problemsOf({ ...AZURE_NO_STORAGE, ...ENDPOINTS, DSR_EXPORT_LINK_DAYS: '8' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DSR_EXPORT_LINK_DAYS/);
    // A connection string signs with the account key, which has no such limit.
    expect(loadConfig({ ...AZURE, DSR_EXPORT_LINK_DAYS: '8' }).exportLinkDays).toBe(8);
  });
});

describe('the settings of a service export (system-generated logs)', () => {
  it('polls a few times a day in Azure, every second in the sandbox, and warns 10 days before the due date', () => {
    expect(loadConfig(AZURE).serviceExport).toEqual({ minPollSeconds: 6 * 60 * 60, warnDaysBeforeDue: 10 });
    expect(loadConfig({}, GROUP).serviceExport.minPollSeconds).toBe(1);
    expect(loadConfig({ ...AZURE, DSR_SERVICE_EXPORT_POLL_SECONDS: '3600', DSR_SERVICE_EXPORT_WARN_DAYS: '14' }).serviceExport).toEqual({ minPollSeconds: 3600, warnDaysBeforeDue: 14 });
  });

  it('refuses a warning that would come after the 7-day deadline reminder, naming the setting', () => {
    expect(problemsOf({ ...AZURE, DSR_SERVICE_EXPORT_WARN_DAYS: '7' })).toEqual([expect.stringMatching(/^DSR_SERVICE_EXPORT_WARN_DAYS/)]);
  });

  it('needs an account of its own for the logs when Storage is reached with the managed identity, and never echoes it', () => {
    const withLogs = { ...AZURE_NO_STORAGE, ...ENDPOINTS, DSR_SERVICES: 'entra,botStore,systemLogs' };
    expect(problemsOf(withLogs)).toEqual([expect.stringMatching(/^DSR_SERVICE_EXPORT_STORAGE_CONNECTION_STRING is required/)]);
    const own = 'DefaultEndpointsProtocol=https;AccountName=dsrlogs;AccountKey=a2V5;EndpointSuffix=core.windows.net';
    expect(loadConfig({ ...withLogs, DSR_SERVICE_EXPORT_STORAGE_CONNECTION_STRING: own }).serviceExport.storageConnectionString).toBe(own);
    const plain = problemsOf({ ...withLogs, DSR_SERVICE_EXPORT_STORAGE_CONNECTION_STRING: own.replace('https', 'http') });
    expect(plain).toEqual([expect.stringMatching(/^DSR_SERVICE_EXPORT_STORAGE_CONNECTION_STRING names plain http/)]);
    expect(plain.join(' ')).not.toContain('a2V5');
    // Without the logs, or with a connection string for the bot's own account (35-day SAS), nothing more is asked.
    expect(loadConfig({ ...AZURE_NO_STORAGE, ...ENDPOINTS }).serviceExport.storageConnectionString).toBeUndefined();
    expect(loadConfig({ ...AZURE, DSR_SERVICES: 'entra,botStore,systemLogs' }).services).toContain('systemLogs');
  });

  it('leaves systemLogs out of the sandbox default, and takes it when named', () => {
    expect(loadConfig({}, GROUP).services).not.toContain('systemLogs');
    expect(loadConfig({ DSR_SERVICES: 'entra,systemLogs' }, GROUP).services).toEqual(['entra', 'systemLogs']);
  });
});

const KEY_44 = Buffer.alloc(32, 7).toString('base64');

describe('the audit key setting', () => {
  it('is required outside sandbox mode, and taken from DSR_AUDIT_HMAC_KEY there', () => {
    const { DSR_AUDIT_HMAC_KEY: _key, ...withoutKey } = AZURE;
    expect(problemsOf(withoutKey)).toEqual([expect.stringMatching(/^DSR_AUDIT_HMAC_KEY is required outside sandbox mode/)]);
    expect(loadConfig({ ...AZURE, DSR_AUDIT_HMAC_KEY: KEY_44 }).auditKey).toEqual({ kind: 'setting', key: Buffer.alloc(32, 7) });
  });

  it.each([
    ['not base64', 'not base64 at all!', /must be standard base64/],
    ['too short', Buffer.alloc(31, 1).toString('base64'), /decodes to 31 bytes; the audit key needs at least 32/],
  ])('refuses a key that is %s, without repeating it', (_what, value, problem) => {
    const problems = problemsOf({ ...AZURE, DSR_AUDIT_HMAC_KEY: value });
    expect(problems).toEqual([expect.stringMatching(problem)]);
    expect(problems[0]).not.toContain(value);
  });

  it('is a file under DSR_DATA_DIR in sandbox mode, or where DSR_AUDIT_KEY_FILE says, never both ways at once', () => {
    const dataDir = path.resolve('some-data');
    expect(loadConfig({ DSR_DATA_DIR: dataDir }, GROUP).auditKey).toEqual({ kind: 'file', path: path.join(dataDir, 'audit-hmac.key') });
    expect(loadConfig({ DSR_AUDIT_KEY_FILE: path.join(dataDir, 'elsewhere.key') }, GROUP).auditKey).toEqual({ kind: 'file', path: path.join(dataDir, 'elsewhere.key') });
    expect(problemsOf({ DSR_AUDIT_KEY_FILE: 'x.key', DSR_AUDIT_HMAC_KEY: KEY_44 })).toEqual([expect.stringContaining('DSR_AUDIT_HMAC_KEY and DSR_AUDIT_KEY_FILE are both set')]);
  });
});

describe('a problem names the setting and what is wrong, never the value', () => {
  /** What a SAS-bearing URL or a key pasted into the wrong setting carries; it must not reach the start-up log. */
  const SECRET = 'sig=Zm9yZ2VkU2lnbmF0dXJl';
  const WHOLE_NUMBERS = [
    'PORT', 'DSR_ERASE_APPROVALS', 'DSR_PURGE_GRACE_DAYS', 'DSR_EXPORT_LINK_DAYS', 'DSR_CALL_TIMEOUT_MS', 'DSR_CALL_MAX_RETRIES', 'DSR_CALL_BASE_DELAY_MS',
    'DSR_CALL_CONCURRENCY', 'DSR_MAX_OPEN_REQUESTS', 'DSR_MESSAGES_PER_MINUTE', 'DSR_JOB_VISIBILITY_SECONDS', 'DSR_WORKER_CONCURRENCY', 'DSR_RETENTION_MONTHS',
    'DSR_SERVICE_EXPORT_POLL_SECONDS', 'DSR_SERVICE_EXPORT_WARN_DAYS', 'DSR_COALESCE_WINDOW_MS', 'DSR_SHARED_LISTING_MS',
  ];
  const cases: [string, NodeJS.ProcessEnv][] = [
    ...WHOLE_NUMBERS.map((name): [string, NodeJS.ProcessEnv] => [name, { [name]: `7&${SECRET}` }]),
    ['DSR_SANDBOX', { DSR_SANDBOX: SECRET }],
    ['DSR_HOST', { DSR_HOST: `dsr.contoso.example?${SECRET}` }],
    ['DSR_BOT_OPENID_METADATA_URL', { ...AZURE, DSR_BOT_OPENID_METADATA_URL: `http://keys.contoso.example/openid?${SECRET}` }],
    ['DSR_STORAGE_BLOB_URL', { ...AZURE_NO_STORAGE, ...ENDPOINTS, DSR_STORAGE_BLOB_URL: `https://dsrstore.blob.core.windows.net/?sv=2025-07-05&${SECRET}` }],
    ['DSR_STORAGE_QUEUE_URL', { ...AZURE_NO_STORAGE, ...ENDPOINTS, DSR_STORAGE_QUEUE_URL: `https://other${SECRET.slice(4, 12).toLowerCase()}.queue.core.windows.net` }],
    ['DSR_STORAGE_CONNECTION_STRING', { ...AZURE, DSR_STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=http;AccountName=dsr;AccountKey=${SECRET}` }],
    ['AZURE_CLIENT_ID', { AZURE_CLIENT_ID: SECRET }],
    ['DSR_DEFAULT_REGIME', { DSR_DEFAULT_REGIME: SECRET }],
    ['DSR_SERVICES', { DSR_SERVICES: `entra,${SECRET}` }],
    ['DSR_DIGITAL_TWINS_LINK_PROPERTY', { DSR_DIGITAL_TWINS_LINK_PROPERTY: SECRET }],
    ['DSR_DIGITAL_TWINS_LINK_HOLDS', { DSR_DIGITAL_TWINS_LINK_HOLDS: SECRET }],
    ['DSR_DIGITAL_TWINS_LINK_RELATIONSHIP', { DSR_DIGITAL_TWINS_LINK_RELATIONSHIP: SECRET }],
    ['DSR_IOT_CENTRAL_DEVICE_OWNER_PROPERTY', { DSR_IOT_CENTRAL_DEVICE_OWNER_PROPERTY: SECRET }],
    ['DSR_IOT_CENTRAL_DELETE_DEVICES', { DSR_IOT_CENTRAL_DELETE_DEVICES: SECRET }],
    ['DSR_DPS_OWNER_TAG', { DSR_DPS_OWNER_TAG: SECRET }],
    ['DSR_IOT_HUB_OWNER_TAG', { DSR_IOT_HUB_OWNER_TAG: SECRET }],
    ['DSR_IOT_HUB_ERASE_MODE', { DSR_IOT_HUB_ERASE_MODE: SECRET }],
    ['DSR_IOT_HUB_ENDPOINT', { DSR_IOT_HUB_ENDPOINT: `https://contoso-hub.azure-devices.net/?${SECRET}` }],
    ['DSR_GRAPH_URL', { ...AZURE, DSR_GRAPH_URL: `http://graph.contoso.example/?${SECRET}` }],
    ['DSR_DIGITAL_TWINS_URL', { ...AZURE, DSR_SERVICES: 'digitalTwins', DSR_DIGITAL_TWINS_URL: `http://dt.contoso.example/?${SECRET}` }],
    ['DSR_IOT_CENTRAL_URL', { ...AZURE, DSR_SERVICES: 'iotCentral', DSR_IOT_CENTRAL_URL: `http://app.azureiotcentral.com/?${SECRET}` }],
    ['DSR_DPS_URL', { ...AZURE, DSR_SERVICES: 'dps', DSR_DPS_URL: `http://dps.azure-devices-provisioning.net/?${SECRET}` }],
    ['DSR_AUDIT_HMAC_KEY', { DSR_AUDIT_HMAC_KEY: SECRET }],
    ['DSR_PSEUDONYM_KEY', { DSR_PSEUDONYM_KEY: SECRET.slice(0, 12) }],
  ];

  it.each(cases)('names %s without repeating what it was given', (setting, env) => {
    let message = '';
    try {
      loadConfig(env, GROUP);
    } catch (error) {
      if (error instanceof ConfigError) message = error.message;
      else throw error;
    }
    expect(message).toContain(setting);
    expect(message).not.toContain(SECRET.slice(4));
    expect(message).not.toContain(SECRET.slice(4, 12));
  });
});

describe('service URLs outside sandbox mode', () => {
  const ALL_SERVICES = { ...AZURE, DSR_SERVICES: 'entra,digitalTwins,iotCentral,dps,iotHub,botStore', DSR_IOT_HUB_HOST_NAME: 'contoso-hub.azure-devices.net' };
  const HTTPS = {
    DSR_GRAPH_URL: 'https://graph.microsoft.com',
    DSR_DIGITAL_TWINS_URL: 'https://contoso.api.weu.digitaltwins.azure.net',
    DSR_IOT_CENTRAL_URL: 'https://contoso.azureiotcentral.com',
    DSR_DPS_URL: 'https://contoso.azure-devices-provisioning.net',
  };

  it('takes https URLs and a bare hub host name', () => {
    const config = loadConfig({ ...ALL_SERVICES, ...HTTPS, DSR_IOT_HUB_ENDPOINT: 'contoso-hub.azure-devices.net:443' });
    expect([config.graphUrl, config.digitalTwins.url, config.iotCentral.url, config.dps.url, config.iotHub.endpoint]).toEqual([...Object.values(HTTPS), 'contoso-hub.azure-devices.net:443']);
  });

  it.each(Object.keys(HTTPS))('refuses an http %s: the bot\'s access tokens would travel in clear', (setting) => {
    const value = HTTPS[setting as keyof typeof HTTPS].replace('https:', 'http:');
    const problems = problemsOf({ ...ALL_SERVICES, ...HTTPS, [setting]: value });
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${setting} must be an https URL outside sandbox mode`))]);
  });

  it.each(['http://contoso-hub.azure-devices.net', 'https://contoso-hub.azure-devices.net', 'contoso-hub.azure-devices.net/devices'])('refuses %p as DSR_IOT_HUB_ENDPOINT: a host name, reached over https', (value) => {
    expect(problemsOf({ ...ALL_SERVICES, ...HTTPS, DSR_IOT_HUB_ENDPOINT: value })).toEqual([expect.stringMatching(/^DSR_IOT_HUB_ENDPOINT must be the hub's host name/)]);
  });

  it.each(['DefaultEndpointsProtocol=http;AccountName=dsr;AccountKey=a2V5', 'DefaultEndpointsProtocol=https;AccountName=dsr;AccountKey=a2V5;BlobEndpoint=http://dsr.blob.core.windows.net'])(
    'refuses a storage connection string with plain http endpoints: %p',
    (value) => {
      expect(problemsOf({ ...AZURE, DSR_STORAGE_CONNECTION_STRING: value })).toEqual([expect.stringMatching(/^DSR_STORAGE_CONNECTION_STRING names plain http endpoints/)]);
    },
  );

  it('keeps the sandbox\'s own endpoints in sandbox mode', () => {
    expect(loadConfig({ DSR_GRAPH_URL: 'http://127.0.0.1:4999' }, GROUP).graphUrl).toBe('http://127.0.0.1:4999');
  });

  it('needs the tenant whose Teams activities it acts on outside sandbox mode, even without an app id', () => {
    const { MicrosoftAppId: _id, MicrosoftAppPassword: _password, MicrosoftAppTenantId: _tenant, ...noApp } = AZURE;
    expect(problemsOf({ ...noApp, DSR_SANDBOX: 'off' })).toEqual([expect.stringMatching(/^MicrosoftAppTenantId is required outside sandbox mode/)]);
  });
});

describe('the language and time zone settings', () => {
  it('speaks English in UTC unless told otherwise, in Azure as in the sandbox', () => {
    expect(loadConfig(AZURE)).toMatchObject({ defaultLocale: 'en', timeZone: 'UTC' });
    expect(loadConfig({}, GROUP)).toMatchObject({ defaultLocale: 'en', timeZone: 'UTC' });
  });

  it.each([
    ['de', 'Europe/Berlin', 'de'],
    ['FR', 'Europe/Paris', 'fr'],
    ['es', 'America/Mexico_City', 'es'],
  ])('takes DSR_DEFAULT_LOCALE %p and DSR_TIME_ZONE %p', (locale, timeZone, expected) => {
    expect(loadConfig({ ...AZURE, DSR_DEFAULT_LOCALE: locale, DSR_TIME_ZONE: timeZone })).toMatchObject({ defaultLocale: expected, timeZone });
  });

  it.each(['it', 'de-DE', 'german', 'e'])('names DSR_DEFAULT_LOCALE and the languages it takes when it is %p', (value) => {
    expect(problemsOf({ ...AZURE, DSR_DEFAULT_LOCALE: value })).toEqual(['DSR_DEFAULT_LOCALE must be one of en, de, fr, es.']);
  });

  it.each(['Europe/Atlantis', 'CEST+1', 'Mars/Olympus'])('names DSR_TIME_ZONE when it is %p, a zone the time zone database does not know', (value) => {
    const problems = problemsOf({ ...AZURE, DSR_TIME_ZONE: value });
    expect(problems).toEqual([expect.stringMatching(/^DSR_TIME_ZONE must be an IANA time zone name/)]);
    expect(problems[0]).not.toContain(value);
  });
});
