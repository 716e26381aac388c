import { DigitalTwinsAdapter, type DigitalTwinsLink } from '../../src/adapters/digitalTwins/digitalTwinsAdapter';
import type { Subject } from '../../src/dsr';
import { createDigitalTwinsSandbox, type DigitalTwinsSandbox, type DigitalTwinsSeed, type TwinSeed } from '../../src/sandbox/digitalTwins';
import { SandboxCredential } from '../../src/sandbox/sandboxCredential';
import { loadTenant } from '../../src/sandbox/tenant';
import { FAST_POLICY, callContext, collectFiles, subjectFor } from '../support/adapterTesting';
import { sandboxPool } from '../support/sandboxPool';
import { rawRequest } from '../sandbox/sandboxGraphClient';

/**
 * The first twin query of requests in flight together is one `IN [...]` query, split back per
 * subject: each request gets what it would get alone, with fewer queries.
 */

const tenant = loadTenant();
const alex = subjectFor('alex.wilber@contoso.test');
const megan = subjectFor('megan.bowen@contoso.test');
const diego = subjectFor('diego.siciliani@contoso.test');
const nobody: Subject = { ...alex, aadObjectId: 'e2000000-0000-4000-8000-0000000000ff' };

const sandboxes = sandboxPool('digitaltwins-coalescing', (dataDir, seed?: DigitalTwinsSeed) =>
  createDigitalTwinsSandbox({ tenant, dataDir, port: 0, seed }));
afterAll(() => sandboxes.closeAll());

function adapterFor(sandbox: DigitalTwinsSandbox, link?: DigitalTwinsLink): DigitalTwinsAdapter {
  return new DigitalTwinsAdapter({ endpoint: sandbox.url, credential: new SandboxCredential(), pseudonymKey: 'test-pseudonym-key', policy: FAST_POLICY, link });
}

