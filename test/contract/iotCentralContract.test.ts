import { rm } from 'node:fs/promises';
import { createIotCentralSandbox, type IotCentralSandbox } from '../../src/sandbox/iotCentral';
import { loadTenant } from '../../src/sandbox/tenant';
import { freshDataDir } from '../support/dataDir';
import { expectMatchesSpec } from '../support/specContract';
import { rawRequest, type RawResponse } from '../sandbox/sandboxGraphClient';

/**
 * Every route of the IoT Central sandbox that the adapter uses, answered for real and checked
 * against the official 2022-07-31 spec (paths there are relative to basePath `/api`).
 */
const tenant = loadTenant();
const BEARER = { Authorization: 'Bearer dsr-sandbox-token' };
const V = 'api-version=2022-07-31';

let sandbox: IotCentralSandbox;
let dataDir: string;

beforeAll(async () => {
  dataDir = freshDataDir('iotcentral-contract');
  sandbox = await createIotCentralSandbox({ tenant, dataDir, port: 0 });
});

afterAll(async () => {
  await sandbox.close();
  await rm(dataDir, { recursive: true, force: true });
});

afterEach(async () => {
  await rawRequest(sandbox, 'DELETE', '/_sandbox/faults');
});

function call(method: string, path: string, body?: unknown): Promise<RawResponse> {
  return rawRequest(sandbox, method, path, { headers: BEARER, body });
}

/** Sends the request and checks the answer against the spec operation at `specPath`. */
async function conforms(method: string, path: string, specPath: string, expectedStatus: number, body?: unknown): Promise<RawResponse> {
  const response = await call(method, path, body);
  expect(response.status).toBe(expectedStatus);
  expectMatchesSpec('iotcentral', method, specPath, response.status, response.body, response.headers);
  return response;
}

