import { rm } from 'node:fs/promises';
import { createIotHubSandbox, type IotHubSandbox, type IotHubSeed } from '../../src/sandbox/iotHub';
import { loadTenant } from '../../src/sandbox/tenant';
import { freshDataDir } from '../support/dataDir';
import { rawRequest, type RawResponse } from './sandboxGraphClient';

const tenant = loadTenant();
const API = 'api-version=2021-04-12';
const BEARER = { Authorization: 'Bearer dsr-sandbox-token' };
const SAS = { Authorization: 'SharedAccessSignature sr=contoso-hub.azure-devices.net&sig=abc%3D&se=4102444800&skn=iothubowner' };
const ALEX_ID = 'e2000000-0000-4000-8000-000000000011';
const seededDeviceCount = tenant.iotHub.devices.length + tenant.iotHub.sharedSensors.count;

type Twin = {
  deviceId: string;
  etag: string;
  deviceEtag: string;
  version: number;
  tags?: Record<string, unknown>;
  properties: { desired: Record<string, unknown>; reported: Record<string, unknown> };
};
type Device = {
  deviceId: string;
  etag: string;
  authentication: { type: string; symmetricKey?: { primaryKey: string; secondaryKey: string }; x509Thumbprint?: { primaryThumbprint: string } };
};
type IotHubErrorBody = { Message: string; ExceptionMessage: string };

const openSandboxes: IotHubSandbox[] = [];
const openDirs: string[] = [];

async function start(options: { seed?: IotHubSeed; dataDir?: string } = {}): Promise<IotHubSandbox> {
  const dataDir = options.dataDir ?? freshDataDir('iothub-sandbox');
  if (!options.dataDir) openDirs.push(dataDir);
  const sandbox = await createIotHubSandbox({ tenant, dataDir, port: 0, seed: options.seed });
  openSandboxes.push(sandbox);
  return sandbox;
}

async function stop(sandbox: IotHubSandbox): Promise<void> {
  openSandboxes.splice(openSandboxes.indexOf(sandbox), 1);
  await sandbox.close();
}

