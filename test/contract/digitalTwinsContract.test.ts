import { rm } from 'node:fs/promises';
import { createDigitalTwinsSandbox, type DigitalTwinsSandbox } from '../../src/sandbox/digitalTwins';
import { loadTenant } from '../../src/sandbox/tenant';
import { freshDataDir } from '../support/dataDir';
import { expectMatchesSpec } from '../support/specContract';
import { rawRequest, type RawResponse } from '../sandbox/sandboxGraphClient';

/**
 * Every route of the Digital Twins sandbox, answered for real (successes and errors) and checked
 * against the official 2023-10-31 spec. The SDK speaks 2022-05-31, whose routes are the same.
 */
const tenant = loadTenant();
const BEARER = { Authorization: 'Bearer dsr-sandbox-token' };
const V = 'api-version=2023-10-31';
const ALEX = 'e2000000-0000-4000-8000-000000000011';

let sandbox: DigitalTwinsSandbox;
let dataDir: string;

beforeAll(async () => {
  dataDir = freshDataDir('digitaltwins-contract');
  const hub = { $dtId: 'hub', $metadata: { $model: 'dtmi:test:Hub;1' } };
  const spokes = Array.from({ length: 120 }, (_, i) => ({ $dtId: `spoke-${i}`, $metadata: { $model: 'dtmi:test:Spoke;1' }, ownerId: 'owner-a' }));
  const relationships = spokes.flatMap((spoke, i) => [
    { $relationshipId: `hub-to-${i}`, $sourceId: 'hub', $targetId: spoke.$dtId, $relationshipName: 'feeds' },
    { $relationshipId: `${i}-to-hub`, $sourceId: spoke.$dtId, $targetId: 'hub', $relationshipName: 'reports' },
  ]);
  sandbox = await createDigitalTwinsSandbox({ tenant, dataDir, port: 0, seed: { twins: [hub, ...spokes], relationships } });
});

afterAll(async () => {
  await sandbox.close();
  await rm(dataDir, { recursive: true, force: true });
});

afterEach(async () => {
  await rawRequest(sandbox, 'DELETE', '/_sandbox/faults');
});

/** Sends the request and checks the answer against the spec operation at `specPath`. */
async function conforms(
  method: string, path: string, specPath: string, expectedStatus: number, options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const response = await rawRequest(sandbox, method, path, { body: options.body, headers: { ...BEARER, ...options.headers } });
  expect(response.status).toBe(expectedStatus);
  expectMatchesSpec('digitaltwins', method, specPath, response.status, response.body, response.headers);
  return response;
}

function errorCode(response: RawResponse): string {
  return (response.body as { error: { code: string } }).error.code;
}

