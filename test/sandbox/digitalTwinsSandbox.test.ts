import { rm } from 'node:fs/promises';
import { createDigitalTwinsSandbox, type DigitalTwinsSandbox, type DigitalTwinsSeed } from '../../src/sandbox/digitalTwins';
import { loadTenant } from '../../src/sandbox/tenant';
import { freshDataDir } from '../support/dataDir';
import { rawRequest, type RawResponse } from './sandboxGraphClient';

const tenant = loadTenant();
const BEARER = { Authorization: 'Bearer dsr-sandbox-token' };
const V = 'api-version=2023-10-31';
const ALEX = 'e2000000-0000-4000-8000-000000000011';
const INJECTION = "x' OR 1=1 OR T.$dtId != '";

interface Twin { $dtId: string; $etag: string; $metadata: Record<string, unknown>; [property: string]: unknown }
interface Relationship { $relationshipId: string; $sourceId: string; $targetId: string; $relationshipName: string; $etag: string }
interface Incoming { $relationshipId: string; $sourceId: string; $relationshipName: string; $relationshipLink: string }
interface QueryAnswer { value: Record<string, unknown>[]; continuationToken?: string }
interface ErrorBody { error: { code: string; message: string } }

const openDirs: string[] = [];
const openSandboxes: DigitalTwinsSandbox[] = [];

async function start(options: { dataDir?: string; seed?: DigitalTwinsSeed } = {}): Promise<{ sandbox: DigitalTwinsSandbox; dataDir: string }> {
  const dataDir = options.dataDir ?? freshDataDir('digitaltwins-sandbox');
  if (!options.dataDir) openDirs.push(dataDir);
  const sandbox = await createDigitalTwinsSandbox({ tenant, dataDir, port: 0, seed: options.seed });
  openSandboxes.push(sandbox);
  return { sandbox, dataDir };
}

async function stop(sandbox: DigitalTwinsSandbox): Promise<void> {
  openSandboxes.splice(openSandboxes.indexOf(sandbox), 1);
  await sandbox.close();
}

function call(
  sandbox: DigitalTwinsSandbox, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  return rawRequest(sandbox, method, path, { body: options.body, headers: { ...BEARER, ...options.headers } });
}

function query(sandbox: DigitalTwinsSandbox, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return call(sandbox, 'POST', `/query?${V}`, { body, headers });
}

