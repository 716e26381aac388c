import { GraphBatchReads } from '../../src/adapters/calls/graphBatch';
import { EntraAdapter } from '../../src/adapters/entra/entraAdapter';
import { statusCodeOf } from '../../src/dsr';
import { createGraphSandbox, type GraphSandbox } from '../../src/sandbox/graph';
import { loadTenant } from '../../src/sandbox/tenant';
import { collectFiles, injectedSubject, serviceFailure, subjectFor } from '../support/adapterTesting';
import { sandboxPool } from '../support/sandboxPool';
import { createSandboxGraphClient, rawRequest } from '../sandbox/sandboxGraphClient';

const tenant = loadTenant();
const OPTIONS = { signInActivity: true, purgeGraceDays: 14 };

const alex = subjectFor('alex.wilber@contoso.test');
const megan = subjectFor('megan.bowen@contoso.test');

const sandboxes = sandboxPool('entra-batching', (dataDir) => createGraphSandbox({ tenant, dataDir, port: 0 }));
afterAll(() => sandboxes.closeAll());

/** Requests by route, inner requests of batches included, and the batches (`POST /v1.0/$batch`). */
async function requestCounts(sandbox: GraphSandbox): Promise<Record<string, number>> {
  const { requests, batches } = (await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body as { requests: Record<string, number>; batches?: Record<string, number> };
  return { ...requests, ...batches };
}

const resetStats = (sandbox: GraphSandbox) => rawRequest(sandbox, 'POST', '/_sandbox/stats/reset');
const addFault = (sandbox: GraphSandbox, rule: Record<string, unknown>) => rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: rule });
const profileUrl = (objectId: string) => `/users/${objectId}?$select=id,displayName`;

describe('Entra reads of requests in flight shared in Graph $batch requests, against the sandbox Graph', () => {
  let sandbox: GraphSandbox;

  beforeEach(async () => {
    sandbox = await sandboxes.start();
  });

  afterEach(() => sandboxes.close(sandbox));

  it('discoveries started together send their reads in shared batches, and each gets only its own record', async () => {
    const adapter = new EntraAdapter(createSandboxGraphClient(sandbox), OPTIONS);
    await resetStats(sandbox);
    const alone = { alex: await adapter.discover(alex), megan: await adapter.discover(megan) };
    // Alone, a discovery reads the profile and the record's seven parts together: one batch each.
    expect(await requestCounts(sandbox)).toMatchObject({ 'POST /v1.0/$batch': 2, 'GET /v1.0/users/{id}': 2 * 2 });
    await resetStats(sandbox);

    const [forAlex, forMegan, forNobody] = await Promise.all([adapter.discover(alex), adapter.discover(megan), adapter.discover(injectedSubject)]);

    expect(forAlex).toEqual(alone.alex);
    expect(forMegan).toEqual(alone.megan);
    expect(forAlex.plan).toEqual([{ type: 'user', id: alex.aadObjectId, reason: 'account' }]);
    // The one nobody's profile read answers 404 inside the batch: no account, and the others are untouched by it.
    expect(forNobody).toEqual({ count: 0, plan: [], items: [] });
    const counts = await requestCounts(sandbox);
    // The three profiles and the three records' seven reads each (24 reads) in batches of 20 and 4;
    // nobody's record was read with their profile and is dropped.
    expect(counts['POST /v1.0/$batch']).toBe(2);
    expect(counts['GET /v1.0/users/{id}']).toBe(3 + 3);
    expect(counts['GET /v1.0/users/{id}/transitiveMemberOf']).toBe(3);
  });

  it('exports side by side, each package with its own subject\'s files only', async () => {
    const adapter = new EntraAdapter(createSandboxGraphClient(sandbox), OPTIONS);
    await resetStats(sandbox);
    const alone = await collectFiles(adapter.export(megan));
    // The profile and the first page of the record's eight parts, in one batch.
    expect(await requestCounts(sandbox)).toMatchObject({ 'POST /v1.0/$batch': 1, 'GET /v1.0/users/{id}': 3, 'GET /v1.0/users/{id}/manager': 1 });

    const [forAlex, forMegan] = await Promise.all([collectFiles(adapter.export(alex)), collectFiles(adapter.export(megan))]);

    expect(forMegan).toEqual(alone);
    expect((forAlex['profile.json'] as { id: string }).id).toBe(alex.aadObjectId);
    expect((forMegan['profile.json'] as { id: string }).id).toBe(megan.aadObjectId);
  });

  it('fails an export at the part that failed, after the files before it, though that part was read first', async () => {
    const adapter = new EntraAdapter(createSandboxGraphClient(sandbox), OPTIONS);
    await addFault(sandbox, { status: 403, count: -1, method: 'GET', pathPrefix: `/v1.0/users/${megan.aadObjectId}/authentication/emailMethods` });
    const written: string[] = [];
    const failure = await serviceFailure((async () => {
      for await (const file of adapter.export(megan)) written.push(file.path);
    })());
    expect(failure.statusCode).toBe(403);
    expect(written).toEqual(['profile.json', 'memberships.json', 'manager-and-reports.json']);
  });

  it('splits more than 20 reads over batches of at most 20', async () => {
    const reads = new GraphBatchReads(createSandboxGraphClient(sandbox), { windowMs: 5 });
    await resetStats(sandbox);

    const users = await Promise.all(Array.from({ length: 25 }, (_, i) => reads.get(profileUrl(i % 2 ? alex.aadObjectId : megan.aadObjectId))));

    expect(users.map((user) => (user as { id: string }).id)).toEqual(Array.from({ length: 25 }, (_, i) => (i % 2 ? alex.aadObjectId : megan.aadObjectId)));
    const counts = await requestCounts(sandbox);
    expect(counts['POST /v1.0/$batch']).toBe(2);
    expect(counts['GET /v1.0/users/{id}']).toBe(25);
  });

  it('sends an inner request answered 429 again, alone, after its Retry-After; its neighbours are answered once', async () => {
    const reads = new GraphBatchReads(createSandboxGraphClient(sandbox), { windowMs: 5 });
    await addFault(sandbox, { status: 429, count: 1, retryAfterSeconds: 0, method: 'GET', pathPrefix: `/v1.0/users/${megan.aadObjectId}` });
    await resetStats(sandbox);

    const [first, second] = await Promise.all([reads.get(profileUrl(alex.aadObjectId)), reads.get(profileUrl(megan.aadObjectId))]);

    expect(first).toMatchObject({ id: alex.aadObjectId });
    expect(second).toMatchObject({ id: megan.aadObjectId });
    const counts = await requestCounts(sandbox);
    expect(counts['POST /v1.0/$batch']).toBe(2);
    expect(counts['GET /v1.0/users/{id}']).toBe(3);
  });

  it('answers a read that stays throttled with its 429 after three more tries, and its neighbour with its user', async () => {
    const reads = new GraphBatchReads(createSandboxGraphClient(sandbox), { windowMs: 5 });
    await addFault(sandbox, { status: 429, count: -1, retryAfterSeconds: 0, method: 'GET', pathPrefix: `/v1.0/users/${megan.aadObjectId}` });
    await resetStats(sandbox);

    const [first, second] = await Promise.allSettled([reads.get(profileUrl(alex.aadObjectId)), reads.get(profileUrl(megan.aadObjectId))]);

    expect(first).toMatchObject({ status: 'fulfilled', value: { id: alex.aadObjectId } });
    expect(second.status).toBe('rejected');
    expect(statusCodeOf((second as PromiseRejectedResult).reason)).toBe(429);
    expect((await requestCounts(sandbox))['POST /v1.0/$batch']).toBe(4);
  });
});
