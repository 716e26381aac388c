import { EntraAdapter } from '../../src/adapters/entra';
import type { PlanItem } from '../../src/dsr/types';
import { createGraphSandbox, type GraphSandbox } from '../../src/sandbox/graph';
import { loadTenant } from '../../src/sandbox/tenant';
import { callContext, injectedSubject, subjectFor } from '../support/adapterTesting';
import { sandboxPool } from '../support/sandboxPool';
import { createSandboxGraphClient, rawRequest } from '../sandbox/sandboxGraphClient';

const tenant = loadTenant();
const BEARER = { Authorization: 'Bearer dsr-sandbox-token' };

const alex = subjectFor('alex.wilber@contoso.test');
const megan = subjectFor('megan.bowen@contoso.test');

const sandboxes = sandboxPool('entra-adapter', (dataDir) => createGraphSandbox({ tenant, dataDir, port: 0 }));
afterAll(() => sandboxes.closeAll());

/** The ids of every user the sandbox directory holds, across its pages. */
async function userIds(sandbox: GraphSandbox): Promise<string[]> {
  const ids: string[] = [];
  let next: string | undefined = '/v1.0/users?$select=id';
  while (next) {
    const page = (await rawRequest(sandbox, 'GET', next, { headers: BEARER })).body as { value: { id: string }[]; '@odata.nextLink'?: string };
    ids.push(...page.value.map((user) => user.id));
    next = page['@odata.nextLink'];
  }
  return ids;
}

async function userFields(sandbox: GraphSandbox, objectId: string, select: string): Promise<Record<string, unknown>> {
  const response = await rawRequest(sandbox, 'GET', `/v1.0/users/${objectId}?$select=${select}`, { headers: BEARER });
  expect(response.status).toBe(200);
  return response.body as Record<string, unknown>;
}

