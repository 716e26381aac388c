import { readFile } from 'node:fs/promises';
import { IotHubAdapter, type DpsDevice, type IotHubAdapterOptions } from '../../src/adapters/iotHub/iotHubAdapter';
import type { AdapterCallContext, PlanItem, Subject } from '../../src/dsr';
import { sandboxStatePath } from '../../src/sandbox/common';
import type { IotHubState } from '../../src/sandbox/iotHub/iotHubState';
import { createIotHubSandbox, type IotHubSandbox, type IotHubSeed } from '../../src/sandbox/iotHub';
import type { RequestStatsSnapshot } from '../../src/sandbox/common';
import { SandboxCredential } from '../../src/sandbox/sandboxCredential';
import { loadTenant } from '../../src/sandbox/tenant';
import { FAST_POLICY, INJECTION, callContext, collectFiles, expectNoPersonalValues, injectedSubject, serviceFailure, subjectFor } from '../support/adapterTesting';
import { sandboxPool } from '../support/sandboxPool';
import { waitFor } from '../support/waitFor';
import { rawRequest, type RawResponse } from '../sandbox/sandboxGraphClient';

const tenant = loadTenant();
const HUB = 'contoso-hub.azure-devices.net';
const API = 'api-version=2021-04-12';
const BEARER = { Authorization: 'Bearer dsr-sandbox-token' };
const CONNECTION_STRING = `HostName=${HUB};SharedAccessKeyName=iothubowner;SharedAccessKey=${Buffer.alloc(32, 7).toString('base64')}`;

const alex = subjectFor('alex.wilber@contoso.test');
const megan = subjectFor('megan.bowen@contoso.test');
const diego = subjectFor('diego.siciliani@contoso.test');
const lee = subjectFor('lee.gu@contoso.test');
const injectedMail: Subject = { ...lee, email: `' OR tags.owner = '${alex.aadObjectId}`, upn: `${lee.upn}\\' OR tags.owner = '${alex.aadObjectId}` };

/** Alex's DPS registrations: two on this hub, one on another hub, one not (or no longer) in the hub. */
const ALEX_DPS: DpsDevice[] = [
  { deviceId: 'wearable-alex-01', assignedHub: HUB },
  { deviceId: 'phone-alex', assignedHub: 'Contoso-Hub.azure-devices.net' },
  { deviceId: 'sensor-floor-3', assignedHub: 'contoso-lab-hub.azure-devices.net' },
  { deviceId: 'retired-phone-alex', assignedHub: HUB },
];
const dpsDevices = async (subject: Subject): Promise<DpsDevice[]> => (subject.aadObjectId === alex.aadObjectId ? ALEX_DPS : []);

type DevicesFile = { hub: string; devices: { deviceId: string; linkedBy: string; identity: Record<string, unknown>; twin: { tags?: Record<string, unknown>; properties?: { desired?: Record<string, unknown>; reported?: Record<string, unknown> } } }[] };

const dataDirs = new Map<IotHubSandbox, string>();
const sandboxes = sandboxPool('iothub-adapter', async (dataDir, seed?: IotHubSeed) => {
  const sandbox = await createIotHubSandbox({ tenant, dataDir, port: 0, seed });
  dataDirs.set(sandbox, dataDir);
  return sandbox;
});
const start = sandboxes.start;
afterAll(() => sandboxes.closeAll());

function adapterFor(sandbox: IotHubSandbox, options: Partial<IotHubAdapterOptions> = {}): IotHubAdapter {
  const connection = options.connectionString ? {} : { credential: new SandboxCredential() };
  return new IotHubAdapter({ hostName: HUB, endpoint: sandbox.endpoint, ...connection, policy: FAST_POLICY, ...options });
}

function hub(sandbox: IotHubSandbox, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  return rawRequest(sandbox, method, `${path}?${API}`, { body: options.body, headers: { ...BEARER, ...options.headers } });
}

async function deviceIds(sandbox: IotHubSandbox): Promise<string[]> {
  const ids: string[] = [];
  let continuation: string | null = null;
  do {
    const response: RawResponse = await hub(sandbox, 'POST', '/devices/query', {
      body: { query: 'SELECT * FROM devices' },
      headers: { 'x-ms-max-item-count': '1000', ...(continuation && { 'x-ms-continuation': continuation }) },
    });
    ids.push(...(response.body as { deviceId: string }[]).map((twin) => twin.deviceId));
    continuation = response.headers.get('x-ms-continuation');
  } while (continuation);
  return ids;
}

