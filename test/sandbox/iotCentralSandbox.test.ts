import { rm } from 'node:fs/promises';
import { createIotCentralSandbox, type IotCentralSandbox, type IotCentralState } from '../../src/sandbox/iotCentral';
import { loadTenant } from '../../src/sandbox/tenant';
import { freshDataDir } from '../support/dataDir';
import { rawRequest, type RawResponse } from './sandboxGraphClient';

const tenant = loadTenant();
const BEARER = { Authorization: 'Bearer dsr-sandbox-token' };
const V = 'api-version=2022-07-31';

interface Collection<T> { value: T[]; nextLink?: string }
interface User { id: string; type: string; email?: string; objectId?: string; tenantId?: string; roles: { role: string }[] }
interface ErrorBody { error: { code: string; message: string; requestId: string; time: string } }

const openDirs: string[] = [];
const openSandboxes: IotCentralSandbox[] = [];

async function start(options: { dataDir?: string; seed?: IotCentralState } = {}): Promise<{ sandbox: IotCentralSandbox; dataDir: string }> {
  const dataDir = options.dataDir ?? freshDataDir('iotcentral-sandbox');
  if (!options.dataDir) openDirs.push(dataDir);
  const sandbox = await createIotCentralSandbox({ tenant, dataDir, port: 0, seed: options.seed });
  openSandboxes.push(sandbox);
  return { sandbox, dataDir };
}

async function stop(sandbox: IotCentralSandbox): Promise<void> {
  openSandboxes.splice(openSandboxes.indexOf(sandbox), 1);
  await sandbox.close();
}

function get(sandbox: IotCentralSandbox, path: string, headers: Record<string, string> = BEARER): Promise<RawResponse> {
  return rawRequest(sandbox, 'GET', path, { headers });
}

/** Follows nextLink from `path`, returning every page. */
async function allPages<T>(sandbox: IotCentralSandbox, path: string): Promise<Collection<T>[]> {
  const pages: Collection<T>[] = [];
  let next: string | undefined = path;
  while (next !== undefined) {
    const response = await get(sandbox, next);
    expect(response.status).toBe(200);
    const page = response.body as Collection<T>;
    pages.push(page);
    next = page.nextLink;
  }
  return pages;
}