async function requestCounts(sandbox: GraphSandbox): Promise<Record<string, number>> {
  return ((await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body as { requests: Record<string, number> }).requests;
}

describe('Entra adapter carrying out an approved plan, against the sandbox Graph', () => {
  let sandbox: GraphSandbox;
  let adapter: EntraAdapter;
  let plan: PlanItem[];

  beforeEach(async () => {
    sandbox = await sandboxes.start();
    adapter = new EntraAdapter(createSandboxGraphClient(sandbox), { purgeGraceDays: 14 });
    plan = (await adapter.discover(alex)).plan!;
  });

  afterEach(() => sandboxes.close(sandbox));

  it('plans the subject\'s own account by its object id, and nothing for a person with no account', async () => {
    expect(plan).toEqual([{ type: 'user', id: alex.aadObjectId, reason: 'account' }]);
    expect(await adapter.discover(injectedSubject)).toEqual({ count: 0, plan: [], items: [] });
  });

  it('soft-deletes exactly the planned account, with no delta', async () => {
    const before = await userIds(sandbox);
    const report = await adapter.erase(alex, callContext('erase', plan));
    expect(report).toEqual({
      summary: 'account soft-deleted (restorable for 14 days, until the purge)',
      count: 1,
      items: [{ type: 'user', id: alex.aadObjectId, result: 'removed' }],
      delta: [],
      awaitsPurge: true,
    });
    expect(await userIds(sandbox)).toEqual(before.filter((id) => id !== alex.aadObjectId));
    expect((await rawRequest(sandbox, 'GET', `/v1.0/directory/deletedItems/${alex.aadObjectId}`, { headers: BEARER })).status).toBe(200);
  });

  it('reports a planned account deleted before execution as alreadyGone, for erase, restrict and rectify alike', async () => {
    expect((await rawRequest(sandbox, 'DELETE', `/v1.0/users/${alex.aadObjectId}`, { headers: BEARER })).status).toBe(204);
    const gone = [{ type: 'user', id: alex.aadObjectId, result: 'alreadyGone' }];
    const erased = await adapter.erase(alex, callContext('erase', plan));
    expect(erased).toMatchObject({ count: 0, items: gone, delta: [], awaitsPurge: true });
    expect(await adapter.restrict(alex, callContext('restrict', plan))).toMatchObject({ count: 0, items: gone, delta: [] });
    expect(await adapter.rectify(alex, { jobTitle: 'Engineer' }, callContext('rectify', plan))).toMatchObject({ count: 0, items: gone, delta: [] });
  });

  it('blocks sign-in and revokes the sign-in sessions of the planned account only', async () => {
    const report = await adapter.restrict(alex, callContext('restrict', plan));
    expect(report).toEqual({ summary: 'sign-in blocked and sign-in sessions revoked', count: 1, items: [{ type: 'user', id: alex.aadObjectId, result: 'changed' }], delta: [] });
    expect(await userFields(sandbox, alex.aadObjectId, 'accountEnabled,signInSessionsValidFromDateTime')).toMatchObject({ accountEnabled: false, signInSessionsValidFromDateTime: expect.stringMatching(/^\d{4}-/) });
    expect(await userFields(sandbox, megan.aadObjectId, 'accountEnabled,signInSessionsValidFromDateTime')).toMatchObject({ accountEnabled: true, signInSessionsValidFromDateTime: null });
  });

  it('lifts a restriction by letting the account sign in again, its sessions staying revoked', async () => {
    const restricted = (await adapter.restrict(alex, callContext('restrict', plan))).items!;
    const revokedAt = (await userFields(sandbox, alex.aadObjectId, 'signInSessionsValidFromDateTime')).signInSessionsValidFromDateTime;

    const report = await adapter.liftRestriction(alex, restricted);

    expect(report).toEqual({ summary: 'sign-in allowed again (earlier sessions stay revoked)', count: 1, items: [{ type: 'user', id: alex.aadObjectId, result: 'changed' }], delta: [] });
    expect(await userFields(sandbox, alex.aadObjectId, 'accountEnabled,signInSessionsValidFromDateTime')).toMatchObject({ accountEnabled: true, signInSessionsValidFromDateTime: revokedAt });
    expect(await userFields(sandbox, megan.aadObjectId, 'accountEnabled')).toMatchObject({ accountEnabled: true });
  });

  it('restores a soft-deleted account, and fails with 404 once it is purged', async () => {
    await adapter.erase(alex, callContext('erase', plan));

    expect(await adapter.restore(alex)).toEqual({ summary: 'account restored from deleted items', count: 1 });
    expect(await userFields(sandbox, alex.aadObjectId, 'id')).toMatchObject({ id: alex.aadObjectId });

    await adapter.erase(alex, callContext('erase', plan));
    await adapter.purge(alex);
    await expect(adapter.restore(alex)).rejects.toMatchObject({ name: 'ServiceError', service: 'entra', statusCode: 404 });
  });

  it('corrects the planned account, counting the account once; with no correctable field it keeps it', async () => {
    const report = await adapter.rectify(alex, { jobTitle: 'Staff Engineer', department: 'Research' }, callContext('rectify', plan));
    expect(report).toEqual({ summary: 'corrected jobTitle, department', count: 1, items: [{ type: 'user', id: alex.aadObjectId, result: 'changed' }], delta: [] });
    expect(await userFields(sandbox, alex.aadObjectId, 'jobTitle,department')).toMatchObject({ jobTitle: 'Staff Engineer', department: 'Research' });

    const none = await adapter.rectify(alex, { mail: 'x@example.test' }, callContext('rectify', plan));
    expect(none).toEqual({ summary: 'no profile field to correct', count: 0, items: [{ type: 'user', id: alex.aadObjectId, result: 'kept' }], delta: [] });
  });

  it('does nothing and reports nothing on an empty plan', async () => {
    await rawRequest(sandbox, 'POST', '/_sandbox/stats/reset');
    for (const report of [
      await adapter.erase(alex, callContext('erase', [])),
      await adapter.restrict(alex, callContext('restrict', [])),
      await adapter.rectify(alex, { jobTitle: 'Engineer' }, callContext('rectify', [])),
    ]) {
      expect(report).toEqual({ summary: 'no account in the plan', count: 0, items: [], delta: [] });
    }
    expect(await requestCounts(sandbox)).toEqual({});
    expect(await userFields(sandbox, alex.aadObjectId, 'accountEnabled')).toMatchObject({ accountEnabled: true });
  });

  it('without a plan (a request discovered before plans) erases the subject as before, reporting no items', async () => {
    const report = await adapter.erase(alex, callContext('erase'));
    expect(report).toEqual({ summary: 'account soft-deleted (restorable for 14 days, until the purge)', count: 1, awaitsPurge: true });
    expect(await adapter.erase(alex, callContext('erase'))).toEqual({ summary: 'account already deleted', count: 1, awaitsPurge: true });
  });
});
