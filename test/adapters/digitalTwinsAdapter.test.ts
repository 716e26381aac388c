import { DigitalTwinsAdapter, type DigitalTwinsLink } from '../../src/adapters/digitalTwins/digitalTwinsAdapter';
import type { CallPolicy } from '../../src/adapters/calls/callPolicy';
import { type AdapterCallContext, type ExportFile, type PlanItem, pseudonymFor, type Subject } from '../../src/dsr';
import { createDigitalTwinsSandbox, type DigitalTwinsSandbox, type DigitalTwinsSeed, type TwinSeed } from '../../src/sandbox/digitalTwins';
import { SandboxCredential } from '../../src/sandbox/sandboxCredential';
import { loadTenant } from '../../src/sandbox/tenant';
import { FAST_POLICY, INJECTION, callContext, collectFiles, expectNoPersonalValues, serviceFailure, subjectFor } from '../support/adapterTesting';
import { sandboxPool } from '../support/sandboxPool';
import { waitFor } from '../support/waitFor';
import { rawRequest } from '../sandbox/sandboxGraphClient';

const tenant = loadTenant();
const V = 'api-version=2023-10-31';
const BEARER = { Authorization: 'Bearer dsr-sandbox-token' };
const KEY = 'test-pseudonym-key';

const alex = subjectFor('alex.wilber@contoso.test');
const diego = subjectFor('diego.siciliani@contoso.test');

interface Twin { $dtId: string; $etag: string; [property: string]: unknown }
interface ExportedRelationship { $relationshipId: string; $sourceId: string; $targetId: string; $relationshipName: string }
interface Stats { requests: Record<string, number>; faultsServed: number }

const sandboxes = sandboxPool('digitaltwins-adapter', (dataDir, seed?: DigitalTwinsSeed) =>
  createDigitalTwinsSandbox({ tenant, dataDir, port: 0, seed }));
const start = sandboxes.start;
afterAll(() => sandboxes.closeAll());

function adapterFor(sandbox: DigitalTwinsSandbox, link?: DigitalTwinsLink, policy: Partial<CallPolicy> = {}): DigitalTwinsAdapter {
  return new DigitalTwinsAdapter({
    endpoint: sandbox.url, credential: new SandboxCredential(), pseudonymKey: KEY, policy: { ...FAST_POLICY, ...policy }, link,
  });
}

async function twinExists(sandbox: DigitalTwinsSandbox, id: string): Promise<boolean> {
  const response = await rawRequest(sandbox, 'GET', `/digitaltwins/${encodeURIComponent(id)}?${V}`, { headers: BEARER });
  if (response.status !== 200 && response.status !== 404) throw new Error(`unexpected ${response.status}`);
  return response.status === 200;
}

/** Every twin id in the sandbox, read with the query API page by page. */
async function allTwinIds(sandbox: DigitalTwinsSandbox): Promise<string[]> {
  const found: string[] = [];
  let continuationToken: string | undefined;
  do {
    const response = await rawRequest(sandbox, 'POST', `/query?${V}`, { body: { query: 'SELECT * FROM DIGITALTWINS', continuationToken }, headers: BEARER });
    const page = response.body as { value: Twin[]; continuationToken?: string };
    found.push(...page.value.map((twin) => twin.$dtId));
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return found.sort();
}

/** Every relationship in the sandbox as [source twin id, relationship id], sorted. */
async function allRelationships(sandbox: DigitalTwinsSandbox): Promise<[string, string][]> {
  const response = await rawRequest(sandbox, 'POST', `/query?${V}`, { body: { query: 'SELECT * FROM RELATIONSHIPS' }, headers: BEARER });
  const found = (response.body as { value: ExportedRelationship[] }).value.map((r): [string, string] => [r.$sourceId, r.$relationshipId]);
  return found.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

async function relationshipCount(sandbox: DigitalTwinsSandbox): Promise<number> {
  const response = await rawRequest(sandbox, 'POST', `/query?${V}`, { body: { query: 'SELECT * FROM RELATIONSHIPS' }, headers: BEARER });
  return (response.body as { value: unknown[] }).value.length;
}

async function stats(sandbox: DigitalTwinsSandbox): Promise<Stats> {
  return (await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body as Stats;
}

async function resetStats(sandbox: DigitalTwinsSandbox): Promise<void> {
  await rawRequest(sandbox, 'POST', '/_sandbox/stats/reset');
}

async function fault(sandbox: DigitalTwinsSandbox, rule: Record<string, unknown>): Promise<void> {
  expect((await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: rule })).status).toBe(201);
}

async function patchTwin(sandbox: DigitalTwinsSandbox, id: string, operations: unknown[]): Promise<void> {
  expect((await rawRequest(sandbox, 'PATCH', `/digitaltwins/${encodeURIComponent(id)}?${V}`, { body: operations, headers: BEARER })).status).toBe(204);
}

async function addRelationship(sandbox: DigitalTwinsSandbox, from: string, id: string, to: string, name: string): Promise<void> {
  const added = await rawRequest(sandbox, 'PUT', `/digitaltwins/${from}/relationships/${id}?${V}`, { body: { $targetId: to, $relationshipName: name }, headers: BEARER });
  expect(added.status).toBe(200);
}

async function deleteInSandbox(sandbox: DigitalTwinsSandbox, path: string): Promise<void> {
  expect((await rawRequest(sandbox, 'DELETE', `${path}?${V}`, { headers: BEARER })).status).toBe(204);
}

/** The plan discovery makes for the subject, as approvers approve it. */
async function planOf(sandbox: DigitalTwinsSandbox, subject: Subject, link?: DigitalTwinsLink): Promise<PlanItem[]> {
  const { plan } = await adapterFor(sandbox, link).discover(subject, callContext('erase'));
  if (!plan) throw new Error('discovery made no plan');
  return plan;
}

function approved(kind: 'erase' | 'rectify', plan: PlanItem[]): AdapterCallContext {
  return { ...callContext(kind), plan };
}

function byId<T extends { id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.id.localeCompare(b.id));
}