async function twinOf(sandbox: IotHubSandbox, deviceId: string): Promise<{ tags?: Record<string, unknown>; properties: { desired: Record<string, unknown>; reported: Record<string, unknown> } }> {
  const response = await hub(sandbox, 'GET', `/twins/${deviceId}`);
  expect(response.status).toBe(200);
  return response.body as never;
}

async function addDevice(sandbox: IotHubSandbox, deviceId: string, tags: Record<string, unknown>): Promise<void> {
  expect((await hub(sandbox, 'PUT', `/devices/${deviceId}`, { body: { deviceId } })).status).toBe(200);
  expect((await hub(sandbox, 'PATCH', `/twins/${deviceId}`, { body: { tags }, headers: { 'If-Match': '"*"' } })).status).toBe(200);
}

/** The devices as the sandbox itself holds them: its state file, written before it answers a change. */
async function devicesInState(sandbox: IotHubSandbox): Promise<IotHubState['devices']> {
  const state = JSON.parse(await readFile(sandboxStatePath(dataDirs.get(sandbox)!, 'iotHub'), 'utf8')) as IotHubState;
  return state.devices;
}

/** Items in id order: the hub's query promises no order. */
function byId<T extends { id: string }>(items: readonly T[] | undefined): T[] {
  return [...(items ?? [])].sort((a, b) => a.id.localeCompare(b.id));
}