afterAll(async () => {
  await Promise.all(openSandboxes.map((sandbox) => sandbox.close()));
  await Promise.all(openDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('IoT Central sandbox', () => {
  let sandbox: IotCentralSandbox;

  beforeEach(async () => {
    ({ sandbox } = await start());
  });

  afterEach(async () => {
    await stop(sandbox);
  });

  it('lists every seeded user in pages of 25 linked by nextLink, keeping the api-version', async () => {
    const pages = await allPages<User>(sandbox, `/api/users?${V}`);
    expect(pages.map((page) => page.value.length)).toEqual([25, 25, tenant.iotCentral.users.length - 50]);
    for (const page of pages.slice(0, -1)) {
      const link = new URL(page.nextLink!);
      expect(link.origin).toBe(sandbox.url);
      expect(link.pathname).toBe('/api/users');
      expect(link.searchParams.get('api-version')).toBe('2022-07-31');
    }
    expect(pages[2].nextLink).toBeUndefined();
    const users = pages.flatMap((page) => page.value);
    expect(users.map((user) => user.id)).toEqual(tenant.iotCentral.users.map((user) => user.id));
    expect(new Set(users.map((user) => user.type))).toEqual(new Set(['email', 'servicePrincipal', 'adGroup']));
  });

  it('serves the three user types with their own fields', async () => {
    const alex = (await get(sandbox, `/api/users/ic-user-alex?${V}`)).body as User;
    expect(alex).toEqual({ id: 'ic-user-alex', type: 'email', email: 'Alex.Wilber@contoso.test', roles: [{ role: 'ae2c9854-393b-4f97-8c42-479d70ce626e' }] });
    const principal = (await get(sandbox, `/api/users/ic-sp-pipeline?${V}`)).body as User;
    expect(principal).toMatchObject({ type: 'servicePrincipal', objectId: expect.any(String), tenantId: tenant.tenantId });
    expect(principal).not.toHaveProperty('email');
    const group = (await get(sandbox, `/api/users/ic-group-facilities?${V}`)).body as User;
    expect(group).toMatchObject({ type: 'adGroup', objectId: expect.any(String), tenantId: tenant.tenantId });
  });

  it('answers an unknown user with 404 NotFound in the Error shape, code also in x-ms-error-code', async () => {
    const response = await get(sandbox, `/api/users/nobody?${V}`);
    expect(response.status).toBe(404);
    const { error } = response.body as ErrorBody;
    expect(error).toEqual({ code: 'NotFound', message: expect.stringContaining('Could not find user'), requestId: expect.any(String), time: expect.any(String) });
    expect(Number.isNaN(Date.parse(error.time))).toBe(false);
    expect(response.headers.get('x-ms-error-code')).toBe('NotFound');
  });

  it('deletes a user with 204, then answers 404 for it', async () => {
    const deleted = await rawRequest(sandbox, 'DELETE', `/api/users/ic-user-megan?${V}`, { headers: BEARER });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect((await get(sandbox, `/api/users/ic-user-megan?${V}`)).status).toBe(404);
    expect((await rawRequest(sandbox, 'DELETE', `/api/users/ic-user-megan?${V}`, { headers: BEARER })).status).toBe(404);
    const remaining = (await allPages<User>(sandbox, `/api/users?${V}`)).flatMap((page) => page.value);
    expect(remaining.map((user) => user.id)).not.toContain('ic-user-megan');
    expect(remaining).toHaveLength(tenant.iotCentral.users.length - 1);
  });

  it('keeps a deletion across a restart on the same data folder', async () => {
    const dataDir = freshDataDir('iotcentral-restart');
    openDirs.push(dataDir);
    const first = (await start({ dataDir })).sandbox;
    expect((await rawRequest(first, 'DELETE', `/api/devices/wearable-alex-01?${V}`, { headers: BEARER })).status).toBe(204);
    const cleared = await rawRequest(first, 'PATCH', `/api/devices/tablet-diego/properties?${V}`, { headers: BEARER, body: { ownerEmail: null } });
    expect(cleared.status).toBe(202);
    await stop(first);
    const second = (await start({ dataDir })).sandbox;
    expect((await get(second, `/api/devices/wearable-alex-01?${V}`)).status).toBe(404);
    expect((await get(second, `/api/devices/wearable-megan-01?${V}`)).status).toBe(200);
    expect((await get(second, `/api/devices/tablet-diego/properties?${V}`)).body).toEqual({ screenLock: true });
  });

  it('lists and reads roles; an unknown role is 404', async () => {
    const roles = (await get(sandbox, `/api/roles?${V}`)).body as Collection<{ id: string; displayName: string }>;
    expect(roles.value.map((role) => role.displayName).sort()).toEqual(['Administrator', 'Builder', 'Operator']);
    expect(roles.nextLink).toBeUndefined();
    const operator = await get(sandbox, `/api/roles/ae2c9854-393b-4f97-8c42-479d70ce626e?${V}`);
    expect(operator.body).toEqual({ id: 'ae2c9854-393b-4f97-8c42-479d70ce626e', displayName: 'Operator' });
    expect((await get(sandbox, `/api/roles/no-such-role?${V}`)).status).toBe(404);
  });

  it('pages devices by 25, or by $top, and serves property values only under /properties', async () => {
    const byDefault = await allPages<Record<string, unknown>>(sandbox, `/api/devices?${V}`);
    expect(byDefault.map((page) => page.value.length)).toEqual([25, tenant.iotCentral.devices.length - 25]);
    const byTen = await allPages<Record<string, unknown>>(sandbox, `/api/devices?${V}&$top=10`);
    expect(byTen.map((page) => page.value.length)).toEqual([10, 10, 10, tenant.iotCentral.devices.length - 30]);
    expect(new URL(byTen[0].nextLink!).searchParams.get('$top')).toBe('10');
    for (const device of byDefault.flatMap((page) => page.value)) expect(device).not.toHaveProperty('properties');

    const wearable = (await get(sandbox, `/api/devices/wearable-alex-01?${V}`)).body as Record<string, unknown>;
    expect(wearable).toMatchObject({ id: 'wearable-alex-01', template: 'dtmi:contoso:Wearable;1', etag: expect.any(String) });
    const properties = await get(sandbox, `/api/devices/wearable-alex-01/properties?${V}`);
    expect(properties.body).toEqual({ ownerEmail: 'alex.wilber@contoso.test' });
    expect((await get(sandbox, `/api/devices/nope/properties?${V}`)).status).toBe(404);
  });

  it('merge-patches property values with 202: a null removes a root or component property, the rest stays', async () => {
    const path = `/api/devices/tablet-diego/properties?${V}`;
    const patch = (body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> =>
      rawRequest(sandbox, 'PATCH', path, { body, headers: { ...BEARER, ...headers } });

    const cleared = await patch({ ownerEmail: null });
    expect(cleared.status).toBe(202);
    expect(cleared.body).toEqual({ screenLock: true });
    expect((await get(sandbox, path)).body).toEqual({ screenLock: true });

    const added = await patch({ screenLock: false, deviceInfo: { firmware: '2.1', ownerEmail: 'someone@example.test' } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(added.status).toBe(202);
    expect(added.body).toEqual({ screenLock: false, deviceInfo: { firmware: '2.1', ownerEmail: 'someone@example.test' } });

    const component = await patch({ deviceInfo: { ownerEmail: null } });
    expect(component.body).toEqual({ screenLock: false, deviceInfo: { firmware: '2.1' } });
    expect((await get(sandbox, path)).body).toEqual({ screenLock: false, deviceInfo: { firmware: '2.1' } });

    // Clearing what is not there changes nothing; the device itself and other devices stay as they were.
    expect((await patch({ ownerEmail: null })).body).toEqual({ screenLock: false, deviceInfo: { firmware: '2.1' } });
    expect((await get(sandbox, `/api/devices/tablet-diego?${V}`)).body).toMatchObject({ id: 'tablet-diego', enabled: true });
    expect((await get(sandbox, `/api/devices/wearable-alex-01/properties?${V}`)).body).toEqual({ ownerEmail: 'alex.wilber@contoso.test' });
  });

  it('refuses a properties PATCH for a missing device (404), without an object body (400) or in another media type (415)', async () => {
    const patch = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> =>
      rawRequest(sandbox, 'PATCH', path, { body, headers: { ...BEARER, ...headers } });
    const missing = await patch(`/api/devices/nope/properties?${V}`, { ownerEmail: null });
    expect(missing.status).toBe(404);
    expect((missing.body as ErrorBody).error).toMatchObject({ code: 'NotFound', message: expect.stringContaining('Could not find device') });
    for (const body of [undefined, ['ownerEmail'], 'ownerEmail', null]) {
      const refused = await patch(`/api/devices/wearable-alex-01/properties?${V}`, body);
      expect(refused.status).toBe(400);
      expect((refused.body as ErrorBody).error.code).toBe('BadRequest');
    }
    const text = await patch(`/api/devices/wearable-alex-01/properties?${V}`, { ownerEmail: null }, { 'Content-Type': 'text/plain' });
    expect(text.status).toBe(415);
    expect((text.body as ErrorBody).error.code).toBe('UnsupportedMediaType');
    expect((await patch(`/api/devices/wearable-alex-01/properties`, { ownerEmail: null })).status).toBe(404);
    expect((await rawRequest(sandbox, 'PATCH', `/api/devices/wearable-alex-01/properties?${V}`, { body: { ownerEmail: null } })).status).toBe(401);
    expect((await get(sandbox, `/api/devices/wearable-alex-01/properties?${V}`)).body).toEqual({ ownerEmail: 'alex.wilber@contoso.test' });
  });

  it('refuses a bad $top and the $filter it does not evaluate with 400', async () => {
    for (const top of ['0', '-1', 'ten', '1001']) {
      const response = await get(sandbox, `/api/devices?${V}&$top=${top}`);
      expect(response.status).toBe(400);
      expect((response.body as ErrorBody).error.code).toBe('BadRequest');
    }
    expect((await get(sandbox, `/api/devices?${V}&$filter=${encodeURIComponent("displayName eq 'x'")}`)).status).toBe(400);
  });

  it('refuses a continuation token it did not issue', async () => {
    const response = await get(sandbox, `/api/users?${V}&$skiptoken=not-a-token`);
    expect(response.status).toBe(400);
    expect((response.body as ErrorBody).error.code).toBe('BadRequest');
  });

  it('deletes a device with 204 and answers 404 after', async () => {
    expect((await rawRequest(sandbox, 'DELETE', `/api/devices/air-quality-3?${V}`, { headers: BEARER })).status).toBe(204);
    expect((await get(sandbox, `/api/devices/air-quality-3?${V}`)).status).toBe(404);
    expect((await rawRequest(sandbox, 'DELETE', `/api/devices/air-quality-3?${V}`, { headers: BEARER })).status).toBe(404);
  });

  it('answers a missing or unknown api-version as IoT Central does', async () => {
    const missing = await get(sandbox, '/api/users');
    expect(missing.status).toBe(404);
    expect((missing.body as ErrorBody).error).toMatchObject({ code: 'NotFound', message: expect.stringMatching(/^"undefined" is not a valid API version\./) });
    const old = await get(sandbox, '/api/users/ic-user-alex?api-version=1.0');
    expect(old.status).toBe(404);
    expect((old.body as ErrorBody).error.message).toMatch(/^"1\.0" is not a valid API version\./);
    expect((await get(sandbox, '/api/devices?api-version=2022-10-31-preview')).status).toBe(404);
  });

  it('needs an Authorization header: Bearer or SharedAccessSignature', async () => {
    const none = await get(sandbox, `/api/users?${V}`, {});
    expect(none.status).toBe(401);
    expect((none.body as ErrorBody).error.code).toBe('Unauthorized');
    expect((await get(sandbox, `/api/users?${V}`, { Authorization: 'Basic dXNlcjpwYXNz' })).status).toBe(401);
    const sas = await get(sandbox, `/api/users?${V}`, { Authorization: 'SharedAccessSignature sr=app&sig=abc&skn=operator&se=4102444800' });
    expect(sas.status).toBe(200);
  });

  it('has no rules API and never serves the e-mail addresses of alert rules', async () => {
    for (const path of ['/api/rules', '/api/rules/1', '/api/alerts']) {
      expect((await get(sandbox, `${path}?${V}`)).status).toBe(404);
    }
    const everything = JSON.stringify([
      ...(await allPages(sandbox, `/api/users?${V}`)),
      ...(await allPages(sandbox, `/api/devices?${V}`)),
      (await get(sandbox, `/api/roles?${V}`)).body,
    ]);
    for (const { rule } of tenant.iotCentral.alertRuleEmails) expect(everything).not.toContain(rule);
  });

  it('serves injected faults: a 429 burst with Retry-After, then the normal answer', async () => {
    const rule = await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 429, count: 2, retryAfterSeconds: 3, pathPrefix: '/api/users' } });
    expect(rule.status).toBe(201);
    for (let i = 0; i < 2; i++) {
      const throttled = await get(sandbox, `/api/users?${V}`);
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('3');
      expect((throttled.body as ErrorBody).error.code).toBe('TooManyRequests');
    }
    expect((await get(sandbox, `/api/users?${V}`)).status).toBe(200);
    expect((await get(sandbox, `/api/devices?${V}`)).status).toBe(200);
    const stats = (await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body as { requests: Record<string, number>; faultsServed: number };
    expect(stats.faultsServed).toBe(2);
    expect(stats.requests['GET /api/users']).toBe(3);
  });
});

describe('IoT Central sandbox seeded by a test', () => {
  it('pages a large seeded state and leaves tenant.json out of it', async () => {
    const seed: IotCentralState = {
      users: Array.from({ length: 2500 }, (_, i) => ({ id: `u-${i}`, type: 'email' as const, email: `person.${i}@example.test`, roles: [{ role: 'r' }] })),
      roles: [{ id: 'r', displayName: 'Operator' }],
      devices: [],
      alertRuleEmails: [],
    };
    const { sandbox } = await start({ seed });
    try {
      const pages = await allPages<User>(sandbox, `/api/users?${V}`);
      expect(pages).toHaveLength(100);
      const ids = pages.flatMap((page) => page.value.map((user) => user.id));
      expect(new Set(ids).size).toBe(2500);
      expect(ids).not.toContain('ic-user-alex');
      expect((await get(sandbox, `/api/devices?${V}`)).body).toEqual({ value: [] });
    } finally {
      await stop(sandbox);
    }
  });
});