afterAll(async () => {
  await Promise.all(openSandboxes.map((sandbox) => sandbox.close()));
  await Promise.all(openDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A request with the SDK's api-version and a bearer token unless other headers replace it. */
function call(sandbox: IotHubSandbox, method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; api?: string | null } = {}): Promise<RawResponse> {
  const api = options.api === undefined ? API : options.api;
  const query = api === null ? '' : `${path.includes('?') ? '&' : '?'}${api}`;
  return rawRequest(sandbox, method, `${path}${query}`, { body: options.body, headers: { ...BEARER, ...options.headers } });
}

function query(sandbox: IotHubSandbox, text: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return call(sandbox, 'POST', '/devices/query', { body: { query: text }, headers });
}

/** Every twin a query matches, following `x-ms-continuation`; also counts the pages. */
async function queryAll(sandbox: IotHubSandbox, text: string, pageSize?: number): Promise<{ twins: Twin[]; pages: number }> {
  const twins: Twin[] = [];
  let continuation: string | null = null;
  let pages = 0;
  do {
    const headers: Record<string, string> = {
      ...(pageSize !== undefined && { 'x-ms-max-item-count': String(pageSize) }),
      ...(continuation && { 'x-ms-continuation': continuation }),
    };
    const response = await query(sandbox, text, headers);
    expect(response.status).toBe(200);
    twins.push(...(response.body as Twin[]));
    continuation = response.headers.get('x-ms-continuation');
    pages++;
  } while (continuation);
  return { twins, pages };
}

function expectIotHubError(response: RawResponse, status: number, code: string): void {
  expect(response.status).toBe(status);
  const body = response.body as IotHubErrorBody;
  expect(body.Message).toMatch(new RegExp(`^ErrorCode:${code};`));
  expect(body.ExceptionMessage).toMatch(/^Tracking ID:[0-9a-f]{32}-G:0-TimeStamp:\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d$/);
}

describe('IoT Hub sandbox: device identities', () => {
  let sandbox: IotHubSandbox;
  beforeAll(async () => { sandbox = await start(); });

  it('serves https with the endpoint azure-iothub connects to and the hub host name DPS names', () => {
    expect(sandbox.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.endpoint).toBe(new URL(sandbox.url).host);
    expect(sandbox.hostName).toBe('contoso-hub.azure-devices.net');
  });

  it('answers a device identity with generated keys and its etag in the ETag header', async () => {
    const response = await call(sandbox, 'GET', '/devices/wearable-alex-01');
    expect(response.status).toBe(200);
    const device = response.body as Device;
    expect(device.deviceId).toBe('wearable-alex-01');
    expect(device.authentication.type).toBe('sas');
    expect(Buffer.from(device.authentication.symmetricKey!.primaryKey, 'base64')).toHaveLength(32);
    expect(device.authentication.symmetricKey!.secondaryKey).not.toBe(device.authentication.symmetricKey!.primaryKey);
    expect(response.headers.get('etag')).toBe(`"${device.etag}"`);
  });

  it('gives every seeded device its own keys, and a selfSigned device thumbprints instead', async () => {
    const [alex, megan, diego] = await Promise.all(['wearable-alex-01', 'wearable-megan-01', 'laptop-diego']
      .map(async (id) => (await call(sandbox, 'GET', `/devices/${id}`)).body as Device));
    expect(alex.authentication.symmetricKey!.primaryKey).not.toBe(megan.authentication.symmetricKey!.primaryKey);
    expect(diego.authentication.type).toBe('selfSigned');
    expect(diego.authentication.x509Thumbprint!.primaryThumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(diego.authentication.symmetricKey).toBeUndefined();
  });

  it('answers 404 DeviceNotFound in IoT Hub shape for an unknown device', async () => {
    expectIotHubError(await call(sandbox, 'GET', '/devices/no-such-device'), 404, 'DeviceNotFound');
  });

  it('creates with PUT, refuses a second create (409) and a stale If-Match (412), updates with "*"', async () => {
    const created = await call(sandbox, 'PUT', '/devices/new-device-1', { body: { deviceId: 'new-device-1' } });
    expect(created.status).toBe(200);
    const device = created.body as Device;
    expect(device.authentication.symmetricKey!.primaryKey).not.toBe('');
    expectIotHubError(await call(sandbox, 'PUT', '/devices/new-device-1', { body: { deviceId: 'new-device-1' } }), 409, 'DeviceAlreadyExists');
    expectIotHubError(await call(sandbox, 'PUT', '/devices/new-device-1', {
      body: { deviceId: 'new-device-1', status: 'disabled' }, headers: { 'If-Match': '"stale"' },
    }), 412, 'PreconditionFailed');
    const updated = await call(sandbox, 'PUT', '/devices/new-device-1', {
      body: { ...device, status: 'disabled' }, headers: { 'If-Match': '"*"' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ status: 'disabled' });
    expect((updated.body as Device).etag).not.toBe(device.etag);
  });

  it('refuses a PUT whose body names another device', async () => {
    expectIotHubError(await call(sandbox, 'PUT', '/devices/new-device-2', { body: { deviceId: 'other' } }), 400, 'ArgumentInvalid');
  });

  it('deletes only with the current etag (412 otherwise), answers 204, then 404 for identity and twin', async () => {
    const device = (await call(sandbox, 'PUT', '/devices/doomed', { body: { deviceId: 'doomed' } })).body as Device;
    expectIotHubError(await call(sandbox, 'DELETE', '/devices/doomed', { headers: { 'If-Match': '"MTIzNDU2Nzg5"' } }), 412, 'PreconditionFailed');
    const deleted = await call(sandbox, 'DELETE', '/devices/doomed', { headers: { 'If-Match': `"${device.etag}"` } });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expectIotHubError(await call(sandbox, 'DELETE', '/devices/doomed', { headers: { 'If-Match': '"*"' } }), 404, 'DeviceNotFound');
    expectIotHubError(await call(sandbox, 'GET', '/twins/doomed'), 404, 'DeviceNotFound');
  });
});

describe('IoT Hub sandbox: twins', () => {
  let sandbox: IotHubSandbox;
  beforeAll(async () => { sandbox = await start(); });

  it('answers a twin with tags, versioned properties and the identity etag', async () => {
    const [twinResponse, deviceResponse] = await Promise.all([
      call(sandbox, 'GET', '/twins/wearable-alex-01'), call(sandbox, 'GET', '/devices/wearable-alex-01'),
    ]);
    const twin = twinResponse.body as Twin;
    expect(twin).toMatchObject({ deviceId: 'wearable-alex-01', etag: 'AAAAAAAAAAE=', version: 1, tags: { owner: ALEX_ID } });
    expect(twin.properties.desired).toMatchObject({ vibrate: true, $version: 1 });
    expect(twin.properties.reported).toMatchObject({ battery: 81, $version: 1 });
    expect(twin.deviceEtag).toBe((deviceResponse.body as Device).etag);
    expect(twinResponse.headers.get('etag')).toBe('"AAAAAAAAAAE="');
    expect(JSON.stringify(twin)).not.toMatch(/primaryKey/);
  });

  it('merges a PATCH: objects key by key, null removes, the version and etag move on', async () => {
    const before = (await call(sandbox, 'GET', '/twins/laptop-diego')).body as Twin;
    const response = await call(sandbox, 'PATCH', '/twins/laptop-diego', {
      body: { tags: { assetTag: null, location: { site: 'milan', floor: 0 } }, properties: { desired: { locale: 'it-IT' } } },
      headers: { 'If-Match': `"${before.etag}"` },
    });
    expect(response.status).toBe(200);
    const twin = response.body as Twin;
    expect(twin.tags).toEqual({ owner: 'e2000000-0000-4000-8000-000000000013', location: { site: 'milan', floor: 0 } });
    expect(twin.properties.desired).toMatchObject({ locale: 'it-IT', $version: 2 });
    expect(twin.version).toBe(before.version + 1);
    expect(twin.etag).not.toBe(before.etag);
    const nested = await call(sandbox, 'PATCH', '/twins/laptop-diego', { body: { tags: { location: { floor: null } } }, headers: { 'If-Match': '"*"' } });
    expect((nested.body as Twin).tags).toEqual({ owner: 'e2000000-0000-4000-8000-000000000013', location: { site: 'milan' } });
  });

  it('refuses a PATCH with a stale etag (412), of reported properties or with a dotted key (400)', async () => {
    expectIotHubError(await call(sandbox, 'PATCH', '/twins/sensor-floor-3', { body: { tags: { a: 'b' } }, headers: { 'If-Match': '"AAAAAAAAAAk="' } }), 412, 'PreconditionFailed');
    expectIotHubError(await call(sandbox, 'PATCH', '/twins/sensor-floor-3', { body: { properties: { reported: { co2: 1 } } } }), 400, 'ArgumentInvalid');
    expectIotHubError(await call(sandbox, 'PATCH', '/twins/sensor-floor-3', { body: { tags: { 'a.b': 1 } } }), 400, 'ArgumentInvalid');
    const unchanged = (await call(sandbox, 'GET', '/twins/sensor-floor-3')).body as Twin;
    expect(unchanged.version).toBe(1);
  });

  it('leaves tags out of a twin that has none, as IoT Hub does', async () => {
    const twin = (await call(sandbox, 'GET', '/twins/phone-alex')).body as Twin;
    expect(twin.tags).toBeUndefined();
    expect(twin.properties.reported).toMatchObject({ os: 'android' });
  });
});

describe('IoT Hub sandbox: twin query', () => {
  let sandbox: IotHubSandbox;
  beforeAll(async () => { sandbox = await start(); });

  it('answers tags.owner = literal with exactly the matching twins, string comparison case-sensitive', async () => {
    const byId = await query(sandbox, `SELECT * FROM devices WHERE tags.owner = '${ALEX_ID}'`);
    expect(byId.status).toBe(200);
    expect(byId.headers.get('x-ms-item-type')).toBe('twin');
    expect((byId.body as Twin[]).map((twin) => twin.deviceId)).toEqual(['wearable-alex-01']);
    const byMail = await query(sandbox, "select * from devices where tags.owner = 'alex.wilber@contoso.test'");
    expect((byMail.body as Twin[]).map((twin) => twin.deviceId)).toEqual(['headset-alex']);
    const wrongCase = await query(sandbox, "SELECT * FROM devices WHERE tags.owner = 'Alex.Wilber@contoso.test'");
    expect(wrongCase.body).toEqual([]);
  });

  it('combines comparisons with OR, AND and parentheses', async () => {
    const either = await query(sandbox, `SELECT * FROM devices WHERE tags.owner = '${ALEX_ID}' OR tags.owner = 'alex.wilber@contoso.test'`);
    expect((either.body as Twin[]).map((twin) => twin.deviceId)).toEqual(['headset-alex', 'wearable-alex-01']);
    const both = await query(sandbox, "SELECT * FROM devices WHERE tags.site = 'seattle' AND (tags.owner = 'megan.bowen@contoso.test' OR tags.owner = 'nobody')");
    expect((both.body as Twin[]).map((twin) => twin.deviceId)).toEqual(['tablet-megan']);
  });

  it("answers tags.<path> IN ['a', 'b'] with the twins whose tag is one of the values, case-sensitively, escapes read", async () => {
    const owners = await query(sandbox, `SELECT * FROM devices WHERE tags.owner IN ['${ALEX_ID}', 'megan.bowen@contoso.test', 'Alex.Wilber@contoso.test']`);
    expect(owners.status).toBe(200);
    expect((owners.body as Twin[]).map((twin) => twin.deviceId)).toEqual(['tablet-megan', 'wearable-alex-01']);
    const one = await query(sandbox, "select * from devices where tags.owner in ['x\\' OR 1=1 OR \\'', 'alex.wilber@contoso.test']");
    expect((one.body as Twin[]).map((twin) => twin.deviceId)).toEqual(['headset-alex']);
    const combined = await query(sandbox, "SELECT * FROM devices WHERE tags.site = 'seattle' AND tags.owner IN ['megan.bowen@contoso.test']");
    expect((combined.body as Twin[]).map((twin) => twin.deviceId)).toEqual(['tablet-megan']);
  });

  it('pages by x-ms-max-item-count and x-ms-continuation through every seeded device', async () => {
    const first = await query(sandbox, 'SELECT * FROM devices');
    expect((first.body as Twin[])).toHaveLength(100);
    expect(first.headers.get('x-ms-continuation')).toBeTruthy();
    const { twins, pages } = await queryAll(sandbox, 'SELECT * FROM devices', 40);
    expect(pages).toBe(Math.ceil(seededDeviceCount / 40));
    expect(new Set(twins.map((twin) => twin.deviceId)).size).toBe(seededDeviceCount);
  });

  it('refuses a continuation token of another query, and a page size that is not a positive integer', async () => {
    const first = await query(sandbox, 'SELECT * FROM devices', { 'x-ms-max-item-count': '5' });
    const token = first.headers.get('x-ms-continuation')!;
    expectIotHubError(await query(sandbox, "SELECT * FROM devices WHERE tags.site = 'milan'", { 'x-ms-continuation': token }), 400, 'ArgumentInvalid');
    expectIotHubError(await query(sandbox, 'SELECT * FROM devices', { 'x-ms-max-item-count': 'ten' }), 400, 'ArgumentInvalid');
  });

  it("reads \\' and \\\\ inside a literal as one quote and one backslash", async () => {
    const device = (await call(sandbox, 'PUT', '/devices/odd-owner', { body: { deviceId: 'odd-owner' } })).body as Device;
    expect(device.deviceId).toBe('odd-owner');
    await call(sandbox, 'PATCH', '/twins/odd-owner', { body: { tags: { owner: "D'Souza \\ co" } }, headers: { 'If-Match': '"*"' } });
    const response = await query(sandbox, "SELECT * FROM devices WHERE tags.owner = 'D\\'Souza \\\\ co'");
    expect((response.body as Twin[]).map((twin) => twin.deviceId)).toEqual(['odd-owner']);
  });

  it('keeps an injection-looking value one literal that matches nothing', async () => {
    const response = await query(sandbox, "SELECT * FROM devices WHERE tags.owner = 'x\\' OR 1=1 OR T.$dtId != \\''");
    expect(response.status).toBe(200);
    expect(response.body).toEqual([]);
  });

  it('answers 400 ArgumentInvalid to malformed queries and to what the sandbox does not evaluate', async () => {
    for (const text of [
      "SELECT * FROM devices WHERE tags.owner = 'unterminated",
      "SELECT * FROM devices WHERE tags.owner = 'a' OR",
      "SELECT * FROM devices WHERE tags.owner = 'a\\n'",
      "SELECT * FROM devices WHERE properties.reported.os = 'android'",
      "SELECT * FROM devices WHERE tags.owner != 'a'",
      'SELECT * FROM devices WHERE tags.owner IN []',
      "SELECT * FROM devices WHERE tags.owner IN ['a',]",
      "SELECT * FROM devices WHERE tags.owner IN ('a')",
      'SELECT * FROM devices WHERE tags.owner IN [1]',
      "SELECT * FROM devices.modules WHERE tags.owner = 'a'",
      'SELECT deviceId FROM devices',
    ]) {
      expectIotHubError(await query(sandbox, text), 400, 'ArgumentInvalid');
    }
    expectIotHubError(await call(sandbox, 'POST', '/devices/query', { body: {} }), 400, 'ArgumentInvalid');
  });
});

describe('IoT Hub sandbox: protocol', () => {
  let sandbox: IotHubSandbox;
  beforeAll(async () => { sandbox = await start(); });
  afterEach(async () => { await rawRequest(sandbox, 'DELETE', '/_sandbox/faults'); });

  it('takes a SharedAccessSignature as well as a bearer token', async () => {
    expect((await call(sandbox, 'GET', '/twins/sensor-floor-3', { headers: SAS })).status).toBe(200);
  });

  it('answers 401 IotHubUnauthorizedAccess without Authorization or with another scheme', async () => {
    expectIotHubError(await rawRequest(sandbox, 'GET', `/devices/sensor-floor-3?${API}`), 401, 'IotHubUnauthorizedAccess');
    expectIotHubError(await call(sandbox, 'GET', '/devices/sensor-floor-3', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } }), 401, 'IotHubUnauthorizedAccess');
  });

  it('accepts the spec api-version 2020-03-13 and refuses a missing or unknown one', async () => {
    expect((await call(sandbox, 'GET', '/devices/sensor-floor-3', { api: 'api-version=2020-03-13' })).status).toBe(200);
    expectIotHubError(await call(sandbox, 'GET', '/devices/sensor-floor-3', { api: null }), 400, 'InvalidProtocolVersion');
    expectIotHubError(await call(sandbox, 'GET', '/devices/sensor-floor-3', { api: 'api-version=2018-06-30' }), 400, 'InvalidProtocolVersion');
  });

  it('answers an injected burst of 429 with Retry-After in IoT Hub shape, then normally', async () => {
    const rule = await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 429, count: 2, retryAfterSeconds: 1, pathPrefix: '/twins/' } });
    expect(rule.status).toBe(201);
    for (let i = 0; i < 2; i++) {
      const throttled = await call(sandbox, 'GET', '/twins/sensor-floor-3');
      expectIotHubError(throttled, 429, 'ThrottlingException');
      expect(throttled.headers.get('retry-after')).toBe('1');
    }
    expect((await call(sandbox, 'GET', '/twins/sensor-floor-3')).status).toBe(200);
    expect((await call(sandbox, 'GET', '/devices/sensor-floor-3')).status).toBe(200);
  });

  it('answers an injected 500 as ServerError until the faults are cleared', async () => {
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 500, count: -1, method: 'POST' } });
    expectIotHubError(await query(sandbox, 'SELECT * FROM devices'), 500, 'ServerError');
    expectIotHubError(await query(sandbox, 'SELECT * FROM devices'), 500, 'ServerError');
    await rawRequest(sandbox, 'DELETE', '/_sandbox/faults');
    expect((await query(sandbox, 'SELECT * FROM devices')).status).toBe(200);
  });
});