async function stats(sandbox: IotHubSandbox): Promise<RequestStatsSnapshot> {
  return (await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body as RequestStatsSnapshot;
}

describe('IotHubAdapter discovery', () => {
  let sandbox: IotHubSandbox;
  beforeAll(async () => { sandbox = await start(); });

  it('finds the devices tagged with the object id and with the e-mail address, in plain words', async () => {
    const result = await adapterFor(sandbox).discover(alex, callContext('access'));
    expect(result).toEqual({ count: 2, plan: expect.any(Array), items: [{ code: 'iotHub.taggedDevices', count: 2 }] });
    const forErasure = await adapterFor(sandbox).discover(alex, callContext('erase'));
    expect(forErasure.items).toEqual([{ code: 'iotHub.taggedDevices', count: 2 }, { code: 'iotHub.erasure', clearsPersonalData: false }]);
    expectNoPersonalValues(JSON.stringify([result, forErasure]), alex);
  });

  it("matches an e-mail tag whatever the case of the subject's address in Entra", async () => {
    // Entra has Megan.Bowen@contoso.test; her tablet is tagged in lower case.
    const result = await adapterFor(sandbox).discover(megan, callContext('access'));
    expect(result.count).toBe(2);
  });

  it('adds the devices DPS provisioned for the subject on this hub, ignoring other hubs and devices not here', async () => {
    const result = await adapterFor(sandbox, { dpsDevices }).discover(alex, callContext('erase'));
    expect(result.count).toBe(3);
    expect(result.items).toEqual([
      { code: 'iotHub.taggedDevices', count: 2 },
      { code: 'iotHub.dpsDevices', count: 1 },
      { code: 'iotHub.erasure', clearsPersonalData: false },
    ]);
  });

  it('does not count a DPS device that has been handed over to someone else', async () => {
    const handedOver = async () => [{ deviceId: 'wearable-megan-01', assignedHub: HUB }];
    expect((await adapterFor(sandbox, { dpsDevices: handedOver }).discover(alex, callContext('access'))).count).toBe(2);
  });

  it('finds tags written with capitalised name parts, and by a nested owner tag when configured', async () => {
    await addDevice(sandbox, 'badge-lee', { owner: 'Lee.Gu@contoso.test' });
    await addDevice(sandbox, 'locker-lee', { people: { owner: lee.aadObjectId.toUpperCase() } });
    expect((await adapterFor(sandbox).discover(lee, callContext('access'))).count).toBe(1);
    expect((await adapterFor(sandbox, { ownerTag: 'people.owner' }).discover(lee, callContext('access'))).count).toBe(1);
  });

  it('finds nothing for a subject with no devices', async () => {
    expect(await adapterFor(sandbox).discover(subjectFor('grace.kim@contoso.test'), callContext('access'))).toEqual({ count: 0, plan: [], items: [] });
  });

  it('refuses an owner tag that is not a property path', () => {
    expect(() => adapterFor(sandbox, { ownerTag: "owner = 'x' OR tags.site" })).toThrow(/property path/);
  });

  it('needs exactly one of a credential and a connection string, and an endpoint without scheme', () => {
    expect(() => new IotHubAdapter({ hostName: HUB, endpoint: sandbox.endpoint })).toThrow(/exactly one/);
    expect(() => new IotHubAdapter({ hostName: HUB, credential: new SandboxCredential(), connectionString: CONNECTION_STRING })).toThrow(/exactly one/);
    expect(() => new IotHubAdapter({ hostName: HUB, endpoint: sandbox.url, credential: new SandboxCredential() })).toThrow(/host:port/);
  });
});

describe('IotHubAdapter paging', () => {
  it('follows x-ms-continuation across pages of the twin query, never listing all devices', async () => {
    const sandbox = await start({
      hostName: HUB,
      devices: [
        ...Array.from({ length: 250 }, (_, i) => ({ deviceId: `lee-sensor-${String(i).padStart(3, '0')}`, tags: { owner: lee.aadObjectId } })),
        ...Array.from({ length: 40 }, (_, i) => ({ deviceId: `other-${i}`, tags: { owner: alex.aadObjectId } })),
      ],
    });
    const adapter = adapterFor(sandbox, { pageSize: 100 });
    expect((await adapter.discover(lee, callContext('export'))).count).toBe(250);
    const requests = (await stats(sandbox)).requests;
    expect(requests).toEqual({ 'POST /devices/query': 3 });
    const files = await collectFiles(adapter.export(lee, callContext('export')));
    expect((files['devices.json'] as DevicesFile).devices).toHaveLength(250);
  });
});

describe('IotHubAdapter coalescing owner queries across requests', () => {
  /** An owner whose address needs escaping in a query: a quote and a backslash. */
  const quoted: Subject = { ...lee, aadObjectId: 'c0ffee00-0000-4000-8000-000000000001', email: "o'brien\\it@contoso.test", upn: "o'brien\\it@contoso.test" };
  const seed: IotHubSeed = {
    hostName: HUB,
    devices: [
      { deviceId: 'alex-phone', tags: { owner: alex.aadObjectId } },
      { deviceId: 'alex-watch', tags: { owner: alex.email.toLowerCase() } },
      { deviceId: 'megan-tablet', tags: { owner: megan.email.toLowerCase() } },
      { deviceId: 'diego-badge', tags: { owner: diego.aadObjectId } },
      { deviceId: 'lee-laptop', tags: { owner: lee.aadObjectId } },
      { deviceId: 'obrien-kiosk', tags: { owner: quoted.email } },
    ],
  };
  const discovered = async (adapter: IotHubAdapter, subject: Subject) => (await adapter.discover(subject, callContext('access'))).plan!.map((item) => item.id).sort();

  it('asks one IN query for discoveries started together, and gives each only its own devices', async () => {
    const sandbox = await start(seed);
    const adapter = adapterFor(sandbox, { coalesceWindowMs: 25 });
    const found = await Promise.all([alex, megan, quoted, injectedMail].map((subject) => discovered(adapter, subject)));
    expect(found).toEqual([['alex-phone', 'alex-watch'], ['megan-tablet'], ['obrien-kiosk'], ['lee-laptop']]);
    expect((await stats(sandbox)).requests).toEqual({ 'POST /devices/query': 1 });
  });

  it('splits a batch larger than the owners one query may carry, each query answering its own owners', async () => {
    const sandbox = await start(seed);
    const adapter = adapterFor(sandbox, { coalesceWindowMs: 25, ownersPerQuery: 2 });
    const found = await Promise.all([alex, megan, diego, lee, quoted].map((subject) => discovered(adapter, subject)));
    expect(found).toEqual([['alex-phone', 'alex-watch'], ['megan-tablet'], ['diego-badge'], ['lee-laptop'], ['obrien-kiosk']]);
    expect((await stats(sandbox)).requests).toEqual({ 'POST /devices/query': 3 });
  });

  it('fails only the request whose identifier cannot be put in a query; the others sharing its batch are answered', async () => {
    const sandbox = await start(seed);
    const adapter = adapterFor(sandbox, { coalesceWindowMs: 25 });
    const refused: Subject = { ...diego, email: 'diego\nsiciliani@contoso.test' };
    const [alexFound, failure] = await Promise.all([discovered(adapter, alex), serviceFailure(adapter.discover(refused, callContext('access')))]);
    expect(alexFound).toEqual(['alex-phone', 'alex-watch']);
    expect(failure.code).toBe('QueryValueRefused');
    expectNoPersonalValues(failure.message, diego);
    expect((await stats(sandbox)).requests).toEqual({ 'POST /devices/query': 1 });
  });

  it('queries again for an ask after the batch was sent: nothing is kept between batches', async () => {
    const sandbox = await start(seed);
    const adapter = adapterFor(sandbox, { coalesceWindowMs: 25 });
    expect(await discovered(adapter, alex)).toEqual(['alex-phone', 'alex-watch']);
    await addDevice(sandbox, 'alex-tablet', { owner: alex.aadObjectId });
    expect(await discovered(adapter, alex)).toEqual(['alex-phone', 'alex-tablet', 'alex-watch']);
    expect((await stats(sandbox)).requests['POST /devices/query']).toBe(2);
  });
});

describe('IotHubAdapter export', () => {
  let sandbox: IotHubSandbox;
  beforeAll(async () => { sandbox = await start(); });

  it('writes devices.json with identity and twin, without any key or thumbprint, the identity taken from the twin', async () => {
    const files = await collectFiles(adapterFor(sandbox, { dpsDevices }).export(alex, callContext('export')));
    expect(Object.keys(files)).toEqual(['devices.json']);
    const content = files['devices.json'] as DevicesFile;
    expect(content.hub).toBe(HUB);
    expect(content.devices.map((device) => [device.deviceId, device.linkedBy]).sort()).toEqual([
      ['headset-alex', 'ownerTag'], ['phone-alex', 'dpsRegistration'], ['wearable-alex-01', 'ownerTag'],
    ]);
    const wearable = content.devices.find((device) => device.deviceId === 'wearable-alex-01')!;
    expect(wearable.identity).toMatchObject({ deviceId: 'wearable-alex-01', status: 'enabled' });
    expect(wearable.identity.authentication).toBeUndefined();
    expect(wearable.twin.tags).toEqual({ owner: alex.aadObjectId });
    expect(wearable.twin.properties?.desired).toMatchObject({ vibrate: true });
    expect(wearable.twin.properties?.reported).toMatchObject({ battery: 81 });
    expect(JSON.stringify(content)).not.toMatch(/primaryKey|secondaryKey|thumbprint/i);
    // One registry operation per device would spend S1's 100 a minute: the twins carry the identity.
    expect((await stats(sandbox)).requests['GET /devices/{id}']).toBeUndefined();
  });

  it("leaves out a selfSigned device's thumbprints", async () => {
    const files = await collectFiles(adapterFor(sandbox).export(diego, callContext('export')));
    const text = JSON.stringify(files);
    expect(text).toContain('laptop-diego');
    expect(text).toContain('IT-2231');
    expect(text).not.toMatch(/primaryKey|secondaryKey|thumbprint/i);
    const thumbprint = ((await hub(sandbox, 'GET', '/devices/laptop-diego')).body as { authentication: { x509Thumbprint: { primaryThumbprint: string } } })
      .authentication.x509Thumbprint.primaryThumbprint;
    expect(text).not.toContain(thumbprint);
  });

  it('writes no file for a subject with no devices', async () => {
    expect(await collectFiles(adapterFor(sandbox).export(subjectFor('grace.kim@contoso.test'), callContext('export')))).toEqual({});
  });
});

describe('IotHubAdapter erase', () => {
  it('deletes the subject\'s devices (tagged and DPS-provisioned) and nothing else; a repeat finds nothing', async () => {
    const sandbox = await start();
    const before = await deviceIds(sandbox);
    const adapter = adapterFor(sandbox, { dpsDevices });
    const report = await adapter.erase(alex, callContext('erase'));
    expect(report).toEqual({ summary: { code: 'iotHub.deleted', devices: 3, absent: 0, planned: false }, count: 3 });
    expectNoPersonalValues(JSON.stringify(report), alex);
    const after = await deviceIds(sandbox);
    expect(before.filter((id) => !after.includes(id)).sort()).toEqual(['headset-alex', 'phone-alex', 'wearable-alex-01']);
    expect((await adapter.erase(alex, callContext('erase'))).count).toBe(0);
    expect((await adapter.discover(alex, callContext('erase'))).count).toBe(0);
  });

  // These hold the adapter's DELETE in an injectedSubject delay, change the device meanwhile, then let it through.
  it('sends If-Match with the etag read: a device changed meanwhile is read again, checked, then deleted', async () => {
    const sandbox = await start();
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { delayMs: 1500, count: 1, method: 'DELETE', pathPrefix: '/devices/wearable-alex-01' } });
    const erasing = adapterFor(sandbox).erase(alex, callContext('erase'));
    await waitFor('the delayed delete', async () => ((await stats(sandbox)).faultsServed === 1 ? true : undefined));
    const identity = (await hub(sandbox, 'GET', '/devices/wearable-alex-01')).body as Record<string, unknown>;
    // A new etag while the delete waits: its If-Match no longer matches.
    expect((await hub(sandbox, 'PUT', '/devices/wearable-alex-01', { body: { ...identity, statusReason: 'lost' }, headers: { 'If-Match': '"*"' } })).status).toBe(200);
    expect(await erasing).toEqual({ summary: { code: 'iotHub.deleted', devices: 2, absent: 0, planned: false }, count: 2 });
    expect((await hub(sandbox, 'GET', '/devices/wearable-alex-01')).status).toBe(404);
    expect((await stats(sandbox)).requests['DELETE /devices/{id}']).toBe(3);
  });

  it('does not delete a device whose owner tag changed to someone else meanwhile', async () => {
    const sandbox = await start();
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { delayMs: 1500, count: 1, method: 'DELETE', pathPrefix: '/devices/headset-alex' } });
    const erasing = adapterFor(sandbox).erase(alex, callContext('erase'));
    await waitFor('the delayed delete', async () => ((await stats(sandbox)).faultsServed === 1 ? true : undefined));
    const identity = (await hub(sandbox, 'GET', '/devices/headset-alex')).body as Record<string, unknown>;
    await hub(sandbox, 'PUT', '/devices/headset-alex', { body: { ...identity, statusReason: 'handed over' }, headers: { 'If-Match': '"*"' } });
    await hub(sandbox, 'PATCH', '/twins/headset-alex', { body: { tags: { owner: megan.aadObjectId } }, headers: { 'If-Match': '"*"' } });
    const report = await erasing;
    expect(report).toEqual({ summary: { code: 'iotHub.deleted', devices: 1, absent: 1, planned: false }, count: 2 });
    expect((await hub(sandbox, 'GET', '/devices/headset-alex')).status).toBe(200);
  });

  it('counts a device deleted by someone else between discovery and delete (404) as done', async () => {
    const sandbox = await start();
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { delayMs: 1500, count: 1, method: 'DELETE', pathPrefix: '/devices/headset-alex' } });
    const erasing = adapterFor(sandbox).erase(alex, callContext('erase'));
    await waitFor('the delayed delete', async () => ((await stats(sandbox)).faultsServed === 1 ? true : undefined));
    expect((await hub(sandbox, 'DELETE', '/devices/headset-alex', { headers: { 'If-Match': '"*"' } })).status).toBe(204);
    expect(await erasing).toEqual({ summary: { code: 'iotHub.deleted', devices: 1, absent: 1, planned: false }, count: 2 });
    expect((await hub(sandbox, 'GET', '/devices/wearable-alex-01')).status).toBe(404);
  });

  it('in clearPersonalData mode patches the twins: owner tag and personal fields go, devices stay', async () => {
    const sandbox = await start();
    const adapter = adapterFor(sandbox, { eraseMode: 'clearPersonalData', personalTags: ['assetTag'], personalDesiredProperties: ['vibrate'], dpsDevices });
    const discovered = await adapter.discover(alex, callContext('erase'));
    expect(discovered.items).toContainEqual({ code: 'iotHub.erasure', clearsPersonalData: true });
    const report = await adapter.erase(alex, callContext('erase'));
    // phone-alex (DPS) carries none of the fields: nothing to clear there.
    expect(report).toEqual({ summary: { code: 'iotHub.cleared', devices: 2, absent: 1, planned: false }, count: 3 });
    const wearable = await twinOf(sandbox, 'wearable-alex-01');
    expect(wearable.tags).toBeUndefined();
    expect(wearable.properties.desired.vibrate).toBeUndefined();
    expect(wearable.properties.reported.battery).toBe(81);
    expect((await twinOf(sandbox, 'headset-alex')).tags).toBeUndefined();
    expect((await twinOf(sandbox, 'wearable-megan-01')).tags).toEqual({ owner: megan.aadObjectId });
    // No owner tag finds them any more; only DPS (whose own adapter erases the registrations) still links two.
    expect((await adapter.discover(alex, callContext('erase'))).items[0]).toEqual({ code: 'iotHub.dpsDevices', count: 2 });
    await adapter.erase(diego, callContext('erase'));
    expect((await twinOf(sandbox, 'laptop-diego')).tags).toBeUndefined();
  });
});

