import { rm } from 'node:fs/promises';
import { createDpsSandbox, DEFAULT_QUERY_PAGE_SIZE, type DpsSandbox, type DpsSeed } from '../../src/sandbox/dps';
import { loadTenant } from '../../src/sandbox/tenant';
import { freshDataDir } from '../support/dataDir';
import { rawRequest, type RawResponse } from './sandboxGraphClient';

const tenant = loadTenant();
const API = 'api-version=2021-10-01';
const BEARER = { Authorization: 'Bearer dsr-sandbox-token' };
const SAS = { Authorization: 'SharedAccessSignature sr=contoso-dps.azure-devices-provisioning.net&sig=abc&se=4102444800&skn=provisioningserviceowner' };
const SELECT_ALL = { query: 'SELECT * FROM enrollments' };
const seededEnrollmentCount = tenant.dps.enrollments.length + tenant.dps.fleet.count;

type Enrollment = {
  registrationId: string;
  etag: string;
  attestation: { type: string; symmetricKey?: { primaryKey?: string }; tpm?: { endorsementKey?: string }; x509?: { clientCertificates?: { primary?: { certificate?: string; info?: { sha256Thumbprint?: string } } } } };
  registrationState?: { deviceId?: string; assignedHub?: string; etag: string };
  initialTwin?: { tags?: Record<string, unknown> };
};
type Registration = { registrationId: string; deviceId: string; assignedHub: string; status: string; etag: string };

const openSandboxes: DpsSandbox[] = [];
const openDirs: string[] = [];

async function start(options: { seed?: DpsSeed; dataDir?: string } = {}): Promise<DpsSandbox> {
  const dataDir = options.dataDir ?? freshDataDir('dps-sandbox');
  if (!options.dataDir) openDirs.push(dataDir);
  const sandbox = await createDpsSandbox({ tenant, dataDir, port: 0, seed: options.seed });
  openSandboxes.push(sandbox);
  return sandbox;
}

async function stop(sandbox: DpsSandbox): Promise<void> {
  openSandboxes.splice(openSandboxes.indexOf(sandbox), 1);
  await sandbox.close();
}