function twin(id: string, properties: Record<string, unknown> = {}): TwinSeed {
  return { $dtId: id, $metadata: { $model: 'dtmi:test:Thing;1' }, ...properties };
}

function related(id: string, from: string, to: string, name: string) {
  return { $relationshipId: id, $sourceId: from, $targetId: to, $relationshipName: name };
}

describe('DigitalTwinsAdapter on the seeded tenant (ownerId holds the object id)', () => {
  let sandbox: DigitalTwinsSandbox;

  beforeEach(async () => {
    sandbox = await start();
  });

  it("discovers the subject's twins and every relationship from or to them, in words without personal values", async () => {
    await resetStats(sandbox);
    const result = await adapterFor(sandbox).discover(alex, callContext('access'));
    expect(result).toMatchObject({ count: 7, items: [{ code: 'digitalTwins.twins', count: 3 }, { code: 'digitalTwins.relationships', count: 4 }] });
    expectNoPersonalValues(JSON.stringify(result), alex);
    // One query for the twins, one for their relationships: never a scan, never one call per twin.
    expect((await stats(sandbox)).requests).toEqual({ 'POST /query': 2 });
  });

  it('also finds, with a link relationship configured, the twins assigned to the person twin and the person twin', async () => {
    const result = await adapterFor(sandbox, { relationship: 'assignedTo' }).discover(alex, callContext('access'));
    // ownerId: desk, badge, thermostat; assignedTo: locker 17; and Alex's person twin.
    expect(result).toMatchObject({ count: 11, items: [{ code: 'digitalTwins.twins', count: 5 }, { code: 'digitalTwins.relationships', count: 6 }] });
    const twins = Object.fromEntries(result.plan!.filter((item) => item.type === 'twin').map((item) => [item.id, item.reason]));
    expect(twins).toEqual({
      'desk-dublin-3-114': 'property:ownerId', 'badge-0451': 'property:ownerId', 'thermostat-3-114': 'property:ownerId',
      'locker-dublin-17': 'relationship:assignedTo', [alex.aadObjectId]: 'personTwin',
    });
  });

  it('finds nothing for someone without twins', async () => {
    const lee = subjectFor('lee.gu@contoso.test');
    // An empty plan, not none: execution then touches nothing that names Lee later.
    expect(await adapterFor(sandbox).discover(lee, callContext('access'))).toEqual({ count: 0, plan: [], items: [] });
    expect(await collectFiles(adapterFor(sandbox).export(lee, callContext('export')))).toEqual({});
  });

  it("exports the twins and their relationships, with other people's twins pseudonymised", async () => {
    const files = await collectFiles(adapterFor(sandbox).export(alex, callContext('export')));
    const twins = files['twins.json'] as Twin[];
    expect(twins.map((t) => t.$dtId).sort()).toEqual(['badge-0451', 'desk-dublin-3-114', 'thermostat-3-114']);
    expect(twins.every((t) => t.ownerId === alex.aadObjectId)).toBe(true);
    const { outgoing, incoming } = files['relationships.json'] as { outgoing: ExportedRelationship[]; incoming: ExportedRelationship[] };
    expect(outgoing.map((r) => [r.$relationshipId, r.$targetId]).sort()).toEqual([
      ['badge-0451-opens-floor', 'floor-dublin-3'],
      ['desk-3-114-on-floor', 'floor-dublin-3'],
      ['thermostat-3-114-serves-desk', 'desk-dublin-3-114'],
    ]);
    // Megan's badge visited Alex's desk: her badge's id is replaced.
    expect(incoming).toEqual([{
      $relationshipId: pseudonymFor('badge-0452-neighbour-desk', KEY), $sourceId: pseudonymFor('badge-0452', KEY), $targetId: 'desk-dublin-3-114', $relationshipName: 'visited',
    }]);
    expect(JSON.stringify(files)).not.toContain('badge-0452"');
  });

  it("erases the subject's relationships both ways and then the twins, and nothing of anyone else", async () => {
    const before = await allTwinIds(sandbox);
    const report = await adapterFor(sandbox).erase(alex, callContext('erase'));
    expect(report).toEqual({ summary: { code: 'digitalTwins.deleted', twins: 3, relationships: 4 }, count: 7 });
    expectNoPersonalValues(JSON.stringify(report.summary), alex);
    const after = await allTwinIds(sandbox);
    expect(before.filter((id) => !after.includes(id)).sort()).toEqual(['badge-0451', 'desk-dublin-3-114', 'thermostat-3-114']);
    expect(await twinExists(sandbox, 'badge-0452')).toBe(true);
    expect(await twinExists(sandbox, 'floor-dublin-3')).toBe(true);
    expect(await relationshipCount(sandbox)).toBe(tenant.digitalTwins.relationships.length - 4);
    // Repeating the step finds nothing left to do.
    expect(await adapterFor(sandbox).erase(alex, callContext('erase'))).toEqual({ summary: { code: 'digitalTwins.deleted', twins: 0, relationships: 0 }, count: 0 });
  });

  it('counts a twin already gone (404) as erased', async () => {
    await fault(sandbox, { status: 404, method: 'DELETE', pathPrefix: '/digitaltwins/desk-milan-0-12', count: 1 });
    expect(await adapterFor(sandbox).erase(diego, callContext('erase'))).toEqual({ summary: { code: 'digitalTwins.deleted', twins: 1, relationships: 0 }, count: 1 });
    expect((await stats(sandbox)).faultsServed).toBe(1);
  });

  it('deletes a relationship added while erasing (RelationshipsNotDeleted), listing it and trying once more', async () => {
    // Hold one relationship delete until a new incoming relationship to Alex's badge is in place.
    await fault(sandbox, { delayMs: 1500, method: 'DELETE', pathPrefix: '/digitaltwins/badge-0452/relationships/', count: 1 });
    const erasing = adapterFor(sandbox).erase(alex, callContext('erase'));
    await waitFor('the held delete', async () => (await stats(sandbox)).faultsServed === 1 || undefined);
    const added = await rawRequest(sandbox, 'PUT', `/digitaltwins/floor-seattle-2/relationships/late-one?${V}`, {
      body: { $targetId: 'badge-0451', $relationshipName: 'watches' }, headers: BEARER,
    });
    expect(added.status).toBe(200);
    expect(await erasing).toEqual({ summary: { code: 'digitalTwins.deleted', twins: 3, relationships: 5 }, count: 8 });
    expect(await twinExists(sandbox, 'badge-0451')).toBe(false);
    expect(await twinExists(sandbox, 'floor-seattle-2')).toBe(true);
    const requests = (await stats(sandbox)).requests;
    expect(requests['GET /digitaltwins/{id}/incomingrelationships']).toBe(1);
    expect(requests['GET /digitaltwins/{id}/relationships']).toBe(1);
  });

  it('has nothing to rectify when twins name the subject by object id', async () => {
    await resetStats(sandbox);
    expect(await adapterFor(sandbox).rectify(alex, { mail: 'alex.w@contoso.test', displayName: 'Alex W' }, callContext('rectify')))
      .toEqual({ summary: { code: 'digitalTwins.linkedByObjectId' }, count: 0 });
    expect((await stats(sandbox)).requests).toEqual({});
  });

  it('survives a burst of 429 with Retry-After on page 3, repeating only that page', async () => {
    const subject = { ...alex, aadObjectId: 'owner-many' };
    const seeded = await start({ twins: Array.from({ length: 2500 }, (_, i) => twin(`t-${i}`, { ownerId: 'owner-many' })), relationships: [] });
    await adapterFor(seeded).discover(subject, callContext('access'));
    const baseline = (await stats(seeded)).requests['POST /query'];
    await resetStats(seeded);
    // The first two queries pass (a 1 ms delay uses up the rule), the next two are throttled.
    await fault(seeded, { delayMs: 1, count: 2, pathPrefix: '/query' });
    await fault(seeded, { status: 429, retryAfterSeconds: 1, count: 2, pathPrefix: '/query' });
    expect(await adapterFor(seeded).discover(subject, callContext('access'))).toMatchObject({ count: 2500, items: [{ code: 'digitalTwins.twins', count: 2500 }, { code: 'digitalTwins.relationships', count: 0 }] });
    const after = await stats(seeded);
    expect(after.faultsServed).toBe(4);
    expect(after.requests['POST /query']).toBe(baseline + 2);
  });

  it('survives a connection dropped without an answer, asking again', async () => {
    await fault(sandbox, { drop: true, count: 1, pathPrefix: '/query' });
    expect((await adapterFor(sandbox).discover(alex, callContext('access'))).count).toBe(7);
    expect((await stats(sandbox)).faultsServed).toBe(1);
  });

  it('reports a permanent 500 as a ServiceError naming the service, after its retries', async () => {
    await fault(sandbox, { status: 500, count: -1, pathPrefix: '/query' });
    await resetStats(sandbox);
    const error = await serviceFailure(adapterFor(sandbox, undefined, { maxRetries: 2 }).discover(alex, callContext('access')));
    expect(error.service).toBe('digitalTwins');
    expect(error.statusCode).toBe(500);
    expect(error.message).toContain('digitalTwins: ');
    expectNoPersonalValues(error.message, alex);
    expect((await stats(sandbox)).requests['POST /query']).toBe(3);
  });

  it("leaves retrying to the call policy: the SDK's own throttling retry is switched off", async () => {
    await fault(sandbox, { status: 503, retryAfterSeconds: 1, count: 5, pathPrefix: '/query' });
    await resetStats(sandbox);
    const error = await serviceFailure(adapterFor(sandbox, undefined, { maxRetries: 0 }).discover(alex, callContext('access')));
    expect(error.statusCode).toBe(503);
    expect((await stats(sandbox)).requests['POST /query']).toBe(1);
  });

  it('aborts a query page that does not answer in time (the abort signal reaches the request)', async () => {
    // Were the signal not passed on, this would wait out the two-minute delay and the test would time out.
    await fault(sandbox, { delayMs: 120_000, count: 1, pathPrefix: '/query' });
    const error = await serviceFailure(adapterFor(sandbox, undefined, { maxRetries: 0, timeoutMs: 200 }).discover(alex, callContext('access')));
    expect(error.code).toBe('Timeout');
  }, 20_000);
});