describe('IotHubAdapter under faults', () => {
  let sandbox: IotHubSandbox;
  beforeAll(async () => { sandbox = await start(); });
  afterEach(async () => { await rawRequest(sandbox, 'DELETE', '/_sandbox/faults'); });

  it('survives a burst of 429 with Retry-After on the query and on twin reads', async () => {
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 429, count: 3, retryAfterSeconds: 1, pathPrefix: '/devices/query' } });
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 429, count: 2, retryAfterSeconds: 1, pathPrefix: '/twins/' } });
    expect((await adapterFor(sandbox, { dpsDevices }).discover(alex, callContext('access'))).count).toBe(3);
    expect((await stats(sandbox)).faultsServed).toBe(5);
  });

  it('survives a connection dropped without an answer on the query and on a twin read, asking again', async () => {
    await rawRequest(sandbox, 'POST', '/_sandbox/stats/reset');
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { drop: true, count: 1, pathPrefix: '/devices/query' } });
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { drop: true, count: 1, pathPrefix: '/twins/' } });
    expect((await adapterFor(sandbox, { dpsDevices }).discover(alex, callContext('access'))).count).toBe(3);
    expect((await stats(sandbox)).faultsServed).toBe(2);
  });

  it('reports a permanent 500 as a ServiceError naming the service, without personal values', async () => {
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 500, count: -1, pathPrefix: '/devices/query' } });
    const error = await serviceFailure(adapterFor(sandbox, { policy: { ...FAST_POLICY, maxRetries: 2 } }).discover(alex, callContext('access')));
    expect(error.service).toBe('iotHub');
    expect(error.statusCode).toBe(500);
    expect(error.message).toMatch(/^iotHub: query device twins answered 500 .*after 3 tries$/);
    expectNoPersonalValues(error.message, alex);
  });
});