describe('Digital Twins sandbox against the 2023-10-31 spec', () => {
  it('POST /query: every page is a QueryResult with a numeric query-charge', async () => {
    let continuationToken: string | undefined;
    let pages = 0;
    do {
      const response = await conforms('POST', `/query?${V}`, '/query', 200, {
        body: { query: "SELECT * FROM DIGITALTWINS T WHERE T.ownerId = 'owner-a'", continuationToken },
        headers: { 'max-items-per-page': '50' },
      });
      expect(Number(response.headers.get('query-charge'))).toBeGreaterThan(0);
      continuationToken = (response.body as { continuationToken?: string }).continuationToken;
      pages++;
    } while (continuationToken);
    expect(pages).toBe(3);
    await conforms('POST', `/query?${V}`, '/query', 200, {
      body: { query: "SELECT source FROM DIGITALTWINS source JOIN target RELATED source.reports WHERE target.$dtId = 'hub'" },
    });
    await conforms('POST', `/query?${V}`, '/query', 200, { body: { query: "SELECT * FROM RELATIONSHIPS WHERE $sourceId IN ['spoke-1']" } });
    await conforms('POST', `/query?${V}`, '/query', 200, { body: { query: "SELECT T.$dtId, T.ownerId FROM DIGITALTWINS T WHERE T.$dtId IN ['spoke-1']" } });
    // Several subjects' direct links in one query, as requests in flight share it.
    const shared = await conforms('POST', `/query?${V}`, '/query', 200, {
      body: { query: "SELECT T.$dtId, T.ownerId FROM DIGITALTWINS T WHERE T.ownerId IN ['owner-b', 'owner-a'] OR T.$dtId IN ['hub', 'nobody']" },
      headers: { 'max-items-per-page': '200' },
    });
    const ids = (shared.body as { value: { $dtId: string }[] }).value.map((row) => row.$dtId);
    expect(ids.sort()).toEqual(['hub', ...Array.from({ length: 120 }, (_, i) => `spoke-${i}`)].sort());
  });

  it('POST /query errors: SqlQueryError, BadRequest (token), QuotaReachedError, InvalidArgument (api-version)', async () => {
    expect(errorCode(await conforms('POST', `/query?${V}`, '/query', 400, { body: { query: 'SELECT * FROM DIGITALTWINS WHERE level = 3' } }))).toBe('SqlQueryError');
    expect(errorCode(await conforms('POST', `/query?${V}`, '/query', 400, { body: { continuationToken: 'forged' } }))).toBe('BadRequest');
    expect(errorCode(await conforms('POST', '/query?api-version=2019-01-01', '/query', 400, { body: { query: 'SELECT * FROM DIGITALTWINS' } }))).toBe('InvalidArgument');
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 429, count: 1, retryAfterSeconds: 1, pathPrefix: '/query' } });
    expect(errorCode(await conforms('POST', `/query?${V}`, '/query', 429, { body: { query: 'SELECT * FROM DIGITALTWINS' } }))).toBe('QuotaReachedError');
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 500, count: 1, pathPrefix: '/query' } });
    await conforms('POST', `/query?${V}`, '/query', 500, { body: { query: 'SELECT * FROM DIGITALTWINS' } });
  });

  it('GET /digitaltwins/{id}: a DigitalTwin with ETag, or 404 DigitalTwinNotFound', async () => {
    await conforms('GET', `/digitaltwins/spoke-0?${V}`, '/digitaltwins/{id}', 200);
    expect(errorCode(await conforms('GET', `/digitaltwins/nope?${V}`, '/digitaltwins/{id}', 404))).toBe('DigitalTwinNotFound');
  });

  it('PATCH /digitaltwins/{id}: 204 with ETag and no body; 412, 400 and 404 as ErrorResponse', async () => {
    const patch = [{ op: 'replace', path: '/ownerId', value: 'owner-b' }];
    const ok = await conforms('PATCH', `/digitaltwins/spoke-119?${V}`, '/digitaltwins/{id}', 204, { body: patch });
    expect(ok.headers.get('etag')).toMatch(/^W\//);
    expect(errorCode(await conforms('PATCH', `/digitaltwins/spoke-119?${V}`, '/digitaltwins/{id}', 412, { body: patch, headers: { 'If-Match': 'W/"stale"' } })))
      .toBe('PreconditionFailed');
    expect(errorCode(await conforms('PATCH', `/digitaltwins/spoke-119?${V}`, '/digitaltwins/{id}', 400, { body: { op: 'replace' } }))).toBe('JsonPatchInvalid');
    expect(errorCode(await conforms('PATCH', `/digitaltwins/nope?${V}`, '/digitaltwins/{id}', 404, { body: patch }))).toBe('DigitalTwinNotFound');
  });

  it('GET /digitaltwins/{id}/relationships: RelationshipCollection pages, and 404', async () => {
    let next: string | undefined = `/digitaltwins/hub/relationships?${V}`;
    let pages = 0;
    while (next) {
      next = ((await conforms('GET', next, '/digitaltwins/{id}/relationships', 200)).body as { nextLink?: string }).nextLink;
      pages++;
    }
    expect(pages).toBe(2);
    await conforms('GET', `/digitaltwins/hub/relationships?${V}&relationshipName=feeds`, '/digitaltwins/{id}/relationships', 200);
    expect(errorCode(await conforms('GET', `/digitaltwins/nope/relationships?${V}`, '/digitaltwins/{id}/relationships', 404))).toBe('DigitalTwinNotFound');
  });

  it('GET /digitaltwins/{id}/incomingrelationships: IncomingRelationshipCollection pages, and 404', async () => {
    let next: string | undefined = `/digitaltwins/hub/incomingrelationships?${V}`;
    let pages = 0;
    while (next) {
      next = ((await conforms('GET', next, '/digitaltwins/{id}/incomingrelationships', 200)).body as { nextLink?: string }).nextLink;
      pages++;
    }
    expect(pages).toBe(2);
    expect(errorCode(await conforms('GET', `/digitaltwins/nope/incomingrelationships?${V}`, '/digitaltwins/{id}/incomingrelationships', 404)))
      .toBe('DigitalTwinNotFound');
  });

  it('PUT and DELETE /digitaltwins/{id}/relationships/{relationshipId}: 200 Relationship, 204, and the errors', async () => {
    const path = '/digitaltwins/{id}/relationships/{relationshipId}';
    await conforms('PUT', `/digitaltwins/spoke-5/relationships/extra?${V}`, path, 200, { body: { $targetId: 'spoke-6', $relationshipName: 'next' } });
    expect(errorCode(await conforms('PUT', `/digitaltwins/spoke-5/relationships/extra2?${V}`, path, 404, { body: { $targetId: 'nope', $relationshipName: 'next' } })))
      .toBe('TargetTwinNotFound');
    expect(errorCode(await conforms('PUT', `/digitaltwins/spoke-5/relationships/extra?${V}`, path, 412, {
      body: { $targetId: 'spoke-6', $relationshipName: 'next' }, headers: { 'If-None-Match': '*' },
    }))).toBe('PreconditionFailed');
    await conforms('DELETE', `/digitaltwins/spoke-5/relationships/extra?${V}`, path, 204);
    expect(errorCode(await conforms('DELETE', `/digitaltwins/spoke-5/relationships/extra?${V}`, path, 404))).toBe('RelationshipNotFound');
    expect(errorCode(await conforms('DELETE', `/digitaltwins/nope/relationships/extra?${V}`, path, 404))).toBe('DigitalTwinNotFound');
  });

  it('DELETE /digitaltwins/{id}: 400 RelationshipsNotDeleted, 412, 204 with no body, then 404', async () => {
    expect(errorCode(await conforms('DELETE', `/digitaltwins/spoke-7?${V}`, '/digitaltwins/{id}', 400))).toBe('RelationshipsNotDeleted');
    await conforms('DELETE', `/digitaltwins/spoke-7/relationships/7-to-hub?${V}`, '/digitaltwins/{id}/relationships/{relationshipId}', 204);
    await conforms('DELETE', `/digitaltwins/hub/relationships/hub-to-7?${V}`, '/digitaltwins/{id}/relationships/{relationshipId}', 204);
    expect(errorCode(await conforms('DELETE', `/digitaltwins/spoke-7?${V}`, '/digitaltwins/{id}', 412, { headers: { 'If-Match': 'W/"stale"' } })))
      .toBe('PreconditionFailed');
    await conforms('DELETE', `/digitaltwins/spoke-7?${V}`, '/digitaltwins/{id}', 204);
    expect(errorCode(await conforms('DELETE', `/digitaltwins/spoke-7?${V}`, '/digitaltwins/{id}', 404))).toBe('DigitalTwinNotFound');
  });

  it('answers the tenant-seeded twins in the DigitalTwin shape too', async () => {
    const seededDir = freshDataDir('digitaltwins-contract-tenant');
    const seeded = await createDigitalTwinsSandbox({ tenant, dataDir: seededDir, port: 0 });
    try {
      const response = await rawRequest(seeded, 'POST', `/query?${V}`, { body: { query: `SELECT * FROM DIGITALTWINS T WHERE T.ownerId = '${ALEX}'` }, headers: BEARER });
      expect((response.body as { value: unknown[] }).value).toHaveLength(3);
      expectMatchesSpec('digitaltwins', 'POST', '/query', response.status, response.body, response.headers);
    } finally {
      await seeded.close();
      await rm(seededDir, { recursive: true, force: true });
    }
  });
});