afterAll(async () => {
  await Promise.all(openSandboxes.map((sandbox) => sandbox.close()));
  await Promise.all(openDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

function call(sandbox: DpsSandbox, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const separator = path.includes('?') ? '&' : '?';
  return rawRequest(sandbox, method, `${path}${separator}${API}`, { body: options.body, headers: { ...BEARER, ...options.headers } });
}

async function queryAll(sandbox: DpsSandbox, path: string, body: unknown, pageSize: number): Promise<{ items: { registrationId?: string }[]; pages: number }> {
  const items: { registrationId?: string }[] = [];
  let continuation: string | null = null;
  let pages = 0;
  do {
    const headers: Record<string, string> = { 'x-ms-max-item-count': String(pageSize), ...(continuation && { 'x-ms-continuation': continuation }) };
    const response = await call(sandbox, 'POST', path, { body, headers });
    expect(response.status).toBe(200);
    const page = response.body as { registrationId?: string }[];
    expect(page.length).toBeLessThanOrEqual(pageSize);
    items.push(...page);
    continuation = response.headers.get('x-ms-continuation');
    pages++;
  } while (continuation);
  return { items, pages };
}

function expectDpsError(response: RawResponse, status: number, errorCode?: number): void {
  expect(response.status).toBe(status);
  const body = response.body as { errorCode: unknown; trackingId: unknown; message: unknown; timestampUtc: unknown };
  expect(typeof body.errorCode).toBe('number');
  expect(Math.floor((body.errorCode as number) / 1000)).toBe(status);
  if (errorCode !== undefined) expect(body.errorCode).toBe(errorCode);
  expect(typeof body.trackingId).toBe('string');
  expect(typeof body.message).toBe('string');
  expect(Number.isNaN(Date.parse(body.timestampUtc as string))).toBe(false);
}

describe('DPS sandbox', () => {
  let sandbox: DpsSandbox;

  beforeEach(async () => {
    sandbox = await start();
  });

  afterEach(async () => {
    await stop(sandbox);
  });

  describe('authorization and api-version', () => {
    it('refuses a request without Authorization with 401 in the DPS error shape', async () => {
      const response = await rawRequest(sandbox, 'GET', `/enrollments/reg-phone-alex?${API}`);
      expectDpsError(response, 401, 401002);
    });

    it('refuses a scheme DPS does not take', async () => {
      const response = await rawRequest(sandbox, 'GET', `/enrollments/reg-phone-alex?${API}`, { headers: { Authorization: 'Basic dXNlcjpwYXNz' } });
      expectDpsError(response, 401);
    });

    it('takes a SharedAccessSignature as well as a bearer token', async () => {
      const sas = await rawRequest(sandbox, 'GET', `/enrollments/reg-phone-alex?${API}`, { headers: SAS });
      const bearer = await rawRequest(sandbox, 'GET', `/enrollments/reg-phone-alex?${API}`, { headers: BEARER });
      expect(sas.status).toBe(200);
      expect(bearer.status).toBe(200);
    });

    it('refuses a missing or unsupported api-version with 400', async () => {
      const missing = await rawRequest(sandbox, 'GET', '/enrollments/reg-phone-alex', { headers: BEARER });
      const older = await rawRequest(sandbox, 'GET', '/enrollments/reg-phone-alex?api-version=2019-03-31', { headers: BEARER });
      expectDpsError(missing, 400, 400004);
      expectDpsError(older, 400, 400004);
    });

    it('answers an unknown path with 404 and a wrong method with 405, in the DPS shape', async () => {
      expectDpsError(await call(sandbox, 'GET', '/devices'), 404);
      expectDpsError(await call(sandbox, 'PATCH', '/registrations/reg-phone-alex'), 405);
    });
  });

  describe('individual enrollments', () => {
    it('answers an enrollment with its ETag, its attestation keys and its registration state', async () => {
      const response = await call(sandbox, 'GET', '/enrollments/reg-wearable-alex-01');
      expect(response.status).toBe(200);
      const enrollment = response.body as Enrollment;
      expect(enrollment.registrationId).toBe('reg-wearable-alex-01');
      expect(enrollment.etag).toMatch(/\S/);
      expect(enrollment.attestation.type).toBe('symmetricKey');
      expect(Buffer.from(enrollment.attestation.symmetricKey?.primaryKey ?? '', 'base64')).toHaveLength(64);
      expect(enrollment.initialTwin?.tags).toEqual({ owner: 'e2000000-0000-4000-8000-000000000011' });
      expect(enrollment.registrationState).toMatchObject({ deviceId: 'wearable-alex-01', assignedHub: 'contoso-hub.azure-devices.net' });
    });

    it('gives a TPM enrollment its endorsement key and an X.509 enrollment its certificate and info', async () => {
      const tpm = (await call(sandbox, 'GET', '/enrollments/reg-desk-display-diego')).body as Enrollment;
      const x509 = (await call(sandbox, 'GET', '/enrollments/reg-tracker-megan')).body as Enrollment;
      expect(tpm.attestation.tpm?.endorsementKey).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(x509.attestation.x509?.clientCertificates?.primary?.certificate).toMatch(/^MII/);
      expect(x509.attestation.x509?.clientCertificates?.primary?.info?.sha256Thumbprint).toMatch(/^[0-9A-F]{64}$/);
    });

    it('finds registration ids case-insensitively', async () => {
      const response = await call(sandbox, 'GET', '/enrollments/REG-PHONE-ALEX');
      expect(response.status).toBe(200);
      expect((response.body as Enrollment).registrationId).toBe('reg-phone-alex');
    });

    it('answers a missing enrollment with 404 and error code 404201', async () => {
      expectDpsError(await call(sandbox, 'GET', '/enrollments/reg-nobody'), 404, 404201);
      expectDpsError(await call(sandbox, 'DELETE', '/enrollments/reg-nobody'), 404, 404201);
    });

    it('deletes an enrollment only with the current ETag, and keeps its registration record', async () => {
      const { etag } = (await call(sandbox, 'GET', '/enrollments/reg-phone-alex')).body as Enrollment;
      const stale = await call(sandbox, 'DELETE', '/enrollments/reg-phone-alex', { headers: { 'If-Match': 'IjAwMDAwMDAwIg==' } });
      expectDpsError(stale, 412, 412002);
      expect((await call(sandbox, 'GET', '/enrollments/reg-phone-alex')).status).toBe(200);

      const deleted = await call(sandbox, 'DELETE', '/enrollments/reg-phone-alex', { headers: { 'If-Match': etag } });
      expect(deleted.status).toBe(204);
      expect(deleted.body).toBeUndefined();
      expect((await call(sandbox, 'GET', '/enrollments/reg-phone-alex')).status).toBe(404);
      const registration = await call(sandbox, 'GET', '/registrations/reg-phone-alex');
      expect(registration.status).toBe(200);
      expect((registration.body as Registration).deviceId).toBe('phone-alex');
    });

    it('takes a quoted ETag and * in If-Match', async () => {
      const { etag } = (await call(sandbox, 'GET', '/enrollments/reg-phone-alex')).body as Enrollment;
      expect((await call(sandbox, 'DELETE', '/enrollments/reg-phone-alex', { headers: { 'If-Match': `"${etag}"` } })).status).toBe(204);
      expect((await call(sandbox, 'DELETE', '/enrollments/reg-wearable-alex-01', { headers: { 'If-Match': '*' } })).status).toBe(204);
    });

    it('creates and updates an enrollment with generated keys and a new ETag each time', async () => {
      const body = { registrationId: 'reg-new-device', attestation: { type: 'symmetricKey' }, initialTwin: { tags: { owner: 'someone' } } };
      const created = await call(sandbox, 'PUT', '/enrollments/reg-new-device', { body });
      expect(created.status).toBe(200);
      const first = created.body as Enrollment;
      expect(first.attestation.symmetricKey?.primaryKey).toBeTruthy();

      const stale = await call(sandbox, 'PUT', '/enrollments/reg-new-device', { body, headers: { 'If-Match': 'IjAwMDAwMDAwIg==' } });
      expectDpsError(stale, 412);
      const updated = await call(sandbox, 'PUT', '/enrollments/reg-new-device', {
        body: { ...body, provisioningStatus: 'disabled' }, headers: { 'If-Match': first.etag },
      });
      expect(updated.status).toBe(200);
      const second = updated.body as Enrollment & { provisioningStatus: string };
      expect(second.etag).not.toBe(first.etag);
      expect(second.provisioningStatus).toBe('disabled');
      expect(second.attestation.symmetricKey?.primaryKey).toBe(first.attestation.symmetricKey?.primaryKey);
    });

    it('refuses a body whose registration id differs from the path, or a missing attestation', async () => {
      expectDpsError(await call(sandbox, 'PUT', '/enrollments/reg-a', { body: { registrationId: 'reg-b', attestation: { type: 'none' } } }), 400);
      expectDpsError(await call(sandbox, 'PUT', '/enrollments/reg-a', { body: { registrationId: 'reg-a' } }), 400);
      expectDpsError(await call(sandbox, 'PUT', '/enrollments/Reg-Upper', { body: { attestation: { type: 'none' } } }), 400);
    });
  });

  describe('enrollment query', () => {
    it('pages every enrollment by x-ms-continuation, as a JSON array', async () => {
      const { items, pages } = await queryAll(sandbox, '/enrollments/query', SELECT_ALL, 50);
      expect(pages).toBe(Math.ceil(seededEnrollmentCount / 50));
      const ids = items.map((item) => item.registrationId);
      expect(new Set(ids).size).toBe(seededEnrollmentCount);
      expect(ids).toEqual(expect.arrayContaining(['reg-wearable-alex-01', 'reg-phone-alex', 'reg-wearable-megan-01', 'reg-sensor-floor-3']));
    });

    it('names the item type and page size in the headers, and sends no token on the last page', async () => {
      const response = await call(sandbox, 'POST', '/enrollments/query', { body: SELECT_ALL });
      expect(response.headers.get('x-ms-item-type')).toBe('Enrollment');
      expect(response.headers.get('x-ms-max-item-count')).toBe(String(DEFAULT_QUERY_PAGE_SIZE));
      expect((response.body as unknown[]).length).toBe(DEFAULT_QUERY_PAGE_SIZE);
      const last = await call(sandbox, 'POST', '/enrollments/query', {
        body: SELECT_ALL, headers: { 'x-ms-continuation': response.headers.get('x-ms-continuation') ?? '' },
      });
      expect((last.body as unknown[]).length).toBe(seededEnrollmentCount - DEFAULT_QUERY_PAGE_SIZE);
      expect(last.headers.get('x-ms-continuation')).toBeNull();
    });

    it('refuses every query but SELECT * FROM enrollments', async () => {
      for (const query of [
        "SELECT * FROM enrollments WHERE initialTwin.tags.owner = 'x'",
        'SELECT registrationId FROM enrollments',
        'SELECT * FROM enrollmentGroups',
        'DROP enrollments',
      ]) {
        expectDpsError(await call(sandbox, 'POST', '/enrollments/query', { body: { query } }), 400, 400004);
      }
      expectDpsError(await call(sandbox, 'POST', '/enrollments/query'), 400);
      expect((await call(sandbox, 'POST', '/enrollments/query', { body: { query: '  select *  from ENROLLMENTS ' } })).status).toBe(200);
    });

    it('refuses a bad page size or continuation token, and a token of another collection', async () => {
      expectDpsError(await call(sandbox, 'POST', '/enrollments/query', { body: SELECT_ALL, headers: { 'x-ms-max-item-count': '0' } }), 400);
      expectDpsError(await call(sandbox, 'POST', '/enrollments/query', { body: SELECT_ALL, headers: { 'x-ms-continuation': 'not-a-token' } }), 400);
      const first = await call(sandbox, 'POST', '/enrollments/query', { body: SELECT_ALL, headers: { 'x-ms-max-item-count': '1' } });
      const token = first.headers.get('x-ms-continuation') ?? '';
      const replayed = await call(sandbox, 'POST', '/enrollmentGroups/query', { body: { query: 'SELECT * FROM enrollmentGroups' }, headers: { 'x-ms-continuation': token } });
      expectDpsError(replayed, 400);
    });
  });

  describe('registration records', () => {
    it('answers a registration record and 404202 for a missing one', async () => {
      const response = await call(sandbox, 'GET', '/registrations/reg-tracker-megan');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ registrationId: 'reg-tracker-megan', deviceId: 'tracker-megan', assignedHub: 'contoso-lab-hub.azure-devices.net', status: 'assigned' });
      expectDpsError(await call(sandbox, 'GET', '/registrations/reg-desk-display-diego'), 404, 404202);
    });

    it('deletes a record only with its current ETag, and leaves the enrollment without a registration state', async () => {
      const { etag } = (await call(sandbox, 'GET', '/registrations/reg-phone-alex')).body as Registration;
      expectDpsError(await call(sandbox, 'DELETE', '/registrations/reg-phone-alex', { headers: { 'If-Match': 'IjAwMDAwMDAwIg==' } }), 412);
      expect((await call(sandbox, 'DELETE', '/registrations/reg-phone-alex', { headers: { 'If-Match': etag } })).status).toBe(204);
      expectDpsError(await call(sandbox, 'DELETE', '/registrations/reg-phone-alex'), 404, 404202);
      const enrollment = (await call(sandbox, 'GET', '/enrollments/reg-phone-alex')).body as Enrollment;
      expect(enrollment.registrationId).toBe('reg-phone-alex');
      expect(enrollment.registrationState).toBeUndefined();
    });

    it('lists the registration states of an enrollment group', async () => {
      const response = await call(sandbox, 'POST', '/registrations/facility-sensors/query', { headers: { 'x-ms-max-item-count': '1' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ms-item-type')).toBe('DeviceRegistration');
      const { items } = await queryAll(sandbox, '/registrations/facility-sensors/query', undefined, 1);
      expect(items.map((item) => item.registrationId)).toEqual(['facility-sensor-01', 'facility-sensor-02']);
    });
  });

  describe('enrollment groups', () => {
    it('answers and lists groups', async () => {
      const group = await call(sandbox, 'GET', '/enrollmentGroups/facility-sensors');
      expect(group.status).toBe(200);
      expect(group.body).toMatchObject({ enrollmentGroupId: 'facility-sensors', attestation: { type: 'symmetricKey' } });
      const list = await call(sandbox, 'POST', '/enrollmentGroups/query', { body: { query: 'SELECT * FROM enrollmentGroups' } });
      expect(list.headers.get('x-ms-item-type')).toBe('EnrollmentGroup');
      expect((list.body as { enrollmentGroupId: string }[]).map((g) => g.enrollmentGroupId)).toEqual(['facility-sensors']);
      expectDpsError(await call(sandbox, 'GET', '/enrollmentGroups/no-such-group'), 404, 404203);
    });

    it('deleting a group leaves the registration records of its devices', async () => {
      expect((await call(sandbox, 'DELETE', '/enrollmentGroups/facility-sensors')).status).toBe(204);
      expect((await call(sandbox, 'GET', '/enrollmentGroups/facility-sensors')).status).toBe(404);
      expect((await call(sandbox, 'GET', '/registrations/facility-sensor-01')).status).toBe(200);
      const { items } = await queryAll(sandbox, '/registrations/facility-sensors/query', undefined, 10);
      expect(items).toHaveLength(2);
    });
  });

  describe('faults', () => {
    it('answers injected 429s with Retry-After in the DPS shape, then recovers', async () => {
      const rule = await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 429, count: 2, retryAfterSeconds: 1, pathPrefix: '/enrollments' } });
      expect(rule.status).toBe(201);
      for (let i = 0; i < 2; i++) {
        const throttled = await call(sandbox, 'GET', '/enrollments/reg-phone-alex');
        expectDpsError(throttled, 429, 429001);
        expect(throttled.headers.get('retry-after')).toBe('1');
      }
      expect((await call(sandbox, 'GET', '/enrollments/reg-phone-alex')).status).toBe(200);
    });

    it('answers an injected 500 in the DPS shape', async () => {
      await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 500, count: 1, method: 'POST' } });
      expectDpsError(await call(sandbox, 'POST', '/enrollments/query', { body: SELECT_ALL }), 500);
      expect((await call(sandbox, 'POST', '/enrollments/query', { body: SELECT_ALL })).status).toBe(200);
    });
  });
});