describe('IotHubAdapter and injection', () => {
  it('keeps injection strings one literal: nothing of anyone else is found, exported or deleted', async () => {
    const sandbox = await start();
    const before = await deviceIds(sandbox);
    const adapter = adapterFor(sandbox);
    for (const subject of [injectedSubject, injectedMail]) {
      expect(await adapter.discover(subject, callContext('erase'))).toEqual({ count: 0, plan: [], items: [] });
      expect(await collectFiles(adapter.export(subject, callContext('export')))).toEqual({});
      expect((await adapter.erase(subject, callContext('erase'))).count).toBe(0);
    }
    expect(await deviceIds(sandbox)).toEqual(before);
  });

  it("finds a device tagged with the injection string itself, and only that one", async () => {
    const sandbox = await start();
    await addDevice(sandbox, 'odd-device', { owner: INJECTION });
    expect((await adapterFor(sandbox).discover(injectedSubject, callContext('access'))).count).toBe(1);
  });
});

describe('IotHubAdapter with a connection string', () => {
  it('discovers, exports and erases with a SharedAccessSignature instead of a token', async () => {
    const sandbox = await start();
    const adapter = adapterFor(sandbox, { connectionString: CONNECTION_STRING, credential: undefined });
    expect((await adapter.discover(alex, callContext('access'))).count).toBe(2);
    expect(Object.keys(await collectFiles(adapter.export(alex, callContext('export'))))).toEqual(['devices.json']);
    expect((await adapter.erase(alex, callContext('erase'))).summary).toEqual({ code: 'iotHub.deleted', devices: 2, absent: 0, planned: false });
    expect((await hub(sandbox, 'GET', '/devices/headset-alex')).status).toBe(404);
  });
});

