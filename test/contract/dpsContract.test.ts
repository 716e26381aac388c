import { createDpsSandbox, type DpsSandbox } from '../../src/sandbox/dps';
import { loadTenant } from '../../src/sandbox/tenant';
import { sandboxPool } from '../support/sandboxPool';
import { expectMatchesSpec, twinCollectionForSpec, twinForSpec } from '../support/specContract';
import { rawRequest, type RawResponse } from '../sandbox/sandboxGraphClient';

/**
 * Every route of the DPS sandbox that the adapter uses (and the others it serves), success and
 * error answers alike, checked against the official spec of api-version 2021-10-01.
 *
 * Two constraints of that spec are defects of the spec, not of the service, and are met here
 * by the stricter rule the service documents instead:
 * - `registrationId` has the pattern `^([a-z0-9-._:][a-z0-9-])$`, which only two-character ids
 *   match (Microsoft's own generated examples, such as `qslkonoocsfhkhmiteqmguyr`, fail it).
 *   Each id is checked here against the documented rule (up to 128 of `a-z 0-9 - . _ :`,
 *   ending in a letter, digit or dash) and then stands in as `ab` for the spec's check.
 * - `TwinCollection` says every property is an object, yet twin tags and desired properties
 *   are plain values (`"owner": "<object id>"`): see `twinForSpec`.
 */
const REGISTRATION_ID_RULE = /^[a-z0-9\-._:]{0,127}[a-z0-9-]$/;

function conformToSpecDefects(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(conformToSpecDefects);
  if (!body || typeof body !== 'object') return body;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'registrationId' && typeof value === 'string') {
      expect(value).toMatch(REGISTRATION_ID_RULE);
      out[key] = 'ab';
    } else if (key === 'initialTwin') {
      out[key] = twinForSpec(value);
    } else if (key === 'optionalDeviceInformation') {
      out[key] = twinCollectionForSpec(value);
    } else {
      out[key] = conformToSpecDefects(value);
    }
  }
  return out;
}

function expectDpsSpec(method: string, specPath: string, response: RawResponse): void {
  expectMatchesSpec('dps', method, specPath, response.status, conformToSpecDefects(response.body), response.headers);
}

const tenant = loadTenant();
const API = 'api-version=2021-10-01';
const AUTH = { Authorization: 'Bearer dsr-sandbox-token' };
const STALE_ETAG = 'IjAwMDAwMDAwIg==';

const sandboxes = sandboxPool('dps-contract', (dataDir) => createDpsSandbox({ tenant, dataDir, port: 0 }));
let sandbox: DpsSandbox;

beforeEach(async () => {
  sandbox = await sandboxes.start();
});

afterEach(() => sandboxes.closeAll());

function call(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  return rawRequest(sandbox, method, `${path}?${API}`, { body: options.body, headers: { ...AUTH, ...options.headers } });
}

async function etagOf(path: string): Promise<string> {
  return ((await call('GET', path)).body as { etag: string }).etag;
}