describe('IoT Central sandbox against the 2022-07-31 spec', () => {
  it('GET /users: every page is a UserCollection, and each user has its type\'s required fields', async () => {
    let next: string | undefined = `/api/users?${V}`;
    let pages = 0;
    while (next) {
      const page = (await conforms('GET', next, '/users', 200)).body as { value: Record<string, unknown>[]; nextLink?: string };
      // The spec's discriminator picks EmailUser / ServicePrincipalUser / ADGroupUser; ajv does not follow it.
      for (const user of page.value) {
        if (user.type === 'email') expect(typeof user.email).toBe('string');
        else {
          expect(['servicePrincipal', 'adGroup']).toContain(user.type);
          expect(typeof user.objectId).toBe('string');
          expect(typeof user.tenantId).toBe('string');
        }
        expect((user.roles as unknown[]).length).toBeGreaterThanOrEqual(1);
      }
      next = page.nextLink;
      pages++;
    }
    expect(pages).toBeGreaterThan(1);
  });

  it('GET /users/{userId}: 200 User, and 404 Error', async () => {
    await conforms('GET', `/api/users/ic-user-priya?${V}`, '/users/{userId}', 200);
    await conforms('GET', `/api/users/ic-sp-pipeline?${V}`, '/users/{userId}', 200);
    await conforms('GET', `/api/users/no-such-user?${V}`, '/users/{userId}', 404);
  });

  it('DELETE /users/{userId}: 204 without a body, then 404 Error', async () => {
    await conforms('DELETE', `/api/users/ic-user-operator-01?${V}`, '/users/{userId}', 204);
    await conforms('DELETE', `/api/users/ic-user-operator-01?${V}`, '/users/{userId}', 404);
  });

  it('GET /roles and /roles/{roleId}: RoleCollection, Role, and 404 Error', async () => {
    await conforms('GET', `/api/roles?${V}`, '/roles', 200);
    await conforms('GET', `/api/roles/ca310b8d-2f4a-44e0-a36e-957c202cd8d4?${V}`, '/roles/{roleId}', 200);
    await conforms('GET', `/api/roles/no-such-role?${V}`, '/roles/{roleId}', 404);
  });

  it('GET /devices: DeviceCollection pages, with and without $top; a bad $top is a 400 Error', async () => {
    const first = (await conforms('GET', `/api/devices?${V}&$top=20`, '/devices', 200)).body as { nextLink?: string };
    expect(first.nextLink).toBeDefined();
    await conforms('GET', first.nextLink!, '/devices', 200);
    await conforms('GET', `/api/devices?${V}`, '/devices', 200);
    await conforms('GET', `/api/devices?${V}&$top=0`, '/devices', 400);
  });

  it('GET /devices/{deviceId} and its /properties: Device, DeviceProperties, and 404 Error', async () => {
    await conforms('GET', `/api/devices/tablet-diego?${V}`, '/devices/{deviceId}', 200);
    await conforms('GET', `/api/devices/no-such-device?${V}`, '/devices/{deviceId}', 404);
    await conforms('GET', `/api/devices/tablet-diego/properties?${V}`, '/devices/{deviceId}/properties', 200);
    await conforms('GET', `/api/devices/no-such-device/properties?${V}`, '/devices/{deviceId}/properties', 404);
  });

  it('PATCH /devices/{deviceId}/properties: 202 DeviceProperties, and 404, 400 and 415 Error', async () => {
    const path = `/api/devices/tablet-diego/properties?${V}`;
    const root = await conforms('PATCH', path, '/devices/{deviceId}/properties', 202, { ownerEmail: null });
    expect(root.body).toEqual({ screenLock: true });
    const component = await conforms('PATCH', path, '/devices/{deviceId}/properties', 202, { deviceInfo: { ownerEmail: null, firmware: '2.1' } });
    expect(component.body).toEqual({ screenLock: true, deviceInfo: { firmware: '2.1' } });
    await conforms('PATCH', `/api/devices/no-such-device/properties?${V}`, '/devices/{deviceId}/properties', 404, { ownerEmail: null });
    await conforms('PATCH', path, '/devices/{deviceId}/properties', 400, ['ownerEmail']);
    const media = await rawRequest(sandbox, 'PATCH', path, { headers: { ...BEARER, 'Content-Type': 'text/plain' }, body: { ownerEmail: null } });
    expect(media.status).toBe(415);
    expectMatchesSpec('iotcentral', 'PATCH', '/devices/{deviceId}/properties', 415, media.body, media.headers);
  });

  it('DELETE /devices/{deviceId}: 204 without a body, then 404 Error', async () => {
    await conforms('DELETE', `/api/devices/sensor-dublin-30?${V}`, '/devices/{deviceId}', 204);
    await conforms('DELETE', `/api/devices/sensor-dublin-30?${V}`, '/devices/{deviceId}', 404);
  });

  it('answers a wrong api-version, a missing token and an injected 429 or 500 with the Error shape', async () => {
    await conforms('GET', '/api/users?api-version=1.0', '/users', 404);
    const unauthorised = await rawRequest(sandbox, 'GET', `/api/users?${V}`);
    expect(unauthorised.status).toBe(401);
    expectMatchesSpec('iotcentral', 'GET', '/users', 401, unauthorised.body, unauthorised.headers);

    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 429, retryAfterSeconds: 1, pathPrefix: '/api/users' } });
    await conforms('GET', `/api/users?${V}`, '/users', 429);
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 500, pathPrefix: '/api/devices' } });
    await conforms('DELETE', `/api/devices/sensor-dublin-29?${V}`, '/devices/{deviceId}', 500);
  });

  it('the checker itself refuses a body the spec does not describe', () => {
    expect(() => expectMatchesSpec('iotcentral', 'GET', '/users', 200, { users: [] })).toThrow();
    expect(() => expectMatchesSpec('iotcentral', 'GET', '/users', 404, { message: 'not found' })).toThrow();
    expect(() => expectMatchesSpec('iotcentral', 'GET', '/rules', 200, { value: [] })).toThrow();
  });
});