describe('DigitalTwinsAdapter with an approved plan', () => {
  /** Alex's plan on the seeded tenant: 3 twins by ownerId, 3 relationships from them, Megan's badge's visit to the desk. */
  const alexPlan: PlanItem[] = [
    { type: 'twin', id: 'desk-dublin-3-114', reason: 'property:ownerId' },
    { type: 'twin', id: 'badge-0451', reason: 'property:ownerId' },
    { type: 'twin', id: 'thermostat-3-114', reason: 'property:ownerId' },
    { type: 'relationship', id: 'desk-dublin-3-114/desk-3-114-on-floor', reason: 'outgoing' },
    { type: 'relationship', id: 'thermostat-3-114/thermostat-3-114-serves-desk', reason: 'outgoing' },
    { type: 'relationship', id: 'badge-0451/badge-0451-opens-floor', reason: 'outgoing' },
    { type: 'relationship', id: 'badge-0452/badge-0452-neighbour-desk', reason: 'incoming' },
  ];
  const alexRelationships: [string, string][] = [
    ['badge-0451', 'badge-0451-opens-floor'], ['badge-0452', 'badge-0452-neighbour-desk'],
    ['desk-dublin-3-114', 'desk-3-114-on-floor'], ['thermostat-3-114', 'thermostat-3-114-serves-desk'],
  ];
  const removed = ({ type, id }: PlanItem) => ({ type, id, result: 'removed' });

  it("plans each twin by its id and link and each relationship as source/relationship id with its direction; reasons are codes naming no one", async () => {
    const plan = await planOf(await start(), alex);
    expect(byId(plan)).toEqual(byId(alexPlan));
    const reasons = plan.map((item) => item.reason).join(' ');
    expect(reasons).not.toContain('badge-0452');
    expectNoPersonalValues(reasons, alex);
  });

  it('deletes exactly the planned relationships and twins, one call each beside one id query: the sandbox shows nothing else gone', async () => {
    const sandbox = await start();
    const plan = await planOf(sandbox, alex);
    const [twinsBefore, relationshipsBefore] = [await allTwinIds(sandbox), await allRelationships(sandbox)];
    await resetStats(sandbox);
    expect(await adapterFor(sandbox).erase(alex, approved('erase', plan))).toEqual({
      summary: { code: 'digitalTwins.deleted', twins: 3, relationships: 4 }, count: 7, items: plan.map(removed), delta: [],
    });
    // No relationship query, no list, no far-end lookup: the plan already says what to delete.
    expect((await stats(sandbox)).requests).toEqual({
      'POST /query': 1, 'DELETE /digitaltwins/{id}/relationships/{relationshipId}': 4, 'DELETE /digitaltwins/{id}': 3,
    });
    const twinsAfter = await allTwinIds(sandbox);
    expect(twinsBefore.filter((id) => !twinsAfter.includes(id))).toEqual(['badge-0451', 'desk-dublin-3-114', 'thermostat-3-114']);
    const relationshipsAfter = JSON.stringify(await allRelationships(sandbox));
    expect(relationshipsBefore.filter((r) => !relationshipsAfter.includes(JSON.stringify(r)))).toEqual(alexRelationships);
  });

  it("leaves a twin put under the subject's name after discovery, with its relationships, and reports it as delta", async () => {
    const sandbox = await start();
    const plan = await planOf(sandbox, alex);
    await patchTwin(sandbox, 'desk-seattle-2-05', [{ op: 'replace', path: '/ownerId', value: alex.aadObjectId }]);
    const report = await adapterFor(sandbox).erase(alex, approved('erase', plan));
    expect(report).toMatchObject({ count: 7, items: plan.map(removed), delta: [{ type: 'twin', id: 'desk-seattle-2-05', reason: 'property:ownerId' }] });
    expect(await twinExists(sandbox, 'desk-seattle-2-05')).toBe(true);
    expect(await allRelationships(sandbox)).toContainEqual(['desk-seattle-2-05', 'desk-seattle-2-05-on-floor']);
  });

  it('with an empty plan (nothing found at discovery) touches nothing, and reports a twin named since as delta', async () => {
    const sandbox = await start();
    const lee = subjectFor('lee.gu@contoso.test');
    const plan = await planOf(sandbox, lee);
    expect(plan).toEqual([]);
    await patchTwin(sandbox, 'floor-seattle-2', [{ op: 'add', path: '/ownerId', value: lee.aadObjectId }]);
    expect(await adapterFor(sandbox).erase(lee, approved('erase', plan))).toEqual({
      summary: { code: 'digitalTwins.deleted', twins: 0, relationships: 0 }, count: 0, items: [], delta: [{ type: 'twin', id: 'floor-seattle-2', reason: 'property:ownerId' }],
    });
    expect(await twinExists(sandbox, 'floor-seattle-2')).toBe(true);
  });

  it('counts a planned twin and relationship deleted before execution as already gone, not as errors', async () => {
    const sandbox = await start();
    const plan = await planOf(sandbox, alex);
    await deleteInSandbox(sandbox, '/digitaltwins/thermostat-3-114/relationships/thermostat-3-114-serves-desk');
    await deleteInSandbox(sandbox, '/digitaltwins/thermostat-3-114');
    const report = await adapterFor(sandbox).erase(alex, approved('erase', plan));
    expect(report.items).toEqual(plan.map(({ type, id }) => ({ type, id, result: id.startsWith('thermostat-3-114') ? 'alreadyGone' : 'removed' })));
    expect(report).toMatchObject({ summary: { code: 'digitalTwins.deleted', twins: 2, relationships: 3 }, count: 5, delta: [] });
  });

  it('deletes relationships added to a planned twin after discovery with the twin, rather than letting them block its erasure', async () => {
    const sandbox = await start();
    const plan = await planOf(sandbox, alex);
    await addRelationship(sandbox, 'floor-seattle-2', 'late-in', 'badge-0451', 'watches');
    await addRelationship(sandbox, 'badge-0451', 'late-out', 'desk-seattle-2-05', 'near');
    const report = await adapterFor(sandbox).erase(alex, approved('erase', plan));
    expect(byId(report.items!)).toEqual(byId([
      ...plan.map(removed),
      { type: 'relationship', id: 'floor-seattle-2/late-in', result: 'removed' },
      { type: 'relationship', id: 'badge-0451/late-out', result: 'removed' },
    ]));
    expect(report.count).toBe(9);
    expect(await twinExists(sandbox, 'badge-0451')).toBe(false);
    expect(await twinExists(sandbox, 'floor-seattle-2')).toBe(true);
    expect(await twinExists(sandbox, 'desk-seattle-2-05')).toBe(true);
  });

  it('names a relationship whose ids hold a slash so that it cannot be read as another one', async () => {
    const subject: Subject = { aadObjectId: 'aad-sam', upn: 'sam@contoso.test', email: 'sam@contoso.test', displayName: 'Sam Subject' };
    const sandbox = await start({
      twins: [twin('room/1', { ownerId: 'aad-sam' }), twin('room'), twin('hall')],
      relationships: [
        related('on/hall', 'room/1', 'hall', 'on'),
        // Read naively, `room/1/on/hall` would be this one: room's relationship `1/on/hall`.
        related('1/on/hall', 'room', 'hall', 'on'),
      ],
    });
    const plan = await planOf(sandbox, subject);
    expect(plan).toContainEqual({ type: 'relationship', id: 'room%2F1/on%2Fhall', reason: 'outgoing' });
    const report = await adapterFor(sandbox).erase(subject, approved('erase', plan));
    expect(report.items).toEqual(plan.map(removed));
    expect(await allRelationships(sandbox)).toEqual([['room', '1/on/hall']]);
  });

  it('refuses a planned relationship not named as sourceTwinId/relationshipId, before deleting anything', async () => {
    const sandbox = await start();
    const plan = [...alexPlan.slice(0, 3), { type: 'relationship', id: 'desk-dublin-3-114', reason: 'outgoing' }];
    await resetStats(sandbox);
    const error = await serviceFailure(adapterFor(sandbox).erase(alex, approved('erase', plan)));
    expect(error.service).toBe('digitalTwins');
    expect(error.message).not.toContain('desk-dublin');
    expect((await stats(sandbox)).requests).toEqual({});
  });

  it("corrects only the planned twins still naming the subject: one gone is already gone, one reassigned is kept, one named since is delta", async () => {
    const subject: Subject = { aadObjectId: 'aad-sam', upn: 'sam@contoso.test', email: 'sam@contoso.test', displayName: 'Sam Subject' };
    const mail = (value: string) => ({ contact: { mail: value } });
    const sandbox = await start({
      twins: [twin('a', mail('sam@contoso.test')), twin('b', mail('sam@contoso.test')), twin('e', mail('sam@contoso.test')), twin('d', mail('lee@contoso.test'))],
      relationships: [],
    });
    const link = { property: 'contact.mail', holds: 'email' } as const;
    const plan = await planOf(sandbox, subject, link);
    expect(plan.map((item) => [item.id, item.reason])).toEqual([['a', 'property:contact.mail'], ['b', 'property:contact.mail'], ['e', 'property:contact.mail']]);
    await deleteInSandbox(sandbox, '/digitaltwins/b');
    await patchTwin(sandbox, 'e', [{ op: 'replace', path: '/contact/mail', value: 'kim@contoso.test' }]);
    await patchTwin(sandbox, 'd', [{ op: 'replace', path: '/contact/mail', value: 'sam@contoso.test' }]);
    expect(await adapterFor(sandbox, link).rectify(subject, { mail: 'sam.new@contoso.test' }, approved('rectify', plan))).toEqual({
      summary: { code: 'digitalTwins.corrected', twins: 1 },
      count: 1,
      items: [{ type: 'twin', id: 'a', result: 'changed' }, { type: 'twin', id: 'b', result: 'alreadyGone' }, { type: 'twin', id: 'e', result: 'kept' }],
      delta: [{ type: 'twin', id: 'd', reason: 'property:contact.mail' }],
    });
    const read = async (id: string) => ((await rawRequest(sandbox, 'GET', `/digitaltwins/${id}?${V}`, { headers: BEARER })).body as Twin).contact;
    expect(await read('a')).toEqual({ mail: 'sam.new@contoso.test' });
    expect(await read('e')).toEqual({ mail: 'kim@contoso.test' });
    expect(await read('d')).toEqual({ mail: 'sam@contoso.test' });
  });
});

