import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { IotCentralAdapter, type IotCentralAdapterOptions } from '../../src/adapters/iotCentral/iotCentralAdapter';
import { createServiceRestClient, expectOk, sameOriginLink } from '../../src/adapters/calls/restClient';
import type { Subject } from '../../src/dsr';
import { createIotCentralSandbox, type IotCentralSandbox, type IotCentralState } from '../../src/sandbox/iotCentral';
import { SandboxCredential } from '../../src/sandbox/sandboxCredential';
import { loadTenant } from '../../src/sandbox/tenant';
import { FAST_POLICY, callContext, collectFiles, expectNoPersonalValues, injectedSubject, serviceFailure, subjectFor } from '../support/adapterTesting';
import { sandboxPool } from '../support/sandboxPool';
import { rawRequest } from '../sandbox/sandboxGraphClient';

const tenant = loadTenant();
const V = 'api-version=2022-07-31';
const BEARER = { Authorization: 'Bearer dsr-sandbox-token' };

const alex = subjectFor('alex.wilber@contoso.test');
const megan = subjectFor('megan.bowen@contoso.test');
const diego = subjectFor('diego.siciliani@contoso.test');
const lee = subjectFor('lee.gu@contoso.test');

const sandboxes = sandboxPool('iotcentral-adapter', (dataDir, seed?: IotCentralState) =>
  createIotCentralSandbox({ tenant, dataDir, port: 0, seed }));
const startSandbox = sandboxes.start;
afterAll(() => sandboxes.closeAll());

function adapterFor(sandbox: IotCentralSandbox, options: Partial<IotCentralAdapterOptions> = {}): IotCentralAdapter {
  return new IotCentralAdapter({
    endpoint: sandbox.url,
    ...(options.apiToken ? {} : { credential: new SandboxCredential() }),
    policy: FAST_POLICY,
    appName: 'Contoso Facilities',
    ...options,
  });
}

async function exists(sandbox: IotCentralSandbox, path: string): Promise<boolean> {
  const { status } = await rawRequest(sandbox, 'GET', `${path}?${V}`, { headers: BEARER });
  if (status !== 200 && status !== 404) throw new Error(`unexpected ${status}`);
  return status === 200;
}

/** A device's property values as the sandbox serves them. */
async function propertiesOf(sandbox: IotCentralSandbox, deviceId: string): Promise<unknown> {
  const response = await rawRequest(sandbox, 'GET', `/api/devices/${deviceId}/properties?${V}`, { headers: BEARER });
  expect(response.status).toBe(200);
  return response.body;
}

const PATCHES = 'PATCH /api/devices/{deviceId}/properties';

/** The ids of every user or device the sandbox holds, across its pages. */
async function allIds(sandbox: IotCentralSandbox, collection: 'users' | 'devices'): Promise<string[]> {
  const ids: string[] = [];
  let next: string | undefined = `/api/${collection}?${V}`;
  while (next) {
    const page = (await rawRequest(sandbox, 'GET', next, { headers: BEARER })).body as { value: { id: string }[]; nextLink?: string };
    ids.push(...page.value.map((user) => user.id));
    next = page.nextLink;
  }
  return ids;
}

async function injectFault(sandbox: IotCentralSandbox, rule: Record<string, unknown>): Promise<void> {
  const response = await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: rule });
  expect(response.status).toBe(201);
}