async function queries(sandbox: DigitalTwinsSandbox): Promise<number> {
  return ((await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body as { requests: Record<string, number> }).requests['POST /query'] ?? 0;
}

/** What `work` returns and how many queries it sent. */
async function counted<T>(sandbox: DigitalTwinsSandbox, work: () => Promise<T>): Promise<{ result: T; queries: number }> {
  await rawRequest(sandbox, 'POST', '/_sandbox/stats/reset');
  const result = await work();
  return { result, queries: await queries(sandbox) };
}

function twin(id: string, ownerId: string): TwinSeed {
  return { $dtId: id, $metadata: { $model: 'dtmi:test:Thing;1' }, ownerId };
}

describe('DigitalTwinsAdapter sharing the twin queries of requests in flight', () => {
  it('discovers several subjects started together with one twin query and one relationship query between them, each with only their own', async () => {
    const sandbox = await sandboxes.start();
    const adapter = adapterFor(sandbox);
    const subjects = [alex, megan, diego, nobody];
    const alone = [];
    let aloneQueries = 0;
    for (const subject of subjects) {
      const { result, queries: sent } = await counted(sandbox, () => adapter.discover(subject, callContext('access')));
      alone.push(result);
      aloneQueries += sent;
    }

    const together = await counted(sandbox, () => Promise.all(subjects.map((subject) => adapter.discover(subject, callContext('access')))));

    expect(together.result).toEqual(alone);
    expect(together.result[0].plan!.filter((item) => item.type === 'twin').map((item) => item.id).sort()).toEqual(['badge-0451', 'desk-dublin-3-114', 'thermostat-3-114']);
    expect(together.result[3]).toEqual({ count: 0, plan: [], items: [] });
    // Alone: a twin query each, and a relationship query each for the three with twins. Together:
    // one of each, split back per subject.
    expect(aloneQueries).toBe(7);
    expect(together.queries).toBe(2);
    await sandboxes.close(sandbox);
  });

  it('shares the person twins too where a relationship is the link, and exports each subject\'s own twins', async () => {
    const sandbox = await sandboxes.start();
    const adapter = adapterFor(sandbox, { relationship: 'assignedTo' });
    const alone = [await adapter.discover(alex, callContext('access')), await adapter.discover(megan, callContext('access'))];
    const aloneFiles = [await collectFiles(adapter.export(alex, callContext('export'))), await collectFiles(adapter.export(megan, callContext('export')))];

    const together = await Promise.all([adapter.discover(alex, callContext('access')), adapter.discover(megan, callContext('access'))]);
    const togetherFiles = await Promise.all([collectFiles(adapter.export(alex, callContext('export'))), collectFiles(adapter.export(megan, callContext('export')))]);

    expect(together).toEqual(alone);
    expect(togetherFiles).toEqual(aloneFiles);
    expect(together[0].plan).toContainEqual({ type: 'twin', id: alex.aadObjectId, reason: 'personTwin' });
    expect(together[0].plan).toContainEqual({ type: 'twin', id: 'locker-dublin-17', reason: 'relationship:assignedTo' });
    expect(together[1].plan).not.toContainEqual(expect.objectContaining({ id: alex.aadObjectId }));
    await sandboxes.close(sandbox);
  });

  it('exports subjects started together with one query of each kind between them, each file as the subject\'s own export gives it', async () => {
    const sandbox = await sandboxes.start();
    const adapter = adapterFor(sandbox, { relationship: 'assignedTo' });
    const subjects = [alex, megan, diego, nobody];
    const alone = [];
    let aloneQueries = 0;
    for (const subject of subjects) {
      const { result, queries: sent } = await counted(sandbox, () => collectFiles(adapter.export(subject, callContext('export'))));
      alone.push(result);
      aloneQueries += sent;
    }

    const together = await counted(sandbox, () => Promise.all(subjects.map((subject) => collectFiles(adapter.export(subject, callContext('export'))))));

    expect(together.result).toEqual(alone);
    expect((alone[0]['twins.json'] as { $dtId: string }[]).map((exported) => exported.$dtId)).toContain('desk-dublin-3-114');
    expect(alone[3]).toEqual({});
    // Alone, up to 12 queries an export: the twins twice over (by link property or person twin, and
    // by relationship) for twins.json and again (ids only) for each direction of relationships.json,
    // and per direction the relationships and who owns the twins at their far ends. Together, the
    // three with twins ask for each at about the same time, and each goes out with all their ids
    // (16 queries on this machine; which asks meet depends on when the answers come).
    expect(aloneQueries).toBe(42);
    expect(together.queries).toBeLessThanOrEqual(aloneQueries / 2);
    await sandboxes.close(sandbox);
  });

  it('leaves a subject whose twins span pages to page alone, beside a small one, and both get all their twins', async () => {
    const large = Array.from({ length: 1200 }, (_, i) => twin(`large-${i}`, 'owner-large'));
    const small = [twin('small-0', 'owner-small'), twin('small-1', 'owner-small')];
    const sandbox = await sandboxes.start({ twins: [...large, ...small], relationships: [] });
    const adapter = adapterFor(sandbox);
    const largeSubject = { ...alex, aadObjectId: 'owner-large' };
    const smallSubject = { ...megan, aadObjectId: 'owner-small' };
    const alone = [
      await counted(sandbox, () => adapter.discover(largeSubject, callContext('access'))),
      await counted(sandbox, () => adapter.discover(smallSubject, callContext('access'))),
    ];

    const together = await counted(sandbox, () => Promise.all([adapter.discover(largeSubject, callContext('access')), adapter.discover(smallSubject, callContext('access'))]));

    expect(together.result).toEqual(alone.map((each) => each.result));
    expect(together.result[0].count).toBe(1200);
    // The shared query's first page could not tell whose the rest is: one query more than alone.
    expect(together.queries).toBe(alone[0].queries + alone[1].queries + 1);

    const [largeFiles, smallFiles] = await Promise.all([
      collectFiles(adapter.export(largeSubject, callContext('export'))), collectFiles(adapter.export(smallSubject, callContext('export'))),
    ]);
    expect((largeFiles['twins.json'] as { $dtId: string }[]).map((exported) => exported.$dtId).sort()).toEqual(large.map((seeded) => seeded.$dtId).sort());
    expect((smallFiles['twins.json'] as { $dtId: string }[]).map((exported) => exported.$dtId).sort()).toEqual(['small-0', 'small-1']);
    await sandboxes.close(sandbox);
  });

  it('asks alone again for the ids a shared relationship query could not serve, and each subject gets all of theirs', async () => {
    const spokes = Array.from({ length: 1100 }, (_, i) => twin(`spoke-${i}`, 'someone-else'));
    const sandbox = await sandboxes.start({
      twins: [twin('hub', 'owner-busy'), twin('small-0', 'owner-small'), twin('floor', 'no-one'), ...spokes],
      relationships: [
        ...spokes.map((spoke) => ({ $relationshipId: `${spoke.$dtId}-to-hub`, $sourceId: spoke.$dtId, $targetId: 'hub', $relationshipName: 'near' })),
        { $relationshipId: 'small-0-on-floor', $sourceId: 'small-0', $targetId: 'floor', $relationshipName: 'on' },
      ],
    });
    const adapter = adapterFor(sandbox);
    const busy = { ...alex, aadObjectId: 'owner-busy' };
    const small = { ...megan, aadObjectId: 'owner-small' };
    const alone = [await adapter.discover(busy, callContext('access')), await adapter.discover(small, callContext('access'))];

    const together = await counted(sandbox, () => Promise.all([adapter.discover(busy, callContext('access')), adapter.discover(small, callContext('access'))]));

    expect(together.result).toEqual(alone);
    expect(together.result[0].items).toEqual([{ code: 'digitalTwins.twins', count: 1 }, { code: 'digitalTwins.relationships', count: 1100 }]);
    expect(together.result[1].plan).toEqual([
      { type: 'twin', id: 'small-0', reason: 'property:ownerId' },
      { type: 'relationship', id: 'small-0/small-0-on-floor', reason: 'outgoing' },
    ]);
    // One twin query; the shared relationship query's first page; then each subject's own, the busy
    // one's in two pages.
    expect(together.queries).toBe(1 + 1 + 2 + 1);
    await sandboxes.close(sandbox);
  });
});