describe('DigitalTwinsAdapter paging', () => {
  it('pages twins and relationships across several pages of 1,000 and several batches of ids', async () => {
    const owned = Array.from({ length: 1200 }, (_, i) => twin(`own-${i}`, { ownerId: 'owner-p' }));
    const others = Array.from({ length: 1100 }, (_, i) => twin(`other-${i}`, { ownerId: 'owner-q' }));
    const relationships = others.map((other, i) => related(`hub-${i}`, 'own-0', other.$dtId, 'feeds'));
    const sandbox = await start({ twins: [...owned, ...others], relationships });
    const subject = { ...alex, aadObjectId: 'owner-p' };
    expect(await adapterFor(sandbox).discover(subject, callContext('access'))).toMatchObject({ count: 2300, items: [{ code: 'digitalTwins.twins', count: 1200 }, { code: 'digitalTwins.relationships', count: 1100 }] });
    // 2 pages of twins; 12 batches of 100 ids, the first with 2 pages of relationships.
    expect((await stats(sandbox)).requests['POST /query']).toBe(2 + 12 + 1);
    const files = await collectFiles(adapterFor(sandbox).export(subject, callContext('export')));
    const { outgoing } = files['relationships.json'] as { outgoing: ExportedRelationship[] };
    expect(outgoing).toHaveLength(1100);
    // Every far end is someone else's twin (owner-q): all 1,100 ids replaced.
    expect(new Set(outgoing.map((r) => r.$targetId))).toEqual(new Set(others.map((other) => pseudonymFor(other.$dtId, KEY))));
  });
});