async function stats(sandbox: IotCentralSandbox): Promise<{ requests: Record<string, number>; faultsServed: number }> {
  return (await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body as { requests: Record<string, number>; faultsServed: number };
}

describe('IoT Central adapter against the seeded sandbox', () => {
  let sandbox: IotCentralSandbox;

  beforeEach(async () => {
    sandbox = await startSandbox();
  });

  afterEach(() => sandboxes.close(sandbox));

  it('discovers the app user, its role assignments and linked devices, with no manual step for an export', async () => {
    const found = await adapterFor(sandbox).discover(megan, callContext('export'));
    expect(found.count).toBe(2);
    expect(found.items).toEqual([{ code: 'iotCentral.users', count: 1, assignments: 2 }, { code: 'iotCentral.linkedDevices', count: 1, deletedOnErasure: false }]);
    expect(found.manualSteps).toBeUndefined();
    expectNoPersonalValues(JSON.stringify(found.items), megan);
  });

  it('hands the approvers the alert-rule manual step for an erasure and a rectification, in words that name no one', async () => {
    for (const kind of ['erase', 'rectify'] as const) {
      const found = await adapterFor(sandbox).discover(alex, callContext(kind));
      expect(found.manualSteps).toHaveLength(1);
      const [step] = found.manualSteps!;
      expect(step.key).toBe('iotCentral.alertRuleEmails');
      expect(step.task).toEqual({ code: 'iotCentral.alertRuleEmails', appName: 'Contoso Facilities' });
      expectNoPersonalValues(JSON.stringify([step, found.items]), alex);
    }
    for (const kind of ['export', 'access', 'restrict'] as const) {
      expect((await adapterFor(sandbox).discover(alex, callContext(kind))).manualSteps).toBeUndefined();
    }
  });

  it('gives no manual step, and finds nothing, for a person with no app user', async () => {
    const found = await adapterFor(sandbox).discover(lee, callContext('erase'));
    expect(found).toEqual({ count: 0, plan: [], items: [] });
  });

  it('matches the e-mail in another case on the last page of users, never a service principal holding the object id', async () => {
    // tenant.json: Diego's user is the last of ~67 (page 3 of 25), e-mail in mixed case; a
    // servicePrincipal user carries Diego's Entra object id as its objectId.
    const lookalike = tenant.iotCentral.users.find((user) => user.id === 'ic-sp-lookalike') as { objectId?: string } | undefined;
    expect(lookalike?.objectId).toBe(diego.aadObjectId);
    const adapter = adapterFor(sandbox);
    await rawRequest(sandbox, 'POST', '/_sandbox/stats/reset');
    const found = await adapter.discover(diego, callContext('erase'));
    expect(found.items[0]).toEqual({ code: 'iotCentral.users', count: 1, assignments: 1 });
    expect((await stats(sandbox)).requests['GET /api/users']).toBe(3);

    const files = await collectFiles(adapter.export(diego, callContext('export')));
    expect(Object.keys(files).sort()).toEqual(['devices.json', 'user.json']);
    expect(files['user.json']).toEqual({
      id: 'ic-user-diego',
      type: 'email',
      email: 'DIEGO.Siciliani@Contoso.test',
      roles: [{ role: 'ae2c9854-393b-4f97-8c42-479d70ce626e', roleName: 'Operator' }],
    });

    await adapter.erase(diego, callContext('erase'));
    expect(await exists(sandbox, '/api/users/ic-user-diego')).toBe(false);
    expect(await exists(sandbox, '/api/users/ic-sp-lookalike')).toBe(true);
    // The address in another case is cleared too; the device's other values stay.
    expect(await propertiesOf(sandbox, 'tablet-diego')).toEqual({ screenLock: true });
  });

  it('exports the user with role names resolved and the linked devices with their properties', async () => {
    const files = await collectFiles(adapterFor(sandbox).export(megan, callContext('export')));
    expect(files['user.json']).toEqual({
      id: 'ic-user-megan',
      type: 'email',
      email: 'megan.bowen@contoso.test',
      roles: [
        { role: 'ae2c9854-393b-4f97-8c42-479d70ce626e', roleName: 'Operator' },
        { role: '344138e9-8de4-4497-8c54-5237e96d6aaf', roleName: 'Builder' },
      ],
    });
    expect(files['devices.json']).toEqual([{
      id: 'wearable-megan-01',
      displayName: 'Wearable (Megan)',
      template: 'dtmi:contoso:Wearable;1',
      enabled: true,
      provisioned: true,
      simulated: false,
      properties: { ownerEmail: 'megan.bowen@contoso.test' },
    }]);
    expect(JSON.stringify(files)).not.toMatch(/alex|diego|priya/i);
  });

  it('erases the user and clears the owner e-mail of the kept linked device; a repeat finds nothing left', async () => {
    const adapter = adapterFor(sandbox);
    const report = await adapter.erase(alex, callContext('erase'));
    expect(report).toEqual({
      summary: { code: 'iotCentral.erased', users: 1, devices: 1, devicesDeleted: false, alertRulesLeft: true },
      count: 2,
    });
    expectNoPersonalValues(JSON.stringify(report.summary), alex);
    expect(await exists(sandbox, '/api/users/ic-user-alex')).toBe(false);
    expect(await exists(sandbox, '/api/devices/wearable-alex-01')).toBe(true);
    expect(await propertiesOf(sandbox, 'wearable-alex-01')).toEqual({});
    // Other people's users and devices are untouched.
    expect(await exists(sandbox, '/api/users/ic-user-megan')).toBe(true);
    expect(await propertiesOf(sandbox, 'wearable-megan-01')).toEqual({ ownerEmail: 'megan.bowen@contoso.test' });
    expect(await propertiesOf(sandbox, 'tablet-diego')).toEqual({ ownerEmail: 'Diego.Siciliani@contoso.test', screenLock: true });
    expect((await stats(sandbox)).requests[PATCHES]).toBe(1);

    const again = await adapter.erase(alex, callContext('erase'));
    expect(again).toEqual({ summary: { code: 'iotCentral.erased', users: 0, devices: 0, devicesDeleted: false, alertRulesLeft: false }, count: 0 });
    expect((await stats(sandbox)).requests[PATCHES]).toBe(1);
    expect(await exists(sandbox, '/api/devices/wearable-alex-01')).toBe(true);
    expect(await adapter.discover(alex, callContext('erase'))).toEqual({ count: 0, plan: [], items: [] });
  });

  it('deletes the linked devices too when deleteLinkedDevices is on', async () => {
    const report = await adapterFor(sandbox, { deleteLinkedDevices: true }).erase(alex, callContext('erase'));
    expect(report.summary).toMatchObject({ devices: 1, devicesDeleted: true });
    expect(report.count).toBe(2);
    expect(await exists(sandbox, '/api/devices/wearable-alex-01')).toBe(false);
    expect(await exists(sandbox, '/api/devices/wearable-megan-01')).toBe(true);
    expect((await stats(sandbox)).requests[PATCHES]).toBeUndefined();
  });

  it('counts a 404 on delete as done', async () => {
    await injectFault(sandbox, { status: 404, method: 'DELETE', pathPrefix: '/api/users/ic-user-alex' });
    const report = await adapterFor(sandbox).erase(alex, callContext('erase'));
    expect(report.summary).toMatchObject({ users: 1 });
    expect((await stats(sandbox)).faultsServed).toBe(1);
  });

  it('counts a 404 on clearing the owner property as done (the device went in between)', async () => {
    await injectFault(sandbox, { status: 404, method: 'PATCH', pathPrefix: '/api/devices/wearable-alex-01/properties' });
    const report = await adapterFor(sandbox).erase(alex, callContext('erase'));
    expect(report.summary).toEqual({ code: 'iotCentral.erased', users: 1, devices: 1, devicesDeleted: false, alertRulesLeft: true });
    expect((await stats(sandbox)).faultsServed).toBe(1);
  });

  it('clears the owner property through the call policy: a 429 burst is survived, a permanent 500 is a ServiceError', async () => {
    await injectFault(sandbox, { status: 429, count: 2, retryAfterSeconds: 1, method: 'PATCH', pathPrefix: '/api/devices/wearable-alex-01/properties' });
    await adapterFor(sandbox).erase(alex, callContext('erase'));
    expect((await stats(sandbox)).requests[PATCHES]).toBe(3);
    expect(await propertiesOf(sandbox, 'wearable-alex-01')).toEqual({});

    await injectFault(sandbox, { status: 500, count: -1, method: 'PATCH', pathPrefix: '/api/devices/wearable-megan-01/properties' });
    const error = await serviceFailure(adapterFor(sandbox, { policy: { ...FAST_POLICY, maxRetries: 1 } }).erase(megan, callContext('erase')));
    expect(error.service).toBe('iotCentral');
    expect(error.statusCode).toBe(500);
    expect(error.message).toMatch(/^iotCentral: clearing a device property answered 500/);
    expectNoPersonalValues(error.message, megan);
    expect(await propertiesOf(sandbox, 'wearable-megan-01')).toEqual({ ownerEmail: 'megan.bowen@contoso.test' });
  });

  it('survives a burst of 429 with Retry-After on the user list', async () => {
    await injectFault(sandbox, { status: 429, count: 4, retryAfterSeconds: 1, method: 'GET', pathPrefix: '/api/users' });
    const found = await adapterFor(sandbox).discover(alex, callContext('export'));
    expect(found.count).toBe(2);
    expect((await stats(sandbox)).faultsServed).toBe(4);
  });

  it('survives a connection dropped without an answer on the user list, asking again', async () => {
    await injectFault(sandbox, { drop: true, count: 1, method: 'GET', pathPrefix: '/api/users' });
    expect((await adapterFor(sandbox).discover(alex, callContext('export'))).count).toBe(2);
    expect((await stats(sandbox)).faultsServed).toBe(1);
  });

  it('reports a permanent 500 as a ServiceError naming IoT Central and no person', async () => {
    await injectFault(sandbox, { status: 500, count: -1, pathPrefix: '/api/users' });
    const error = await serviceFailure(adapterFor(sandbox, { policy: { ...FAST_POLICY, maxRetries: 2 } }).discover(alex, callContext('erase')));
    expect(error.service).toBe('iotCentral');
    expect(error.statusCode).toBe(500);
    expect(error.message).toMatch(/^iotCentral: listing app users answered 500/);
    expect(error.message).toContain('after 3 tries');
    expectNoPersonalValues(error.message, alex);
  });

  it('reports a refused call (403) at once, without retrying', async () => {
    await injectFault(sandbox, { status: 403, count: -1, pathPrefix: '/api/devices' });
    await rawRequest(sandbox, 'POST', '/_sandbox/stats/reset');
    const error = await serviceFailure(adapterFor(sandbox).discover(alex, callContext('export')));
    expect(error.statusCode).toBe(403);
    expect((await stats(sandbox)).requests['GET /api/devices']).toBe(1);
  });

  it('never widens a match for an injection string: nothing found, exported or deleted', async () => {
    const before = await allIds(sandbox, 'users');
    const adapter = adapterFor(sandbox, { deleteLinkedDevices: true });
    expect(await adapter.discover(injectedSubject, callContext('erase'))).toEqual({ count: 0, plan: [], items: [] });
    expect(await collectFiles(adapter.export(injectedSubject, callContext('export')))).toEqual({});
    expect((await adapter.erase(injectedSubject, callContext('erase'))).count).toBe(0);
    expect((await adapterFor(sandbox).erase(injectedSubject, callContext('erase'))).count).toBe(0);
    expect(await allIds(sandbox, 'users')).toEqual(before);
    expect(await exists(sandbox, '/api/devices/wearable-alex-01')).toBe(true);
    expect((await stats(sandbox)).requests[PATCHES]).toBeUndefined();
  });

  it('authenticates with an IoT Central API token (SharedAccessSignature) instead of a credential', async () => {
    const adapter = adapterFor(sandbox, { apiToken: 'SharedAccessSignature sr=contoso&sig=c2lnbmF0dXJl&skn=dsr-bot&se=4102444800' });
    const found = await adapter.discover(alex, callContext('export'));
    expect(found.count).toBe(2);
  });

  it('refuses a device owner property that is not a plain property path', () => {
    expect(() => adapterFor(sandbox, { deviceOwnerProperty: "ownerEmail' or '1'='1" })).toThrow(/property path/);
  });
});

describe('IoT Central adapter carrying out an approved plan', () => {
  let sandbox: IotCentralSandbox;

  beforeEach(async () => {
    sandbox = await startSandbox();
  });

  afterEach(() => sandboxes.close(sandbox));

  /** Links a device to an owner after discovery, as someone in the app could. */
  async function linkDevice(deviceId: string, ownerEmail: string): Promise<void> {
    const response = await rawRequest(sandbox, 'PATCH', `/api/devices/${deviceId}/properties?${V}`, { headers: BEARER, body: { ownerEmail } });
    expect(response.status).toBe(202);
  }

  it('plans the app user by e-mail and the linked device by the owner property, by id', async () => {
    const found = await adapterFor(sandbox).discover(alex, callContext('erase'));
    expect(found.plan).toEqual([
      { type: 'user', id: 'ic-user-alex', reason: 'email' },
      { type: 'device', id: 'wearable-alex-01', reason: 'property:ownerEmail' },
    ]);
    expect(found.count).toBe(2);
  });

  it('clears only the planned device; a device linked after discovery survives and is reported as delta', async () => {
    const adapter = adapterFor(sandbox);
    const { plan } = await adapter.discover(alex, callContext('erase'));
    await linkDevice('air-quality-3', 'ALEX.Wilber@contoso.test');
    const usersBefore = await allIds(sandbox, 'users');
    await rawRequest(sandbox, 'POST', '/_sandbox/stats/reset');

    const report = await adapter.erase(alex, callContext('erase', plan));
    expect(report.items).toEqual([
      { type: 'user', id: 'ic-user-alex', result: 'removed' },
      { type: 'device', id: 'wearable-alex-01', result: 'changed' },
    ]);
    expect(report.delta).toEqual([{ type: 'device', id: 'air-quality-3', reason: 'property:ownerEmail' }]);
    expect(report.count).toBe(2);
    expectNoPersonalValues(JSON.stringify(report.summary), alex);
    expect(await allIds(sandbox, 'users')).toEqual(usersBefore.filter((id) => id !== 'ic-user-alex'));
    expect(await propertiesOf(sandbox, 'wearable-alex-01')).toEqual({});
    expect(await propertiesOf(sandbox, 'air-quality-3')).toEqual({ ownerEmail: 'ALEX.Wilber@contoso.test' });
    expect((await stats(sandbox)).requests[PATCHES]).toBe(1);
  });

  it('deletes exactly the planned devices when deleteLinkedDevices is on; the one linked after discovery stays', async () => {
    const adapter = adapterFor(sandbox, { deleteLinkedDevices: true });
    const { plan } = await adapter.discover(alex, callContext('erase'));
    await linkDevice('air-quality-3', 'alex.wilber@contoso.test');
    const devicesBefore = await allIds(sandbox, 'devices');

    const report = await adapter.erase(alex, callContext('erase', plan));
    expect(report.items).toContainEqual({ type: 'device', id: 'wearable-alex-01', result: 'removed' });
    expect(report.delta).toEqual([{ type: 'device', id: 'air-quality-3', reason: 'property:ownerEmail' }]);
    expect(await allIds(sandbox, 'devices')).toEqual(devicesBefore.filter((id) => id !== 'wearable-alex-01'));
  });

  it('reports a planned user and device deleted before execution as alreadyGone, and counts nothing for them', async () => {
    const adapter = adapterFor(sandbox);
    const { plan } = await adapter.discover(alex, callContext('erase'));
    for (const path of ['/api/users/ic-user-alex', '/api/devices/wearable-alex-01']) {
      expect((await rawRequest(sandbox, 'DELETE', `${path}?${V}`, { headers: BEARER })).status).toBe(204);
    }
    const report = await adapter.erase(alex, callContext('erase', plan));
    expect(report.items).toEqual([
      { type: 'user', id: 'ic-user-alex', result: 'alreadyGone' },
      { type: 'device', id: 'wearable-alex-01', result: 'alreadyGone' },
    ]);
    expect(report.delta).toEqual([]);
    expect(report.count).toBe(0);
  });

  it('touches nothing on an empty plan and reports what matches now as delta', async () => {
    const usersBefore = await allIds(sandbox, 'users');
    const report = await adapterFor(sandbox, { deleteLinkedDevices: true }).erase(alex, callContext('erase', []));
    expect(report.items).toEqual([]);
    expect(report.delta).toEqual([
      { type: 'user', id: 'ic-user-alex', reason: 'email' },
      { type: 'device', id: 'wearable-alex-01', reason: 'property:ownerEmail' },
    ]);
    expect(report.count).toBe(0);
    expect(await allIds(sandbox, 'users')).toEqual(usersBefore);
    expect(await exists(sandbox, '/api/devices/wearable-alex-01')).toBe(true);
  });

  it('reads no planned device\'s properties again at execution', async () => {
    const adapter = adapterFor(sandbox);
    const { plan } = await adapter.discover(alex, callContext('erase'));
    const devices = (await allIds(sandbox, 'devices')).length;
    await rawRequest(sandbox, 'POST', '/_sandbox/stats/reset');
    await adapter.erase(alex, callContext('erase', plan));
    expect((await stats(sandbox)).requests['GET /api/devices/{deviceId}/properties']).toBe(devices - 1);
  });
});

describe('IoT Central adapter on a larger app', () => {
  const OWNER = 'sam.owner@example.test';
  const seed: IotCentralState = {
    users: [
      ...Array.from({ length: 60 }, (_, i) => ({ id: `u-${i}`, type: 'email' as const, email: `person.${i}@example.test`, roles: [{ role: 'op' }] })),
      { id: 'u-sam', type: 'email', email: 'Sam.Owner@Example.test', roles: [{ role: 'op' }] },
    ],
    roles: [{ id: 'op', displayName: 'Operator' }],
    devices: Array.from({ length: 250 }, (_, i) => ({
      id: `d-${i}`,
      etag: `e-${i}`,
      displayName: `Device ${i}`,
      template: 'dtmi:test:Thing;1',
      enabled: true,
      provisioned: true,
      simulated: false,
      properties: i === 240
        ? { deviceInfo: { ownerEmail: OWNER, firmware: '1.2.0' }, location: 'Dock 4' }
        : i === 7 ? { ownerEmail: OWNER } : { deviceInfo: { ownerEmail: `person.${i}@example.test` } },
    })),
    alertRuleEmails: [],
  };
  const sam: Subject = { aadObjectId: 'f0000000-0000-4000-8000-000000000001', upn: OWNER, email: OWNER, displayName: 'Sam Owner' };

  it('pages through every user and device, reading each device\'s properties once, at the configured property path', async () => {
    const sandbox = await startSandbox(seed);
    const adapter = adapterFor(sandbox, { deviceOwnerProperty: 'deviceInfo.ownerEmail', deleteLinkedDevices: true });
    const found = await adapter.discover(sam, callContext('erase'));
    expect(found.items).toEqual([{ code: 'iotCentral.users', count: 1, assignments: 1 }, { code: 'iotCentral.linkedDevices', count: 1, deletedOnErasure: true }]);
    expect(found.plan).toEqual([
      { type: 'user', id: 'u-sam', reason: 'email' },
      { type: 'device', id: 'd-240', reason: 'property:deviceInfo.ownerEmail' },
    ]);
    const counted = await stats(sandbox);
    expect(counted.requests['GET /api/users']).toBe(3);
    expect(counted.requests['GET /api/devices']).toBe(3);
    expect(counted.requests['GET /api/devices/{deviceId}/properties']).toBe(250);

    const files = await collectFiles(adapter.export(sam, callContext('export')));
    expect((files['devices.json'] as { id: string }[]).map((device) => device.id)).toEqual(['d-240']);
    await adapter.erase(sam, callContext('erase'));
    expect(await exists(sandbox, '/api/devices/d-240')).toBe(false);
    expect(await exists(sandbox, '/api/devices/d-7')).toBe(true);
    expect(await exists(sandbox, '/api/users/u-sam')).toBe(false);
  });

  it('keeps the linked device by default and clears only the component property at the configured path', async () => {
    const sandbox = await startSandbox(seed);
    const adapter = adapterFor(sandbox, { deviceOwnerProperty: 'deviceInfo.ownerEmail' });
    expect((await adapter.discover(sam, callContext('erase'))).items[1]).toEqual({ code: 'iotCentral.linkedDevices', count: 1, deletedOnErasure: false });
    const report = await adapter.erase(sam, callContext('erase'));
    expect(report).toEqual({
      summary: { code: 'iotCentral.erased', users: 1, devices: 1, devicesDeleted: false, alertRulesLeft: true },
      count: 2,
    });
    expect(await exists(sandbox, '/api/devices/d-240')).toBe(true);
    expect(await propertiesOf(sandbox, 'd-240')).toEqual({ deviceInfo: { firmware: '1.2.0' }, location: 'Dock 4' });
    // A root ownerEmail is not the configured property, and other people's devices keep their owner.
    expect(await propertiesOf(sandbox, 'd-7')).toEqual({ ownerEmail: OWNER });
    expect(await propertiesOf(sandbox, 'd-239')).toEqual({ deviceInfo: { ownerEmail: 'person.239@example.test' } });
    expect((await stats(sandbox)).requests[PATCHES]).toBe(1);

    expect(await adapter.erase(sam, callContext('erase'))).toEqual({ summary: { code: 'iotCentral.erased', users: 0, devices: 0, devicesDeleted: false, alertRulesLeft: false }, count: 0 });
    expect((await stats(sandbox)).requests[PATCHES]).toBe(1);
  });
});

describe('IoT Central adapter when a property read keeps failing', () => {
  it('reports the failure and stops reading the rest of the page', async () => {
    const seed: IotCentralState = {
      users: [],
      roles: [],
      devices: Array.from({ length: 100 }, (_, i) => ({
        id: `d-${i}`, etag: `e-${i}`, displayName: `Device ${i}`, template: 'dtmi:test:Thing;1',
        enabled: true, provisioned: true, simulated: false, properties: {},
      })),
      alertRuleEmails: [],
    };
    const sandbox = await startSandbox(seed);
    await injectFault(sandbox, { status: 500, count: -1, pathPrefix: '/api/devices/d-0/properties' });
    const error = await serviceFailure(adapterFor(sandbox, { policy: { ...FAST_POLICY, maxRetries: 1, concurrency: 4 } }).discover(alex, callContext('export')));
    expect(error.message).toMatch(/^iotCentral: reading device properties answered 500/);
    const reads = (await stats(sandbox)).requests['GET /api/devices/{deviceId}/properties'];
    expect(reads).toBeLessThan(20);
  });
});

describe('shared REST client', () => {
  it('sends a SharedAccessSignature header when given a token, adding the scheme when missing', async () => {
    const sandbox = await startSandbox();
    const seen: string[] = [];
    const capture: PipelinePolicy = { name: 'capture', sendRequest: (request, next) => { seen.push(request.headers.get('authorization') ?? ''); return next(request); } };
    for (const sasToken of ['SharedAccessSignature sr=a&sig=b', 'sr=a&sig=b', () => Promise.resolve('sr=a&sig=b')]) {
      const client = createServiceRestClient({ endpoint: sandbox.url, scope: 'https://apps.azureiotcentral.com/.default', sasToken, apiVersion: '2022-07-31' });
      client.pipeline.addPolicy(capture, { afterPhase: 'Sign' });
      const response = await expectOk(client.pathUnchecked('/api/roles').get(), [200]);
      expect((response.body as { value: unknown[] }).value).toHaveLength(3);
    }
    expect(seen).toEqual(Array(3).fill('SharedAccessSignature sr=a&sig=b'));
  });

  it('turns an error status into a RestError with status and Retry-After, and without the service\'s message', async () => {
    const sandbox = await startSandbox();
    await injectFault(sandbox, { status: 429, retryAfterSeconds: 7, pathPrefix: '/api/users' });
    const client = createServiceRestClient({ endpoint: sandbox.url, credential: new SandboxCredential(), scope: 'https://apps.azureiotcentral.com/.default', apiVersion: '2022-07-31' });
    const error = await expectOk(client.pathUnchecked('/api/users').get(), [200], 'listing app users').then(() => undefined, (caught: unknown) => caught) as {
      statusCode?: number; code?: string; message: string; response?: { headers: { get(name: string): string | undefined } };
    };
    expect(error.statusCode).toBe(429);
    expect(error.code).toBe('TooManyRequests');
    expect(error.response?.headers.get('retry-after')).toBe('7');
    expect(error.message).toBe('listing app users answered HTTP 429');
  });

  it('follows a nextLink only on the endpoint\'s own origin', () => {
    expect(sameOriginLink('https://app.azureiotcentral.com', 'https://app.azureiotcentral.com/api/users?x=1')).toBe('https://app.azureiotcentral.com/api/users?x=1');
    expect(() => sameOriginLink('https://app.azureiotcentral.com', 'https://evil.example/api/users')).toThrow(/another host/);
  });
});

describe('IoT Central adapter sharing its listings across requests', () => {
  it('lists users and devices once for the discoveries and exports within the window, afresh for an erasure, and again after the window', async () => {
    const sandbox = await startSandbox();
    await adapterFor(sandbox).discover(alex, callContext('export'));
    // What one discovery reads: every page of users and of devices, and each device's properties.
    const oneListing = (await stats(sandbox)).requests;
    await rawRequest(sandbox, 'POST', '/_sandbox/stats/reset');
    let now = 0;
    const adapter = adapterFor(sandbox, { sharedListingMs: 10_000, listingClock: { now: () => now } });

    const [alexFound, meganFound] = await Promise.all([adapter.discover(alex, callContext('export')), adapter.discover(megan, callContext('export'))]);
    expect(alexFound.items).toEqual([{ code: 'iotCentral.users', count: 1, assignments: 1 }, { code: 'iotCentral.linkedDevices', count: 1, deletedOnErasure: false }]);
    expect(meganFound.items).toEqual([{ code: 'iotCentral.users', count: 1, assignments: 2 }, { code: 'iotCentral.linkedDevices', count: 1, deletedOnErasure: false }]);
    now = 9_999;
    const files = await collectFiles(adapter.export(megan, callContext('export')));
    expect((files['devices.json'] as { id: string }[]).map((device) => device.id)).toEqual(['wearable-megan-01']);
    const { 'GET /api/roles': roleListings, ...listings } = (await stats(sandbox)).requests;
    expect(listings).toEqual(oneListing);
    expect(roleListings).toBe(1);

    // Linked to Alex after the shared listing: the erasure, listing afresh, finds and clears it too.
    const patched = await rawRequest(sandbox, 'PATCH', `/api/devices/tablet-diego/properties?${V}`, { headers: BEARER, body: { ownerEmail: alex.email } });
    expect(patched.status).toBe(202);
    const erased = await adapter.erase(alex, callContext('erase'));
    expect(erased.summary).toMatchObject({ users: 1, devices: 2 });
    expect(await propertiesOf(sandbox, 'tablet-diego')).toEqual({ screenLock: true });
    expect((await stats(sandbox)).requests['GET /api/users']).toBe(2 * oneListing['GET /api/users']);

    now = 10_000;
    expect((await adapter.discover(alex, callContext('export'))).count).toBe(0);
    expect((await stats(sandbox)).requests['GET /api/users']).toBe(3 * oneListing['GET /api/users']);
  });
});