describe('IotHubAdapter erase with an approved plan', () => {
  const erasing = (plan: readonly PlanItem[]): AdapterCallContext => ({ ...callContext('erase'), plan });
  const ALEX_PLAN: PlanItem[] = [
    { type: 'device', id: 'wearable-alex-01', reason: 'tag:owner' },
    { type: 'device', id: 'headset-alex', reason: 'tag:owner' },
    { type: 'device', id: 'phone-alex', reason: 'dpsRegistration' },
  ];

  it('plans each device with its id and why it matched: the owner tag, or a DPS registration', async () => {
    const sandbox = await start();
    expect(byId((await adapterFor(sandbox, { dpsDevices }).discover(alex, callContext('erase'))).plan)).toEqual(byId(ALEX_PLAN));
    await addDevice(sandbox, 'locker-lee', { people: { owner: lee.aadObjectId } });
    expect((await adapterFor(sandbox, { ownerTag: 'people.owner' }).discover(lee, callContext('erase'))).plan)
      .toEqual([{ type: 'device', id: 'locker-lee', reason: 'tag:people.owner' }]);
  });

  it('leaves a device tagged with the subject after discovery alone and reports it as delta', async () => {
    const sandbox = await start();
    const adapter = adapterFor(sandbox, { dpsDevices });
    const { plan } = await adapter.discover(alex, callContext('erase'));
    // Between approval and execution someone puts a shared asset under the subject's name.
    await addDevice(sandbox, 'meeting-room-display', { owner: alex.email, site: 'seattle' });
    const before = (await devicesInState(sandbox)).map((device) => device.deviceId);

    const report = await adapter.erase(alex, erasing(plan!));

    expect(byId(report.items)).toEqual(byId(ALEX_PLAN.map(({ type, id }) => ({ type, id, result: 'removed' }))));
    expect(report.delta).toEqual([{ type: 'device', id: 'meeting-room-display', reason: 'tag:owner' }]);
    expect(report.count).toBe(3);
    expect(report.summary).toEqual({ code: 'iotHub.deleted', devices: 3, absent: 0, planned: true });
    const after = await devicesInState(sandbox);
    expect(before.filter((id) => !after.some((device) => device.deviceId === id)).sort()).toEqual(['headset-alex', 'phone-alex', 'wearable-alex-01']);
    expect(after.find((device) => device.deviceId === 'meeting-room-display')?.twin.tags).toEqual({ owner: alex.email, site: 'seattle' });
  });

  it('leaves a device DPS provisioned for the subject after discovery alone and reports it as delta', async () => {
    const sandbox = await start();
    const { plan } = await adapterFor(sandbox, { dpsDevices }).discover(alex, callContext('erase'));
    const laterDps = async (subject: Subject) => [...await dpsDevices(subject), { deviceId: 'sensor-floor-3', assignedHub: HUB }];
    const report = await adapterFor(sandbox, { dpsDevices: laterDps }).erase(alex, erasing(plan!));
    expect(report.delta).toEqual([{ type: 'device', id: 'sensor-floor-3', reason: 'dpsRegistration' }]);
    expect((await devicesInState(sandbox)).map((device) => device.deviceId)).toContain('sensor-floor-3');
  });

  it('reports a planned device deleted before execution as alreadyGone, and one handed over meanwhile as kept', async () => {
    const sandbox = await start();
    const adapter = adapterFor(sandbox, { dpsDevices });
    const { plan } = await adapter.discover(alex, callContext('erase'));
    expect((await hub(sandbox, 'DELETE', '/devices/headset-alex', { headers: { 'If-Match': '"*"' } })).status).toBe(204);
    await hub(sandbox, 'PATCH', '/twins/wearable-alex-01', { body: { tags: { owner: megan.aadObjectId } }, headers: { 'If-Match': '"*"' } });

    const report = await adapter.erase(alex, erasing(plan!));

    expect(byId(report.items)).toEqual([
      { type: 'device', id: 'headset-alex', result: 'alreadyGone' },
      { type: 'device', id: 'phone-alex', result: 'removed' },
      { type: 'device', id: 'wearable-alex-01', result: 'kept' },
    ]);
    expect(report).toMatchObject({ count: 1, delta: [], summary: { code: 'iotHub.deleted', devices: 1, absent: 0, planned: true } });
    const left = (await devicesInState(sandbox)).map((device) => device.deviceId);
    expect(left).toContain('wearable-alex-01');
    expect(left).not.toContain('phone-alex');
  });

  it('reads no twin of a planned device the tag query returned, and only the untagged ones the plan or the delta need', async () => {
    const sandbox = await start();
    const { plan } = await adapterFor(sandbox, { dpsDevices }).discover(alex, callContext('erase'));
    await rawRequest(sandbox, 'POST', '/_sandbox/stats/reset');
    await adapterFor(sandbox, { dpsDevices }).erase(alex, erasing(plan!));
    // phone-alex (planned, untagged) and retired-phone-alex (DPS names it, the hub has no such device).
    expect((await stats(sandbox)).requests).toEqual({
      'POST /devices/query': 1, 'GET /twins/{id}': 2, 'DELETE /devices/{id}': 3,
    });
  });

  it('with an empty plan changes nothing and reports every match as delta', async () => {
    const sandbox = await start();
    const before = await devicesInState(sandbox);
    const report = await adapterFor(sandbox, { dpsDevices }).erase(alex, erasing([]));
    expect(report).toMatchObject({ count: 0, items: [] });
    expect(byId(report.delta)).toEqual(byId(ALEX_PLAN));
    expect(await devicesInState(sandbox)).toEqual(before);
  });

  it('in clearPersonalData mode reports the planned devices changed, and leaves the delta device tagged', async () => {
    const sandbox = await start();
    const adapter = adapterFor(sandbox, { eraseMode: 'clearPersonalData', personalDesiredProperties: ['vibrate'], dpsDevices });
    const { plan } = await adapter.discover(alex, callContext('erase'));
    await addDevice(sandbox, 'meeting-room-display', { owner: alex.aadObjectId });

    const report = await adapter.erase(alex, erasing(plan!));

    // phone-alex carries none of the fields: nothing to clear, so it is kept as it is.
    expect(byId(report.items)).toEqual([
      { type: 'device', id: 'headset-alex', result: 'changed' },
      { type: 'device', id: 'phone-alex', result: 'kept' },
      { type: 'device', id: 'wearable-alex-01', result: 'changed' },
    ]);
    expect(report).toMatchObject({ count: 2, delta: [{ type: 'device', id: 'meeting-room-display', reason: 'tag:owner' }] });
    const state = new Map((await devicesInState(sandbox)).map((device) => [device.deviceId, device.twin]));
    expect(state.get('wearable-alex-01')?.tags).toEqual({});
    expect(state.get('wearable-alex-01')?.desired).toEqual({});
    expect(state.get('wearable-alex-01')?.reported).toEqual({ battery: 81 });
    expect(state.get('headset-alex')?.tags).toEqual({});
    expect(state.get('meeting-room-display')?.tags).toEqual({ owner: alex.aadObjectId });
  });

  it('refuses a plan holding anything but devices, before changing anything', async () => {
    const sandbox = await start();
    const before = await devicesInState(sandbox);
    const error = await serviceFailure(adapterFor(sandbox).erase(alex, erasing([{ type: 'enrollment', id: 'reg-phone-alex', reason: 'initialTwinTag:owner' }])));
    expect(error).toMatchObject({ service: 'iotHub', code: 'UnknownPlanItem' });
    expect(await devicesInState(sandbox)).toEqual(before);
  });
});