describe('DigitalTwinsAdapter streaming export', () => {
  it("hands over the first page's twins while the next page is still being fetched", async () => {
    const subject = { ...alex, aadObjectId: 'owner-s' };
    const sandbox = await start({ twins: Array.from({ length: 1500 }, (_, i) => twin(`s-${i}`, { ownerId: 'owner-s' })), relationships: [] });
    await resetStats(sandbox);
    // The first page answers at once (a 1 ms delay uses up the rule); the second is held.
    await fault(sandbox, { delayMs: 1, count: 1, pathPrefix: '/query' });
    await fault(sandbox, { delayMs: 120_000, count: 1, pathPrefix: '/query' });
    const stop = new AbortController();
    const files = adapterFor(sandbox).export(subject, { ...callContext('export'), signal: stop.signal })[Symbol.asyncIterator]();
    const file = (await files.next()).value as ExportFile;
    expect(file.path).toBe('twins.json');
    const twins = (file.content as AsyncIterable<Twin>)[Symbol.asyncIterator]();
    const firstPage: string[] = [];
    for (let i = 0; i < 1000; i++) firstPage.push(((await twins.next()).value as Twin).$dtId);
    expect(firstPage[0]).toBe('s-0');
    expect(new Set(firstPage).size).toBe(1000);
    expect((await stats(sandbox)).requests['POST /query']).toBe(1);
    // The next item needs the second page: it is asked for now, and held.
    const next = twins.next();
    await waitFor('the held second page', async () => (await stats(sandbox)).faultsServed === 2 || undefined);
    stop.abort();
    await expect(next).rejects.toThrow();
    expect((await stats(sandbox)).requests['POST /query']).toBe(2);
  }, 20_000);

  it("tells the subject's own twins from other people's across batches: a twin of theirs at the far end stays as it is", async () => {
    const subject: Subject = { aadObjectId: 'aad-sam', upn: 'sam@contoso.test', email: 'sam@contoso.test', displayName: 'Sam Subject' };
    const lamps = Array.from({ length: 150 }, (_, i) => twin(`lamp-${i}`));
    const sandbox = await start({
      twins: [twin('aad-sam'), twin('aad-kim'), ...lamps, twin('shared-desk')],
      relationships: [
        ...lamps.map((lamp) => related(`${lamp.$dtId}-sam`, lamp.$dtId, 'aad-sam', 'assignedTo')),
        // Sam's desk, shared with Kim: in the second batch of Sam's twins, lamp-0 in the first.
        related('desk-sam', 'shared-desk', 'aad-sam', 'assignedTo'),
        related('desk-kim', 'shared-desk', 'aad-kim', 'assignedTo'),
        related('lamp-0-lights', 'lamp-0', 'shared-desk', 'lights'),
      ],
    });
    const files = await collectFiles(adapterFor(sandbox, { property: null, relationship: 'assignedTo' }).export(subject, callContext('export')));
    expect((files['twins.json'] as Twin[])).toHaveLength(152);
    const { outgoing, incoming } = files['relationships.json'] as { outgoing: ExportedRelationship[]; incoming: ExportedRelationship[] };
    expect(outgoing).toHaveLength(153);
    const targets = Object.fromEntries(outgoing.map((r) => [r.$relationshipId, r.$targetId]));
    expect(targets['lamp-0-lights']).toBe('shared-desk');
    expect(targets['desk-kim']).toBe(pseudonymFor('aad-kim', KEY));
    // Between two of Sam's twins: outgoing only. Into the person twin, from Sam's twins: outgoing too.
    expect(incoming).toEqual([]);
  });
});

