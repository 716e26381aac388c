import path from 'node:path';
import { ConfigError, SANDBOX_PORTS, loadConfig } from '../../src/config';

const GROUP = 'f0f0f0f0-0000-4000-8000-000000000001';

/** Settings of a real Azure deployment, complete. */
const AZURE = {
  MicrosoftAppId: '11111111-2222-4333-8444-555555555555',
  MicrosoftAppPassword: 'app-secret',
  DSR_STORAGE_CONNECTION_STRING: 'DefaultEndpointsProtocol=https;AccountName=dsr;EndpointSuffix=core.windows.net',
  DSR_APPROVER_GROUP_ID: GROUP,
  DSR_PSEUDONYM_KEY: 'a-secret-of-more-than-16-chars',
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
    expect(SANDBOX_PORTS).toEqual({ azuriteBlob: 10000, graph: 4010, digitalTwins: 4020, iotCentral: 4030, dps: 4040, iotHub: 4050, bot: 3978, playground: 56150 });
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
      services: ['entra', 'digitalTwins', 'iotCentral', 'dps', 'iotHub', 'botStore'],
      digitalTwins: { url: 'https://127.0.0.1:4020', linkProperty: 'ownerId', linkHolds: 'aadObjectId', linkRelationship: 'assignedTo' },
      iotCentral: { url: 'https://127.0.0.1:4030', deviceOwnerProperty: 'ownerEmail', deleteLinkedDevices: false },
      dps: { url: 'https://127.0.0.1:4040', ownerTag: 'owner' },
      iotHub: { hostName: 'contoso-hub.azure-devices.net', endpoint: '127.0.0.1:4050', ownerTag: 'owner', eraseMode: 'delete' },
    });
    expect(config.pseudonymKey.length).toBeGreaterThanOrEqual(16);
    expect(path.isAbsolute(config.dataDir)).toBe(true);
    expect(path.basename(config.dataDir)).toBe('.data');
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
  it.each(['0', '6', 'two', '1.5', '-1'])('names DSR_ERASE_APPROVALS when it is %p', (value) => {
    const problems = problemsOf({ DSR_ERASE_APPROVALS: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('DSR_ERASE_APPROVALS');
    expect(problems[0]).toContain(`'${value}'`);
  });

  it('names DSR_SERVICES and the unknown service', () => {
    const [problem] = problemsOf({ DSR_SERVICES: 'entra,payroll' });
    expect(problem).toContain('DSR_SERVICES');
    expect(problem).toContain('payroll');
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
    const named = ['DSR_STORAGE_CONNECTION_STRING', 'DSR_APPROVER_GROUP_ID', 'DSR_PSEUDONYM_KEY', 'DSR_DEFAULT_REGIME', 'DSR_SERVICES', 'PORT', 'DSR_ERASE_APPROVALS'];
    expect(problems).toHaveLength(named.length);
    for (const setting of named) {
      expect(problems.some((p) => p.startsWith(setting))).toBe(true);
      expect(message).toContain(setting);
    }
  });
});