describe('IoT Hub sandbox: state', () => {
  it('seeds from a seed override instead of tenant.json', async () => {
    const sandbox = await start({
      seed: { hostName: 'lab-hub.azure-devices.net', devices: Array.from({ length: 250 }, (_, i) => ({ deviceId: `lab-${String(i).padStart(3, '0')}`, tags: { owner: 'lab' } })) },
    });
    expect(sandbox.hostName).toBe('lab-hub.azure-devices.net');
    const { twins, pages } = await queryAll(sandbox, "SELECT * FROM devices WHERE tags.owner = 'lab'");
    expect(twins).toHaveLength(250);
    expect(pages).toBe(3);
    expectIotHubError(await call(sandbox, 'GET', '/devices/wearable-alex-01'), 404, 'DeviceNotFound');
  });

  it('keeps changes across a restart on the same dataDir, keys included', async () => {
    const dataDir = freshDataDir('iothub-restart');
    openDirs.push(dataDir);
    const first = await start({ dataDir });
    const before = (await call(first, 'GET', '/devices/phone-alex')).body as Device;
    const twin = (await call(first, 'GET', '/twins/headset-alex')).body as Twin;
    await call(first, 'DELETE', '/devices/headset-alex', { headers: { 'If-Match': `"${twin.deviceEtag}"` } });
    await stop(first);
    const second = await start({ dataDir });
    expect(((await call(second, 'GET', '/devices/phone-alex')).body as Device).authentication).toEqual(before.authentication);
    expectIotHubError(await call(second, 'GET', '/devices/headset-alex'), 404, 'DeviceNotFound');
  });
});