describe('DigitalTwinsAdapter with other links', () => {
  it('links by a nested property holding the e-mail address, matching a lower-cased one too, and pseudonymises only people', async () => {
    const subject: Subject = { aadObjectId: 'aad-sam', upn: 'sam@contoso.test', email: 'Sam.Subject@contoso.test', displayName: 'Sam Subject' };
    const sandbox = await start({
      twins: [
        twin('sam-desk', { externalIds: { entra: 'sam.subject@contoso.test' } }),
        twin('sam-bike', { externalIds: { entra: 'Sam.Subject@contoso.test' } }),
        twin('kim-desk', { externalIds: { entra: 'kim@contoso.test' } }),
        twin('shelf', { externalIds: { hr: 'H-1' } }),
      ],
      relationships: [related('r1', 'sam-desk', 'kim-desk', 'near'), related('r2', 'shelf', 'sam-bike', 'holds')],
    });
    const link = { property: 'externalIds.entra', holds: 'email' } as const;
    expect(await adapterFor(sandbox, link).discover(subject, callContext('access'))).toMatchObject({ count: 4, items: [{ code: 'digitalTwins.twins', count: 2 }, { code: 'digitalTwins.relationships', count: 2 }] });
    const files = await collectFiles(adapterFor(sandbox, link).export(subject, callContext('export')));
    const { outgoing, incoming } = files['relationships.json'] as { outgoing: ExportedRelationship[]; incoming: ExportedRelationship[] };
    expect(outgoing.map((r) => r.$targetId)).toEqual([pseudonymFor('kim-desk', KEY)]);
    expect(incoming.map((r) => r.$sourceId)).toEqual(['shelf']);
  });

  it('corrects the linked e-mail address on rectify, guarded by the ETag, and finds nothing to do a second time', async () => {
    const subject: Subject = { aadObjectId: 'aad-sam', upn: 'sam@contoso.test', email: 'sam@contoso.test', displayName: 'Sam Subject' };
    const sandbox = await start({
      twins: [twin('a', { contact: { mail: 'sam@contoso.test' } }), twin('b', { contact: { mail: 'sam@contoso.test' } }), twin('c', { contact: { mail: 'kim@contoso.test' } })],
      relationships: [],
    });
    const link = { property: 'contact.mail', holds: 'email' } as const;
    // Twin a changes (another property) while the adapter's patch is held: its ETag goes stale, 412, re-read, patched.
    await fault(sandbox, { delayMs: 1500, method: 'PATCH', pathPrefix: '/digitaltwins/a', count: 1 });
    const correcting = adapterFor(sandbox, link).rectify(subject, { mail: 'sam.new@contoso.test' }, callContext('rectify'));
    await waitFor('the held patch', async () => (await stats(sandbox)).faultsServed === 1 || undefined);
    const touched = await rawRequest(sandbox, 'PATCH', `/digitaltwins/a?${V}`, { body: [{ op: 'add', path: '/label', value: 'x' }], headers: BEARER });
    expect(touched.status).toBe(204);
    expect(await correcting).toEqual({ summary: { code: 'digitalTwins.corrected', twins: 2 }, count: 2 });
    expect((await stats(sandbox)).requests['GET /digitaltwins/{id}']).toBe(1);
    const read = async (id: string) => (await rawRequest(sandbox, 'GET', `/digitaltwins/${id}?${V}`, { headers: BEARER })).body as Twin;
    expect(await read('a')).toMatchObject({ label: 'x', contact: { mail: 'sam.new@contoso.test' } });
    expect((await read('b')).contact).toEqual({ mail: 'sam.new@contoso.test' });
    expect((await read('c')).contact).toEqual({ mail: 'kim@contoso.test' });
    expect(await adapterFor(sandbox, link).rectify(subject, { mail: 'sam.new@contoso.test' }, callContext('rectify'))).toMatchObject({ count: 0 });
    expect(await adapterFor(sandbox, link).rectify(subject, { jobTitle: 'x' }, callContext('rectify')))
      .toEqual({ summary: { code: 'digitalTwins.noCorrection' }, count: 0 });
  });

  it("links by a relationship to the person twin: the subject's person twin is theirs, other people and their twins are pseudonymised", async () => {
    const subject: Subject = { aadObjectId: 'aad-sam', upn: 'sam@contoso.test', email: 'sam@contoso.test', displayName: 'Sam Subject' };
    const sandbox = await start({
      twins: [twin('aad-sam'), twin('aad-kim'), twin('shared-desk'), twin('kim-locker'), twin('lamp')],
      relationships: [
        related('desk-sam', 'shared-desk', 'aad-sam', 'assignedTo'),
        related('desk-kim', 'shared-desk', 'aad-kim', 'assignedTo'),
        related('locker-kim', 'kim-locker', 'aad-kim', 'assignedTo'),
        related('locker-near-desk', 'kim-locker', 'shared-desk', 'near'),
        related('lamp-lights-desk', 'lamp', 'shared-desk', 'lights'),
      ],
    });
    const link = { property: null, relationship: 'assignedTo' };
    expect(await adapterFor(sandbox, link).discover(subject, callContext('access'))).toMatchObject({ count: 6, items: [{ code: 'digitalTwins.twins', count: 2 }, { code: 'digitalTwins.relationships', count: 4 }] });
    const files = await collectFiles(adapterFor(sandbox, link).export(subject, callContext('export')));
    expect((files['twins.json'] as Twin[]).map((t) => t.$dtId)).toEqual(['aad-sam', 'shared-desk']);
    const { outgoing, incoming } = files['relationships.json'] as { outgoing: ExportedRelationship[]; incoming: ExportedRelationship[] };
    expect(Object.fromEntries(outgoing.map((r) => [r.$relationshipId, r.$targetId]))).toEqual({
      'desk-sam': 'aad-sam', 'desk-kim': pseudonymFor('aad-kim', KEY),
    });
    expect(Object.fromEntries(incoming.map((r) => [r.$relationshipId, r.$sourceId]))).toEqual({
      [pseudonymFor('locker-near-desk', KEY)]: pseudonymFor('kim-locker', KEY), 'lamp-lights-desk': 'lamp',
    });
    expect(JSON.stringify(files)).not.toContain('aad-kim');
    await adapterFor(sandbox, link).erase(subject, callContext('erase'));
    expect(await allTwinIds(sandbox)).toEqual(['aad-kim', 'kim-locker', 'lamp']);
    expect(await relationshipCount(sandbox)).toBe(1);
  });

  it('refuses a link with neither a property nor a relationship, and a relationship name that is not one', () => {
    const options = { endpoint: 'https://127.0.0.1:1', credential: new SandboxCredential(), pseudonymKey: KEY };
    expect(() => new DigitalTwinsAdapter({ ...options, link: { property: null } })).toThrow(/property, a relationship or both/);
    expect(() => new DigitalTwinsAdapter({ ...options, link: { relationship: "x' OR 1=1" } })).toThrow();
    expect(() => new DigitalTwinsAdapter({ ...options, link: { property: 'owner.id OR 1=1' } })).toThrow();
  });
});