async function queryAll(sandbox: DigitalTwinsSandbox, text: string, headers: Record<string, string> = {}): Promise<QueryAnswer[]> {
  const pages: QueryAnswer[] = [];
  let continuationToken: string | undefined;
  do {
    const response = await query(sandbox, { query: text, continuationToken }, headers);
    expect(response.status).toBe(200);
    const page = response.body as QueryAnswer;
    pages.push(page);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return pages;
}

function ids(items: Record<string, unknown>[]): string[] {
  return items.map((item) => item.$dtId as string);
}

function errorOf(response: RawResponse): { status: number; code: string } {
  return { status: response.status, code: (response.body as ErrorBody).error.code };
}

/** Twins `twin-0000`..., every third owned by `owner-a`, the rest by `owner-b`. */
function manyTwins(count: number): DigitalTwinsSeed {
  return {
    twins: Array.from({ length: count }, (_, i) => ({
      $dtId: `twin-${String(i).padStart(4, '0')}`,
      $metadata: { $model: 'dtmi:test:Thing;1' },
      ownerId: i % 3 === 0 ? 'owner-a' : 'owner-b',
    })),
    relationships: [],
  };
}

afterAll(async () => {
  await Promise.all(openSandboxes.map((sandbox) => sandbox.close()));
  await Promise.all(openDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('Digital Twins sandbox: twins', () => {
  let sandbox: DigitalTwinsSandbox;

  beforeEach(async () => {
    ({ sandbox } = await start());
  });

  afterEach(async () => {
    await stop(sandbox);
  });

  it('serves https on a free port and gets a seeded twin with its ETag', async () => {
    expect(sandbox.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const response = await call(sandbox, 'GET', `/digitaltwins/badge-0451?${V}`);
    expect(response.status).toBe(200);
    const twin = response.body as Twin;
    expect(twin).toMatchObject({ $dtId: 'badge-0451', ownerId: ALEX, externalIds: { hr: 'E-0451' } });
    expect(twin.$metadata.$model).toBe('dtmi:contoso:Badge;1');
    expect(twin.$etag).toMatch(/^W\/"[0-9a-f-]{36}"$/);
    expect(response.headers.get('etag')).toBe(twin.$etag);
  });

  it('speaks api-versions 2022-05-31 and 2023-10-31 and refuses others with 400 InvalidArgument', async () => {
    for (const version of ['2022-05-31', '2023-10-31']) {
      expect((await call(sandbox, 'GET', `/digitaltwins/badge-0451?api-version=${version}`)).status).toBe(200);
    }
    for (const path of ['/digitaltwins/badge-0451?api-version=2020-10-31', '/digitaltwins/badge-0451']) {
      const response = await call(sandbox, 'GET', path);
      expect(errorOf(response)).toEqual({ status: 400, code: 'InvalidArgument' });
      expect(response.headers.get('x-ms-error-code')).toBe('InvalidArgument');
    }
  });

  it('answers 401 without a bearer token', async () => {
    expect((await rawRequest(sandbox, 'GET', `/digitaltwins/badge-0451?${V}`)).status).toBe(401);
    expect((await rawRequest(sandbox, 'GET', `/digitaltwins/badge-0451?${V}`, { headers: { Authorization: 'Basic abc' } })).status).toBe(401);
  });

  it('answers 404 DigitalTwinNotFound in the ErrorResponse shape', async () => {
    const response = await call(sandbox, 'GET', `/digitaltwins/no-such-twin?${V}`);
    expect(errorOf(response)).toEqual({ status: 404, code: 'DigitalTwinNotFound' });
    expect(response.headers.get('x-ms-error-code')).toBe('DigitalTwinNotFound');
  });

  it('applies a JSON Patch, answers 204 with the new ETag, and a later GET shows it', async () => {
    const before = (await call(sandbox, 'GET', `/digitaltwins/badge-0451?${V}`)).body as Twin;
    const patch = [
      { op: 'replace', path: '/ownerId', value: 'someone-else' },
      { op: 'add', path: '/externalIds/entra', value: 'e-1' },
      { op: 'remove', path: '/externalIds/hr' },
    ];
    const response = await call(sandbox, 'PATCH', `/digitaltwins/badge-0451?${V}`, {
      body: patch, headers: { 'Content-Type': 'application/json-patch+json', 'If-Match': before.$etag },
    });
    expect(response.status).toBe(204);
    const etag = response.headers.get('etag');
    expect(etag).not.toBe(before.$etag);
    const after = (await call(sandbox, 'GET', `/digitaltwins/badge-0451?${V}`)).body as Twin;
    expect(after).toMatchObject({ ownerId: 'someone-else', externalIds: { entra: 'e-1' }, $etag: etag });
    expect(after.externalIds).not.toHaveProperty('hr');
  });

  it('refuses a patch with a stale If-Match (412) and an invalid patch (400 JsonPatchInvalid)', async () => {
    const stale = await call(sandbox, 'PATCH', `/digitaltwins/badge-0451?${V}`, {
      body: [{ op: 'replace', path: '/ownerId', value: 'x' }], headers: { 'If-Match': 'W/"00000000-0000-0000-0000-000000000000"' },
    });
    expect(errorOf(stale)).toEqual({ status: 412, code: 'PreconditionFailed' });
    for (const body of [{ op: 'replace' }, [], [{ op: 'move', path: '/ownerId', from: '/x' }], [{ op: 'replace', path: '/missing', value: 1 }], [{ op: 'replace', path: '/$dtId', value: 'y' }]]) {
      expect(errorOf(await call(sandbox, 'PATCH', `/digitaltwins/badge-0451?${V}`, { body }))).toEqual({ status: 400, code: 'JsonPatchInvalid' });
    }
    const unchanged = (await call(sandbox, 'GET', `/digitaltwins/badge-0451?${V}`)).body as Twin;
    expect(unchanged.ownerId).toBe(ALEX);
    expect(errorOf(await call(sandbox, 'PATCH', `/digitaltwins/nope?${V}`, { body: [{ op: 'add', path: '/a', value: 1 }] })))
      .toEqual({ status: 404, code: 'DigitalTwinNotFound' });
  });

  it('refuses to delete a twin with relationships in or out (RelationshipsNotDeleted), then deletes it once they are gone', async () => {
    const twin = 'desk-dublin-3-114';
    expect(errorOf(await call(sandbox, 'DELETE', `/digitaltwins/${twin}?${V}`))).toEqual({ status: 400, code: 'RelationshipsNotDeleted' });
    const outgoing = (await call(sandbox, 'GET', `/digitaltwins/${twin}/relationships?${V}`)).body as { value: Relationship[] };
    for (const r of outgoing.value) {
      expect((await call(sandbox, 'DELETE', `/digitaltwins/${twin}/relationships/${r.$relationshipId}?${V}`)).status).toBe(204);
    }
    // Only incoming relationships left: still refused.
    expect(errorOf(await call(sandbox, 'DELETE', `/digitaltwins/${twin}?${V}`))).toEqual({ status: 400, code: 'RelationshipsNotDeleted' });
    const incoming = (await call(sandbox, 'GET', `/digitaltwins/${twin}/incomingrelationships?${V}`)).body as { value: Incoming[] };
    expect(incoming.value.map((r) => r.$sourceId).sort()).toEqual(['badge-0452', 'thermostat-3-114']);
    for (const r of incoming.value) {
      expect((await call(sandbox, 'DELETE', `${r.$relationshipLink}?${V}`)).status).toBe(204);
    }
    const current = (await call(sandbox, 'GET', `/digitaltwins/${twin}?${V}`)).body as Twin;
    expect(errorOf(await call(sandbox, 'DELETE', `/digitaltwins/${twin}?${V}`, { headers: { 'If-Match': 'W/"stale"' } })))
      .toEqual({ status: 412, code: 'PreconditionFailed' });
    expect((await call(sandbox, 'DELETE', `/digitaltwins/${twin}?${V}`, { headers: { 'If-Match': current.$etag } })).status).toBe(204);
    expect(errorOf(await call(sandbox, 'DELETE', `/digitaltwins/${twin}?${V}`))).toEqual({ status: 404, code: 'DigitalTwinNotFound' });
    expect((await call(sandbox, 'GET', `/digitaltwins/badge-0452?${V}`)).status).toBe(200);
  });

  it('keeps changes across a restart on the same data folder', async () => {
    const { sandbox: first, dataDir } = await start();
    expect((await call(first, 'DELETE', `/digitaltwins/badge-0101?${V}`)).status).toBe(204);
    await stop(first);
    const { sandbox: second } = await start({ dataDir });
    expect((await call(second, 'GET', `/digitaltwins/badge-0101?${V}`)).status).toBe(404);
    expect((await call(second, 'GET', `/digitaltwins/badge-0451?${V}`)).status).toBe(200);
  });
});

describe('Digital Twins sandbox: relationships', () => {
  let sandbox: DigitalTwinsSandbox;

  beforeEach(async () => {
    const hub = { $dtId: 'hub', $metadata: { $model: 'dtmi:test:Hub;1' } };
    const spokes = Array.from({ length: 250 }, (_, i) => ({ $dtId: `spoke-${i}`, $metadata: { $model: 'dtmi:test:Spoke;1' } }));
    const relationships = spokes.flatMap((spoke, i) => [
      { $relationshipId: `hub-to-${i}`, $sourceId: 'hub', $targetId: spoke.$dtId, $relationshipName: i % 2 ? 'feeds' : 'lights' },
      { $relationshipId: `${i}-to-hub`, $sourceId: spoke.$dtId, $targetId: 'hub', $relationshipName: 'reports', weight: i },
    ]);
    ({ sandbox } = await start({ seed: { twins: [hub, ...spokes], relationships } }));
  });

  afterEach(async () => {
    await stop(sandbox);
  });

  async function listAll<T>(path: string): Promise<{ pages: number[]; items: T[] }> {
    const pages: number[] = [];
    const items: T[] = [];
    let next: string | undefined = path;
    while (next) {
      const response = await call(sandbox, 'GET', next);
      expect(response.status).toBe(200);
      const page = response.body as { value: T[]; nextLink?: string };
      pages.push(page.value.length);
      items.push(...page.value);
      if (page.nextLink) {
        const link = new URL(page.nextLink);
        expect(link.origin).toBe(sandbox.url);
        expect(link.searchParams.get('api-version')).toBe('2023-10-31');
      }
      next = page.nextLink;
    }
    return { pages, items };
  }

  it('pages outgoing relationships by nextLink, 100 a page, and filters by relationshipName', async () => {
    const all = await listAll<Relationship>(`/digitaltwins/hub/relationships?${V}`);
    expect(all.pages).toEqual([100, 100, 50]);
    expect(new Set(all.items.map((r) => r.$relationshipId)).size).toBe(250);
    const feeds = await listAll<Relationship>(`/digitaltwins/hub/relationships?${V}&relationshipName=feeds`);
    expect(feeds.pages).toEqual([100, 25]);
    expect(feeds.items.every((r) => r.$relationshipName === 'feeds' && r.$sourceId === 'hub')).toBe(true);
  });

  it('pages incoming relationships with source, name and a link to delete them by', async () => {
    const all = await listAll<Incoming>(`/digitaltwins/hub/incomingrelationships?${V}`);
    expect(all.pages).toEqual([100, 100, 50]);
    expect(all.items[0]).toEqual({
      $relationshipId: '0-to-hub', $sourceId: 'spoke-0', $relationshipName: 'reports', $relationshipLink: '/digitaltwins/spoke-0/relationships/0-to-hub',
    });
  });

  it('lists nothing for an unknown twin (404) and deletes a relationship once (then 404 RelationshipNotFound)', async () => {
    expect(errorOf(await call(sandbox, 'GET', `/digitaltwins/nope/relationships?${V}`))).toEqual({ status: 404, code: 'DigitalTwinNotFound' });
    expect(errorOf(await call(sandbox, 'GET', `/digitaltwins/nope/incomingrelationships?${V}`))).toEqual({ status: 404, code: 'DigitalTwinNotFound' });
    expect((await call(sandbox, 'DELETE', `/digitaltwins/hub/relationships/hub-to-7?${V}`)).status).toBe(204);
    expect(errorOf(await call(sandbox, 'DELETE', `/digitaltwins/hub/relationships/hub-to-7?${V}`))).toEqual({ status: 404, code: 'RelationshipNotFound' });
    expect(errorOf(await call(sandbox, 'DELETE', `/digitaltwins/nope/relationships/hub-to-7?${V}`))).toEqual({ status: 404, code: 'DigitalTwinNotFound' });
    const incoming = await listAll<Incoming>(`/digitaltwins/spoke-7/incomingrelationships?${V}`);
    expect(incoming.items).toEqual([]);
  });

  it('adds a relationship (200 with ETag), refusing a missing target and If-None-Match * on an existing one', async () => {
    const added = await call(sandbox, 'PUT', `/digitaltwins/spoke-1/relationships/new-one?${V}`, {
      body: { $targetId: 'spoke-2', $relationshipName: 'neighbours', distance: 3 },
    });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ $relationshipId: 'new-one', $sourceId: 'spoke-1', $targetId: 'spoke-2', $relationshipName: 'neighbours', distance: 3 });
    expect(added.headers.get('etag')).toBe((added.body as Relationship).$etag);
    const again = await call(sandbox, 'PUT', `/digitaltwins/spoke-1/relationships/new-one?${V}`, {
      body: { $targetId: 'spoke-2', $relationshipName: 'neighbours' }, headers: { 'If-None-Match': '*' },
    });
    expect(errorOf(again)).toEqual({ status: 412, code: 'PreconditionFailed' });
    const missing = await call(sandbox, 'PUT', `/digitaltwins/spoke-1/relationships/other?${V}`, { body: { $targetId: 'nope', $relationshipName: 'x' } });
    expect(errorOf(missing)).toEqual({ status: 404, code: 'TargetTwinNotFound' });
    const incoming = await listAll<Incoming>(`/digitaltwins/spoke-2/incomingrelationships?${V}`);
    expect(incoming.items.map((r) => r.$relationshipId).sort()).toEqual(['hub-to-2', 'new-one']);
  });
});

describe('Digital Twins sandbox: query', () => {
  let sandbox: DigitalTwinsSandbox;

  beforeAll(async () => {
    const twins = [
      ...manyTwins(2500).twins,
      { $dtId: 'tricky-1', $metadata: { $model: 'dtmi:test:Thing;1' }, ownerId: INJECTION },
      { $dtId: 'tricky-2', $metadata: { $model: 'dtmi:test:Thing;1' }, ownerId: 'back\\slash', externalIds: { entra: 'owner-a' } },
      { $dtId: 'person-a', $metadata: { $model: 'dtmi:test:Person;1' } },
    ];
    const relationships = [
      { $relationshipId: 'r1', $sourceId: 'twin-0001', $targetId: 'person-a', $relationshipName: 'assignedTo' },
      { $relationshipId: 'r2', $sourceId: 'twin-0002', $targetId: 'person-a', $relationshipName: 'assignedTo' },
      { $relationshipId: 'r3', $sourceId: 'twin-0002', $targetId: 'twin-0003', $relationshipName: 'feeds' },
      { $relationshipId: 'r4', $sourceId: 'twin-0004', $targetId: 'person-a', $relationshipName: 'visited' },
    ];
    ({ sandbox } = await start({ seed: { twins, relationships } }));
  });

  afterAll(async () => {
    await stop(sandbox);
  });

  afterEach(async () => {
    await rawRequest(sandbox, 'DELETE', '/_sandbox/faults');
  });

  it('pages a whole-instance query 1,000 at a time with opaque continuation tokens', async () => {
    const pages = await queryAll(sandbox, 'SELECT * FROM DIGITALTWINS');
    expect(pages.map((page) => page.value.length)).toEqual([1000, 1000, 503]);
    expect(new Set(pages.flatMap((page) => ids(page.value))).size).toBe(2503);
    expect(pages[0].continuationToken).not.toContain('SELECT');
  });

  it('takes max-items-per-page up to 1,000 and refuses a page size that is not a positive integer', async () => {
    const small = await queryAll(sandbox, "SELECT * FROM DIGITALTWINS T WHERE T.ownerId = 'owner-a'", { 'max-items-per-page': '300' });
    expect(small.map((page) => page.value.length)).toEqual([300, 300, 234]);
    const large = await queryAll(sandbox, "SELECT * FROM DIGITALTWINS T WHERE T.ownerId = 'owner-a'", { 'max-items-per-page': '5000' });
    expect(large.map((page) => page.value.length)).toEqual([834]);
    for (const size of ['0', '-1', 'ten']) {
      expect(errorOf(await query(sandbox, { query: 'SELECT * FROM DIGITALTWINS' }, { 'max-items-per-page': size }))).toEqual({ status: 400, code: 'BadRequest' });
    }
  });

  it('ignores the query text when a continuation token is given, and refuses a forged token', async () => {
    const first = (await query(sandbox, { query: 'SELECT * FROM DIGITALTWINS' })).body as QueryAnswer;
    const second = await query(sandbox, { query: 'this is not a query', continuationToken: first.continuationToken });
    expect(second.status).toBe(200);
    expect(ids((second.body as QueryAnswer).value)[0]).toBe('twin-1000');
    expect(errorOf(await query(sandbox, { continuationToken: 'not-a-token' }))).toEqual({ status: 400, code: 'BadRequest' });
  });

  it('filters by a property and answers a numeric query-charge', async () => {
    const response = await query(sandbox, { query: "SELECT * FROM DIGITALTWINS T WHERE T.ownerId = 'owner-a' AND T.$dtId IN ['twin-0003', 'twin-0004', 'twin-0006']" });
    expect(ids((response.body as QueryAnswer).value)).toEqual(['twin-0003', 'twin-0006']);
    expect(Number(response.headers.get('query-charge'))).toBeGreaterThan(0);
    const nested = (await queryAll(sandbox, "select * from digitaltwins where externalIds.entra = 'owner-a'"))[0];
    expect(ids(nested.value)).toEqual(['tricky-2']);
  });

  it('keeps an escaped injection string one literal, matching only a twin holding exactly that string', async () => {
    const escaped = "'x\\' OR 1=1 OR T.$dtId != \\''";
    const [page] = await queryAll(sandbox, `SELECT * FROM DIGITALTWINS T WHERE T.ownerId = ${escaped}`);
    expect(ids(page.value)).toEqual(['tricky-1']);
    const [slash] = await queryAll(sandbox, "SELECT * FROM DIGITALTWINS T WHERE T.ownerId = 'back\\\\slash'");
    expect(ids(slash.value)).toEqual(['tricky-2']);
    const unescaped = `SELECT * FROM DIGITALTWINS T WHERE T.ownerId = '${INJECTION}'`;
    expect(errorOf(await query(sandbox, { query: unescaped }))).toEqual({ status: 400, code: 'SqlQueryError' });
  });

  it('finds twins related to a person twin with JOIN ... RELATED, projecting the source', async () => {
    const [page] = await queryAll(sandbox, "SELECT source FROM DIGITALTWINS source JOIN target RELATED source.assignedTo WHERE target.$dtId = 'person-a'");
    expect(page.value.map((row) => (row.source as Twin).$dtId)).toEqual(['twin-0001', 'twin-0002']);
    expect(Object.keys(page.value[0])).toEqual(['source']);
  });

  it('queries relationships from or to a set of twins, and projects top-level properties', async () => {
    const [page] = await queryAll(sandbox, "SELECT * FROM RELATIONSHIPS WHERE $sourceId IN ['twin-0002'] OR $targetId IN ['twin-0002', 'twin-0004']");
    expect(page.value.map((r) => r.$relationshipId)).toEqual(['r2', 'r3']);
    const [named] = await queryAll(sandbox, "SELECT * FROM RELATIONSHIPS WHERE $relationshipName = 'assignedTo' AND ($sourceId IN ['twin-0004'] OR $targetId IN ['person-a'])");
    expect(named.value.map((r) => r.$relationshipId)).toEqual(['r1', 'r2']);
    const [projected] = await queryAll(sandbox, "SELECT T.$dtId, T.externalIds FROM DIGITALTWINS T WHERE T.$dtId IN ['tricky-2', 'twin-0000']");
    expect(projected.value).toHaveLength(2);
    expect(projected.value).toEqual(expect.arrayContaining([{ $dtId: 'twin-0000' }, { $dtId: 'tricky-2', externalIds: { entra: 'owner-a' } }]));
  });

  it('answers 400 SqlQueryError to queries outside the subset, empty ones and ones over 8,000 characters', async () => {
    const refused = [
      'SELECT * FROM DIGITALTWINS WHERE level = 3',
      "SELECT * FROM DIGITALTWINS T WHERE T.ownerId != 'a'",
      "SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:test:Thing;1')",
      "SELECT * FROM DIGITALTWINS source JOIN target RELATED source.assignedTo WHERE target.$dtId = 'person-a'",
      "SELECT * FROM DIGITALTWINS T WHERE ownerId = 'owner-a'",
      "SELECT * FROM DIGITALTWINS T WHERE T.ownerId = \"owner-a\"",
      "SELECT * FROM DIGITALTWINS T WHERE T.ownerId = 'unterminated",
      '',
      `SELECT * FROM DIGITALTWINS T WHERE T.ownerId = '${'a'.repeat(8000)}'`,
    ];
    for (const text of refused) {
      expect({ text, ...errorOf(await query(sandbox, { query: text })) }).toEqual({ text, status: 400, code: 'SqlQueryError' });
    }
  });

  it('answers an injected 429 burst with Retry-After and QuotaReachedError, then serves again', async () => {
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 429, count: 2, retryAfterSeconds: 1, pathPrefix: '/query' } });
    for (let i = 0; i < 2; i++) {
      const throttled = await query(sandbox, { query: 'SELECT * FROM DIGITALTWINS' });
      expect(errorOf(throttled)).toEqual({ status: 429, code: 'QuotaReachedError' });
      expect(throttled.headers.get('retry-after')).toBe('1');
    }
    expect((await query(sandbox, { query: 'SELECT * FROM DIGITALTWINS' })).status).toBe(200);
    const stats = (await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body as { faultsServed: number };
    expect(stats.faultsServed).toBe(2);
  });
});