describe('DPS sandbox state', () => {
  it('keeps deletions across a restart on the same data folder', async () => {
    const dataDir = freshDataDir('dps-restart');
    openDirs.push(dataDir);
    const first = await start({ dataDir });
    expect((await call(first, 'DELETE', '/enrollments/reg-phone-alex')).status).toBe(204);
    const etagBefore = ((await call(first, 'GET', '/enrollments/reg-wearable-alex-01')).body as Enrollment).etag;
    await stop(first);

    const second = await start({ dataDir });
    expect((await call(second, 'GET', '/enrollments/reg-phone-alex')).status).toBe(404);
    expect(((await call(second, 'GET', '/enrollments/reg-wearable-alex-01')).body as Enrollment).etag).toBe(etagBefore);
    await stop(second);
  });

  it('takes a seed of thousands of enrollments and pages through them', async () => {
    const sandbox = await start({
      seed: { enrollments: [], registrations: [], enrollmentGroups: [], fleet: { count: 2500, registrationIdPrefix: 'reg-bulk-', iotHubHostName: 'bulk-hub.azure-devices.net' } },
    });
    const { items, pages } = await queryAll(sandbox, '/enrollments/query', SELECT_ALL, 1000);
    expect(pages).toBe(3);
    expect(new Set(items.map((item) => item.registrationId)).size).toBe(2500);
    expect(items[0].registrationId).toBe('reg-bulk-0001');
    await stop(sandbox);
  });
});