describe('DigitalTwinsAdapter with injection strings as the subject', () => {
  const victims = [
    twin('kim-desk', { ownerId: 'aad-kim', email: 'kim@contoso.test' }),
    twin('lee-desk', { ownerId: 'aad-lee', email: 'lee@contoso.test' }),
    twin('floor', {}),
  ];

  it('treats an id that is an injection string as one literal: only its own twins are found, exported and erased', async () => {
    const subject: Subject = { aadObjectId: INJECTION, upn: 'x@contoso.test', email: 'x@contoso.test', displayName: 'X' };
    const sandbox = await start({
      twins: [...victims, twin('injected-own', { ownerId: INJECTION }), twin(INJECTION), twin('own-locker')],
      relationships: [
        related('r1', 'kim-desk', 'floor', 'on'),
        related('r2', 'injected-own', 'floor', 'on'),
        related('r3', 'own-locker', INJECTION, 'assignedTo'),
      ],
    });
    expect((await adapterFor(sandbox).discover(subject, callContext('access'))).items[0]).toEqual({ code: 'digitalTwins.twins', count: 1 });
    // By relationship: the twin assigned to the injection-named person twin, and that person twin.
    expect((await adapterFor(sandbox, { relationship: 'assignedTo' }).discover(subject, callContext('access'))).items[0]).toEqual({ code: 'digitalTwins.twins', count: 3 });
    const files = await collectFiles(adapterFor(sandbox).export(subject, callContext('export')));
    expect((files['twins.json'] as Twin[]).map((t) => t.$dtId)).toEqual(['injected-own']);
    expect(await adapterFor(sandbox).erase(subject, callContext('erase'))).toEqual({ summary: { code: 'digitalTwins.deleted', twins: 1, relationships: 1 }, count: 2 });
    expect(await allTwinIds(sandbox)).toEqual([INJECTION, 'floor', 'kim-desk', 'lee-desk', 'own-locker'].sort());
    expect(await relationshipCount(sandbox)).toBe(2);
  });

  it('treats an e-mail address that is an injection string as one literal', async () => {
    const email = "x'@contoso.test' OR T.$dtId != '";
    const subject: Subject = { aadObjectId: 'aad-x', upn: email, email, displayName: 'X' };
    const sandbox = await start({ twins: [...victims, twin('mail-own', { email })], relationships: [] });
    const link = { property: 'email', holds: 'email' } as const;
    expect(await adapterFor(sandbox, link).discover(subject, callContext('access'))).toMatchObject({ count: 1, items: [{ code: 'digitalTwins.twins', count: 1 }, { code: 'digitalTwins.relationships', count: 0 }] });
    expect(await adapterFor(sandbox, link).erase(subject, callContext('erase'))).toMatchObject({ count: 1 });
    expect(await allTwinIds(sandbox)).toEqual(['floor', 'kim-desk', 'lee-desk']);
  });
});