describe('DPS sandbox against the DPS service spec (2021-10-01)', () => {
  describe('POST /enrollments/query', () => {
    it('a page of enrollments, with attestation secrets of every kind, and its headers', async () => {
      const response = await call('POST', '/enrollments/query', { body: { query: 'SELECT * FROM enrollments' }, headers: { 'x-ms-max-item-count': '200' } });
      expect(response.status).toBe(200);
      const types = new Set((response.body as { attestation: { type: string } }[]).map((e) => e.attestation.type));
      expect([...types].sort()).toEqual(['symmetricKey', 'tpm', 'x509']);
      expectDpsSpec('POST', '/enrollments/query', response);
    });

    it('a page with a continuation token', async () => {
      const response = await call('POST', '/enrollments/query', { body: { query: 'SELECT * FROM enrollments' }, headers: { 'x-ms-max-item-count': '2' } });
      expect(response.headers.get('x-ms-continuation')).toBeTruthy();
      expectDpsSpec('POST', '/enrollments/query', response);
    });

    it('400 for a query DPS does not take', async () => {
      const response = await call('POST', '/enrollments/query', { body: { query: "SELECT * FROM enrollments WHERE registrationId = 'x'" } });
      expect(response.status).toBe(400);
      expectDpsSpec('POST', '/enrollments/query', response);
    });

    it('429 and 500 injected by the fault rules', async () => {
      await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 429, retryAfterSeconds: 1, count: 1 } });
      await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 500, count: 1 } });
      const throttled = await call('POST', '/enrollments/query', { body: { query: 'SELECT * FROM enrollments' } });
      const failed = await call('POST', '/enrollments/query', { body: { query: 'SELECT * FROM enrollments' } });
      expect([throttled.status, failed.status]).toEqual([429, 500]);
      expectDpsSpec('POST', '/enrollments/query', throttled);
      expectDpsSpec('POST', '/enrollments/query', failed);
    });

    it('401 without Authorization', async () => {
      const response = await rawRequest(sandbox, 'POST', `/enrollments/query?${API}`, { body: { query: 'SELECT * FROM enrollments' } });
      expect(response.status).toBe(401);
      expectDpsSpec('POST', '/enrollments/query', response);
    });
  });

  describe('/enrollments/{id}', () => {
    it('GET 200 for enrollments of each attestation type, with and without a registration state', async () => {
      for (const id of ['reg-wearable-alex-01', 'reg-tracker-megan', 'reg-desk-display-diego']) {
        const response = await call('GET', `/enrollments/${id}`);
        expect(response.status).toBe(200);
        expectDpsSpec('GET', '/enrollments/{id}', response);
      }
    });

    it('GET 404 and 400 (no api-version)', async () => {
      const missing = await call('GET', '/enrollments/reg-nobody');
      expect(missing.status).toBe(404);
      expectDpsSpec('GET', '/enrollments/{id}', missing);
      const noVersion = await rawRequest(sandbox, 'GET', '/enrollments/reg-phone-alex', { headers: AUTH });
      expect(noVersion.status).toBe(400);
      expectDpsSpec('GET', '/enrollments/{id}', noVersion);
    });

    it('PUT 200 on create and update, 412 on a stale ETag, 400 on a bad body', async () => {
      const body = { registrationId: 'reg-contract', attestation: { type: 'symmetricKey' }, initialTwin: { tags: { owner: 'x' } } };
      const created = await call('PUT', '/enrollments/reg-contract', { body });
      expect(created.status).toBe(200);
      expectDpsSpec('PUT', '/enrollments/{id}', created);
      const updated = await call('PUT', '/enrollments/reg-contract', { body: { ...body, provisioningStatus: 'disabled' }, headers: { 'If-Match': (created.body as { etag: string }).etag } });
      expect(updated.status).toBe(200);
      expectDpsSpec('PUT', '/enrollments/{id}', updated);
      const stale = await call('PUT', '/enrollments/reg-contract', { body, headers: { 'If-Match': STALE_ETAG } });
      expect(stale.status).toBe(412);
      expectDpsSpec('PUT', '/enrollments/{id}', stale);
      const bad = await call('PUT', '/enrollments/reg-contract', { body: { registrationId: 'reg-contract' } });
      expect(bad.status).toBe(400);
      expectDpsSpec('PUT', '/enrollments/{id}', bad);
    });

    it('DELETE 412 on a stale ETag, 204 with the current one, 404 once gone', async () => {
      const stale = await call('DELETE', '/enrollments/reg-phone-alex', { headers: { 'If-Match': STALE_ETAG } });
      expect(stale.status).toBe(412);
      expectDpsSpec('DELETE', '/enrollments/{id}', stale);
      const deleted = await call('DELETE', '/enrollments/reg-phone-alex', { headers: { 'If-Match': await etagOf('/enrollments/reg-phone-alex') } });
      expect(deleted.status).toBe(204);
      expectDpsSpec('DELETE', '/enrollments/{id}', deleted);
      const gone = await call('DELETE', '/enrollments/reg-phone-alex');
      expect(gone.status).toBe(404);
      expectDpsSpec('DELETE', '/enrollments/{id}', gone);
    });
  });

  describe('/registrations/{id}', () => {
    it('GET 200 and 404', async () => {
      const found = await call('GET', '/registrations/reg-tracker-megan');
      expect(found.status).toBe(200);
      expectDpsSpec('GET', '/registrations/{id}', found);
      const missing = await call('GET', '/registrations/reg-desk-display-diego');
      expect(missing.status).toBe(404);
      expectDpsSpec('GET', '/registrations/{id}', missing);
    });

    it('DELETE 412 on a stale ETag, 204 with the current one, 404 once gone', async () => {
      const stale = await call('DELETE', '/registrations/reg-phone-alex', { headers: { 'If-Match': STALE_ETAG } });
      expect(stale.status).toBe(412);
      expectDpsSpec('DELETE', '/registrations/{id}', stale);
      const deleted = await call('DELETE', '/registrations/reg-phone-alex', { headers: { 'If-Match': await etagOf('/registrations/reg-phone-alex') } });
      expect(deleted.status).toBe(204);
      expectDpsSpec('DELETE', '/registrations/{id}', deleted);
      const gone = await call('DELETE', '/registrations/reg-phone-alex');
      expect(gone.status).toBe(404);
      expectDpsSpec('DELETE', '/registrations/{id}', gone);
    });

    it('POST /registrations/{id}/query 200 with the registration states of a group', async () => {
      const response = await call('POST', '/registrations/facility-sensors/query', { headers: { 'x-ms-max-item-count': '1' } });
      expect(response.status).toBe(200);
      expect(response.body).toHaveLength(1);
      expectDpsSpec('POST', '/registrations/{id}/query', response);
    });
  });

  describe('enrollment groups', () => {
    it('POST /enrollmentGroups/query 200 and 400', async () => {
      const page = await call('POST', '/enrollmentGroups/query', { body: { query: 'SELECT * FROM enrollmentGroups' } });
      expect(page.status).toBe(200);
      expectDpsSpec('POST', '/enrollmentGroups/query', page);
      const bad = await call('POST', '/enrollmentGroups/query', { body: { query: 'SELECT * FROM enrollments' } });
      expect(bad.status).toBe(400);
      expectDpsSpec('POST', '/enrollmentGroups/query', bad);
    });

    it('GET /enrollmentGroups/{id} 200 and 404, DELETE 204 and 404', async () => {
      const found = await call('GET', '/enrollmentGroups/facility-sensors');
      expect(found.status).toBe(200);
      expectDpsSpec('GET', '/enrollmentGroups/{id}', found);
      const missing = await call('GET', '/enrollmentGroups/nothing-here');
      expect(missing.status).toBe(404);
      expectDpsSpec('GET', '/enrollmentGroups/{id}', missing);
      const deleted = await call('DELETE', '/enrollmentGroups/facility-sensors');
      expect(deleted.status).toBe(204);
      expectDpsSpec('DELETE', '/enrollmentGroups/{id}', deleted);
      const gone = await call('DELETE', '/enrollmentGroups/facility-sensors');
      expect(gone.status).toBe(404);
      expectDpsSpec('DELETE', '/enrollmentGroups/{id}', gone);
    });
  });

  it('the spec check itself refuses a body of the wrong shape', () => {
    expect(() => expectMatchesSpec('dps', 'GET', '/registrations/{id}', 200, { status: 'not-a-status' })).toThrow(/status/);
    expect(() => expectMatchesSpec('dps', 'GET', '/registrations/{id}', 404, { errorCode: 'NotANumber' })).toThrow(/errorCode/);
  });
});
