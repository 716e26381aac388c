import { rm } from 'node:fs/promises';
import { startSandboxServer, type RunningSandboxServer } from '../../src/sandbox/common';
import { createDigitalTwinsSandbox } from '../../src/sandbox/digitalTwins';
import { createDpsSandbox } from '../../src/sandbox/dps';
import { createGraphSandbox } from '../../src/sandbox/graph';
import { createIotCentralSandbox } from '../../src/sandbox/iotCentral';
import { createIotHubSandbox } from '../../src/sandbox/iotHub';
import { loadTenant } from '../../src/sandbox/tenant';
import { freshDataDir } from '../support/dataDir';
import { rawRequest, type TrustedEndpoint } from './sandboxGraphClient';

const BEARER = { Authorization: 'Bearer any-token' };

async function call(server: RunningSandboxServer, method: string, path: string, body?: unknown, headers: Record<string, string> = BEARER) {
  const response = await fetch(`${server.url}${path}`, { method, headers: { ...headers, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

describe('sandbox throttling, on the shared server', () => {
  let server: RunningSandboxServer;
  let now = 0;

  beforeEach(async () => {
    now = 0;
    server = await startSandboxServer({
      host: '127.0.0.1',
      port: 0,
      authorizationSchemes: ['Bearer'],
      formatError: (error) => ({ toyError: { status: error.status, code: error.code ?? 'Default' } }),
      routes: [{ method: 'GET', pattern: '/things/{id}', handler: ({ params }) => ({ status: 200, body: params }) }],
      throttleClock: () => now,
    });
  });

  afterEach(async () => {
    await server.close();
  });

  it('is off by default: no 429, and the stats keep their usual shape', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => call(server, 'GET', `/things/${i}`)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect((await call(server, 'GET', '/_sandbox/stats')).body).toEqual({ requests: { 'GET /things/{id}': 50 }, faultsServed: 0 });
    expect((await call(server, 'GET', '/_sandbox/throttle')).body).toEqual({ enabled: false, scale: 1, speedUp: 1, limits: {} });
  });

  it('once turned on, answers 429 with Retry-After in the service\'s error shape over the limit, and counts it', async () => {
    const set = await call(server, 'POST', '/_sandbox/throttle', { limits: { all: '2/s' } });
    expect(set).toMatchObject({ status: 200, body: { enabled: true, scale: 1, speedUp: 1, limits: { all: { perSecond: 2, burst: 2 } } } });

    const first = await call(server, 'GET', '/things/1');
    const second = await call(server, 'GET', '/things/2');
    const third = await call(server, 'GET', '/things/3');
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(third).toMatchObject({ status: 429, body: { toyError: { status: 429, code: 'Default' } } });
    expect(third.headers.get('retry-after')).toBe('1');

    now += 500;
    expect((await call(server, 'GET', '/things/4')).status).toBe(200);
    expect((await call(server, 'GET', '/_sandbox/stats')).body).toEqual({
      requests: { 'GET /things/{id}': 4 },
      faultsServed: 0,
      throttled: { total: 1, byClass: { all: 1 }, byRoute: { 'GET /things/{id}': 1 } },
    });
  });

  it('throttles before a request without a token reaches its handler or a fault, and stops when deleted', async () => {
    await call(server, 'POST', '/_sandbox/throttle', { limits: { all: '1/h' } });
    await call(server, 'POST', '/_sandbox/faults', { status: 500, count: 1 });
    expect((await call(server, 'GET', '/things/1')).status).toBe(500);
    expect((await call(server, 'GET', '/things/2')).status).toBe(429);
    expect((await call(server, 'DELETE', '/_sandbox/throttle')).status).toBe(204);
    expect((await call(server, 'GET', '/things/3')).status).toBe(200);
    expect((await call(server, 'POST', '/_sandbox/stats/reset')).status).toBe(204);
    expect((await call(server, 'GET', '/_sandbox/stats')).body).toEqual({ requests: {}, faultsServed: 0, throttled: { total: 0, byClass: {}, byRoute: {} } });
  });

  it('sped up, also sends the wait in milliseconds (x-ms-retry-after-ms), Retry-After staying whole seconds', async () => {
    await call(server, 'POST', '/_sandbox/throttle', { limits: { all: '1/s' }, speedUp: 4 });
    expect((await call(server, 'GET', '/things/1')).status).toBe(200);
    const refused = await call(server, 'GET', '/things/2');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('x-ms-retry-after-ms')).toBe('250');
  });

  it('refuses a throttle setting it cannot apply', async () => {
    const noLimits = await call(server, 'POST', '/_sandbox/throttle', { scale: 0.5 });
    const badRate = await call(server, 'POST', '/_sandbox/throttle', { limits: { all: 'lots' } });
    expect(noLimits).toMatchObject({ status: 400, body: { error: { code: 'InvalidThrottleSetting' } } });
    expect(badRate.status).toBe(400);
    expect((await call(server, 'GET', '/things/1')).status).toBe(200);
  });
});

describe('sandbox throttling, in each service\'s own words', () => {
  const tenant = loadTenant();
  const dirs: string[] = [];
  const servers: (RunningSandboxServer & TrustedEndpoint)[] = [];

  async function started<T extends RunningSandboxServer & TrustedEndpoint>(start: (options: { tenant: typeof tenant; dataDir: string; port: number }) => Promise<T>): Promise<T> {
    const dataDir = freshDataDir('sandbox-throttle');
    dirs.push(dataDir);
    const sandbox = await start({ tenant, dataDir, port: 0 });
    servers.push(sandbox);
    return sandbox;
  }

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  /** Limits of one request an hour for the class: the second is refused however slow the machine. */
  async function secondIsRefused(sandbox: TrustedEndpoint, limits: Record<string, string>, method: string, path: string, body?: unknown) {
    const set = await rawRequest(sandbox, 'POST', '/_sandbox/throttle', { body: { limits } });
    expect(set.status).toBe(200);
    const first = await rawRequest(sandbox, method, path, { body, headers: BEARER });
    const second = await rawRequest(sandbox, method, path, { body, headers: BEARER });
    expect(first.status).toBeLessThan(300);
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(3000);
    const stats = (await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body as { throttled: { total: number } };
    expect(stats.throttled.total).toBe(1);
    return second.body;
  }

  it('Digital Twins: QuotaReachedError on the Query API', async () => {
    const sandbox = await started(createDigitalTwinsSandbox);
    const body = await secondIsRefused(sandbox, { query: '1/h' }, 'POST', '/query?api-version=2023-10-31', { query: 'SELECT * FROM DIGITALTWINS' });
    expect(body).toMatchObject({ error: { code: 'QuotaReachedError' } });
    // Reads are another class, still open.
    expect((await rawRequest(sandbox, 'GET', '/digitaltwins/building-dublin?api-version=2023-10-31', { headers: BEARER })).status).toBe(200);
  });

  it('Digital Twins: 10 writes a second on one twin (scaled), whatever the instance-wide write limit', async () => {
    const sandbox = await started(createDigitalTwinsSandbox);
    await rawRequest(sandbox, 'POST', '/_sandbox/throttle', { body: { limits: { 'write.key': '1/h' } } });
    const path = (id: string) => `/digitaltwins/${id}/relationships/none?api-version=2023-10-31`;
    const first = await rawRequest(sandbox, 'DELETE', path('desk-dublin-3-114'), { headers: BEARER });
    const again = await rawRequest(sandbox, 'DELETE', path('desk-dublin-3-114'), { headers: BEARER });
    const otherTwin = await rawRequest(sandbox, 'DELETE', path('badge-0451'), { headers: BEARER });
    expect([first.status, again.status, otherTwin.status]).toEqual([404, 429, 404]);
  });

  it('IoT Hub: ThrottlingException on queries, in the body azure-iothub parses', async () => {
    const sandbox = await started(createIotHubSandbox);
    const body = await secondIsRefused(sandbox, { query: '1/h' }, 'POST', '/devices/query?api-version=2021-04-12', { query: 'SELECT * FROM devices' });
    expect((body as { Message: string }).Message).toMatch(/^ErrorCode:ThrottlingException;/);
  });

  it('Device Provisioning Service: error code 429001', async () => {
    const sandbox = await started(createDpsSandbox);
    const body = await secondIsRefused(sandbox, { all: '1/h' }, 'POST', '/enrollments/query?api-version=2021-10-01', { query: 'SELECT * FROM enrollments' });
    expect(body).toMatchObject({ errorCode: 429001 });
  });

  it('IoT Central: TooManyRequests', async () => {
    const sandbox = await started(createIotCentralSandbox);
    const body = await secondIsRefused(sandbox, { all: '1/h' }, 'GET', '/api/users?api-version=2022-07-31');
    expect(body).toMatchObject({ error: { code: 'TooManyRequests' } });
  });

  it('Microsoft Graph: TooManyRequests on reads, writes still open', async () => {
    const sandbox = await started(createGraphSandbox);
    const user = tenant.users[3].aadObjectId;
    const body = await secondIsRefused(sandbox, { read: '1/h' }, 'GET', `/v1.0/users/${user}`);
    expect(body).toMatchObject({ error: { code: 'TooManyRequests' } });
    const patched = await rawRequest(sandbox, 'PATCH', `/v1.0/users/${user}`, { body: { jobTitle: 'Technician' }, headers: BEARER });
    expect(patched.status).toBe(204);
  });
});
