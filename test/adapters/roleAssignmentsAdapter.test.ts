import { performance } from 'node:perf_hooks';
import { RoleAssignmentsAdapter, type RoleAssignmentsAdapterOptions } from '../../src/adapters/roleAssignments/roleAssignmentsAdapter';
import type { ItemOutcome, PlanItem, Subject } from '../../src/dsr';
import { createArmSandbox, type ArmSandbox } from '../../src/sandbox/arm';
import { SandboxCredential } from '../../src/sandbox/sandboxCredential';
import { loadTenant } from '../../src/sandbox/tenant';
import { FAST_POLICY, callContext, collectFiles, expectNoPersonalValues, serviceFailure, subjectFor } from '../support/adapterTesting';
import { sandboxPool } from '../support/sandboxPool';
import { rawRequest } from '../sandbox/sandboxGraphClient';

const tenant = loadTenant();
const { subscriptionId, resourceGroup, resources, botPrincipalId, roleAssignmentScopes } = tenant.azure;
const V = 'api-version=2022-04-01';
const BEARER = { Authorization: 'Bearer dsr-sandbox-token' };
const SUB = `/subscriptions/${subscriptionId}`;
const RG = `${SUB}/resourceGroups/${resourceGroup}`;
const ASSIGNMENTS = '/providers/Microsoft.Authorization/roleAssignments';
const RESOURCE_SCOPES = [resources.digitalTwins, resources.iotHub, resources.dps, resources.iotCentral];

const alex = subjectFor('alex.wilber@contoso.test');
const megan = subjectFor('megan.bowen@contoso.test');
const bot: Subject = { aadObjectId: botPrincipalId, upn: 'dsr-bot', email: 'dsr-bot', displayName: 'DSR Bot' };

const sandboxes = sandboxPool('role-assignments-adapter', (dataDir) => createArmSandbox({ tenant, dataDir, port: 0 }));
afterAll(() => sandboxes.closeAll());

function adapterFor(sandbox: ArmSandbox, options: Partial<RoleAssignmentsAdapterOptions> = {}): RoleAssignmentsAdapter {
  return new RoleAssignmentsAdapter({
    endpoint: sandbox.url,
    credential: new SandboxCredential(),
    subscriptionId,
    scopes: roleAssignmentScopes,
    botPrincipalId,
    policy: FAST_POLICY,
    ...options,
  });
}

interface Assignment { id: string; properties: { scope: string; principalId: string; roleDefinitionId: string; principalType: string } }

/** A principal's assignments as the sandbox holds them now, across pages. */
async function assignmentsOf(sandbox: ArmSandbox, principalId: string): Promise<Assignment[]> {
  const found: Assignment[] = [];
  let next: string | undefined = `${SUB}${ASSIGNMENTS}?${V}&$filter=${encodeURIComponent(`principalId eq '${principalId}'`)}`;
  while (next) {
    const page = (await rawRequest(sandbox, 'GET', next, { headers: BEARER })).body as { value: Assignment[]; nextLink?: string };
    found.push(...page.value);
    next = page.nextLink;
  }
  return found;
}

async function stats(sandbox: ArmSandbox): Promise<{ requests: Record<string, number>; faultsServed: number }> {
  return (await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body as { requests: Record<string, number>; faultsServed: number };
}

/** Requests whose route ends with `suffix`, over every scope level. */
function requestsTo(counts: Record<string, number>, method: string, suffix: string): number {
  return Object.entries(counts).filter(([route]) => route.startsWith(`${method} `) && route.endsWith(suffix)).reduce((sum, [, n]) => sum + n, 0);
}

const ids = (items: readonly { id: string }[]) => items.map((item) => item.id).sort();

describe('RoleAssignmentsAdapter through @azure/arm-authorization', () => {
  it("discovers the subject's assignments at every configured scope, following nextLink pages, each once", async () => {
    const sandbox = await sandboxes.start();
    const expected = (await assignmentsOf(sandbox, alex.aadObjectId)).map((a) => a.id);
    expect(expected).toHaveLength(6);
    await rawRequest(sandbox, 'POST', '/_sandbox/stats/reset');
    const found = await adapterFor(sandbox).discover(alex, callContext('erase'));
    expect(ids(found.plan!)).toEqual(expected.sort());
    expect(found.count).toBe(6);
    expect(found.items).toEqual([{ code: 'roleAssignments.found', count: 6 }]);
    expect(found.plan!.find((item) => item.id.startsWith(resources.iotHub))).toMatchObject({ type: 'roleAssignment', reason: 'scope:Microsoft.Devices/IotHubs' });
    expect(found.plan!.find((item) => item.id.startsWith(`${SUB}${ASSIGNMENTS}`))?.reason).toBe('scope:subscription');
    // The subscription covers the other five scopes: one list, whose six assignments span three pages of two.
    const lists = (await stats(sandbox)).requests;
    expect(requestsTo(lists, 'GET', '/roleAssignments')).toBe(3);
    expect(lists['GET /subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleAssignments']).toBe(3);
  });

  it('plans only what lies at or below the configured scopes: an inherited subscription role is not the bot\'s to remove', async () => {
    const sandbox = await sandboxes.start();
    const found = await adapterFor(sandbox, { scopes: RESOURCE_SCOPES }).discover(alex, callContext('erase'));
    expect(found.plan!.map((item) => item.reason).sort()).toEqual([
      'scope:Microsoft.DigitalTwins/digitalTwinsInstances', 'scope:Microsoft.Devices/IotHubs',
      'scope:Microsoft.Devices/provisioningServices', 'scope:Microsoft.IoTCentral/iotApps',
    ].sort());
    // Four resource scopes, none under another: each listed, each list (own, resource group's, subscription's) two pages.
    expect(requestsTo((await stats(sandbox)).requests, 'GET', '/roleAssignments')).toBe(8);
  });

  describe('with scopes narrower than the subscription: what the subject holds above them', () => {
    const aboveIds = [`${SUB}${ASSIGNMENTS}/9a000000-0000-4000-8000-000000000011`, `${RG}${ASSIGNMENTS}/9a000000-0000-4000-8000-000000000010`].sort();

    it('counts them on the card, plans none of them, and lists one manual step naming scopes and roles but no person', async () => {
      const sandbox = await sandboxes.start();
      const found = await adapterFor(sandbox, { scopes: RESOURCE_SCOPES }).discover(alex, callContext('erase'));
      expect(found.count).toBe(6);
      expect(found.items).toEqual([{ code: 'roleAssignments.found', count: 6 }, { code: 'roleAssignments.above', count: 2, manual: true }]);
      expect(found.plan!.filter((item) => aboveIds.includes(item.id))).toEqual([]);
      expect(found.manualSteps).toHaveLength(1);
      const [step] = found.manualSteps!;
      expect(step.key).toBe('roleAssignments.aboveScopes');
      expect(step.task).toEqual({ code: 'roleAssignments.aboveScopes', kind: 'erase', assignments: [{ scope: RG, roleName: 'Reader' }, { scope: SUB, roleName: 'Reader' }] });
      expectNoPersonalValues(JSON.stringify(step), alex);
      for (const id of aboveIds) expect(JSON.stringify(step)).not.toContain(id);
      // An export removes nothing: the same assignments are counted, with no step.
      const forExport = await adapterFor(sandbox, { scopes: RESOURCE_SCOPES }).discover(alex, callContext('export'));
      expect(forExport.items).toEqual([{ code: 'roleAssignments.found', count: 6 }, { code: 'roleAssignments.above', count: 2, manual: false }]);
      expect(forExport.manualSteps).toBeUndefined();
    });

    it('exports them with role names, marked inheritedFromAbove, beside the ones the bot may change', async () => {
      const sandbox = await sandboxes.start();
      const files = await collectFiles(adapterFor(sandbox, { scopes: RESOURCE_SCOPES }).export(alex, callContext('export')));
      const assignments = files['assignments.json'] as { id: string; scope: string; roleName: string; inheritedFromAbove: boolean }[];
      expect(assignments).toHaveLength(6);
      expect(ids(assignments.filter((a) => a.inheritedFromAbove))).toEqual(aboveIds);
      expect(assignments.filter((a) => a.inheritedFromAbove).map((a) => [a.scope, a.roleName]).sort()).toEqual([[SUB, 'Reader'], [RG, 'Reader']]);
      expect(assignments.filter((a) => !a.inheritedFromAbove).map((a) => a.scope).sort()).toEqual([...RESOURCE_SCOPES].sort());
    });

    it('erases and restricts only the ones within the scopes, even when a forged plan names those above', async () => {
      const sandbox = await sandboxes.start();
      const adapter = adapterFor(sandbox, { scopes: RESOURCE_SCOPES });
      const plan = (await adapter.discover(alex, callContext('erase'))).plan!;
      const forged: PlanItem[] = [...plan, ...aboveIds.map((id) => ({ type: 'roleAssignment', id, reason: 'scope:subscription' }))];
      const report = await adapter.erase(alex, callContext('erase', forged));
      expect(report.count).toBe(4);
      expect(report.items!.filter((item) => aboveIds.includes(item.id)).map((item) => item.result)).toEqual(['kept', 'kept']);
      expect(report.delta).toEqual([]);
      expect((await adapter.restrict(alex, callContext('restrict'))).count).toBe(0);
      expect(ids(await assignmentsOf(sandbox, alex.aadObjectId))).toEqual(aboveIds);
    });
  });

  it('exports assignments.json with each role name resolved once per role', async () => {
    const sandbox = await sandboxes.start();
    const files = await collectFiles(adapterFor(sandbox).export(alex, callContext('export')));
    const assignments = files['assignments.json'] as { scope: string; roleName: string; principalType: string; createdOn: string; condition: unknown }[];
    expect(assignments).toHaveLength(6);
    expect(assignments.find((a) => a.scope === resources.iotHub)).toMatchObject({ roleName: 'IoT Hub Data Contributor', principalType: 'User', condition: null });
    expect(assignments.find((a) => a.scope === resources.digitalTwins)?.roleName).toBe('Azure Digital Twins Data Owner');
    expect(assignments.every((a) => typeof a.createdOn === 'string')).toBe(true);
    const distinctRoles = new Set(assignments.map((a) => a.roleName)).size;
    expect(requestsTo((await stats(sandbox)).requests, 'GET', '/roleDefinitions/{roleDefinitionId}')).toBe(distinctRoles);
    expect(await collectFiles(adapterFor(sandbox).export(subjectFor('chen.wei@contoso.test'), callContext('export')))).toEqual({});
  });

  it('erases the planned assignments by id: one gone since discovery is alreadyGone, one added since is the delta and stays', async () => {
    const sandbox = await sandboxes.start();
    const adapter = adapterFor(sandbox);
    const plan = (await adapter.discover(alex, callContext('erase'))).plan!;
    const goneMeanwhile = plan[0].id;
    expect((await rawRequest(sandbox, 'DELETE', `${goneMeanwhile}?${V}`, { headers: BEARER })).status).toBe(200);
    const addedId = `${resources.iotCentral}${ASSIGNMENTS}/4d2c1b0a-0000-4000-8000-00000000a11e`;
    const roleDefinitionId = `${SUB}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`;
    expect((await rawRequest(sandbox, 'PUT', `${addedId}?${V}`, { headers: BEARER, body: { properties: { roleDefinitionId, principalId: alex.aadObjectId } } })).status).toBe(201);

    const report = await adapter.erase(alex, callContext('erase', plan));
    expect(report.items!.find((item) => item.id === goneMeanwhile)?.result).toBe('alreadyGone');
    expect(report.items!.filter((item) => item.result === 'removed')).toHaveLength(5);
    expect(report.count).toBe(5);
    expect(report.delta).toEqual([{ type: 'roleAssignment', id: addedId, reason: 'scope:Microsoft.IoTCentral/iotApps' }]);
    expect(ids(await assignmentsOf(sandbox, alex.aadObjectId))).toEqual([addedId]);
    // Everyone else's are where they were.
    expect(await assignmentsOf(sandbox, megan.aadObjectId)).toHaveLength(3);
  });

  it("never touches the bot's own assignments, nor another person's, even when a forged plan names them", async () => {
    const sandbox = await sandboxes.start();
    const adapter = adapterFor(sandbox);
    expect((await adapter.discover(bot, callContext('erase'))).count).toBe(0);
    expect(await collectFiles(adapter.export(bot, callContext('export')))).toEqual({});
    const botOwn = await assignmentsOf(sandbox, botPrincipalId);
    const megans = await assignmentsOf(sandbox, megan.aadObjectId);
    const forged: PlanItem[] = [...botOwn, megans[0]].map((a) => ({ type: 'roleAssignment', id: a.id, reason: 'scope:resourceGroup' }));

    const asAlex = await adapter.erase(alex, callContext('erase', forged));
    expect(asAlex.items!.map((item) => item.result)).toEqual(['kept', 'kept', 'kept']);
    const asBot = await adapter.restrict(bot, callContext('restrict', forged.slice(0, 2)));
    expect(asBot.items!.map((item) => item.result)).toEqual(['kept', 'kept']);
    expect(ids(await assignmentsOf(sandbox, botPrincipalId))).toEqual(ids(botOwn));
    expect(await assignmentsOf(sandbox, megan.aadObjectId)).toHaveLength(3);
    expect(requestsTo((await stats(sandbox)).requests, 'DELETE', '/roleAssignments/{roleAssignmentName}')).toBe(0);
  });

  it('waits the Retry-After of a 429 once, through the call policy only (the SDK does not retry it as well)', async () => {
    const sandbox = await sandboxes.start();
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 429, retryAfterSeconds: 1, count: 1, method: 'GET', pathPrefix: resources.iotHub } });
    const started = performance.now();
    const found = await adapterFor(sandbox, { scopes: [resources.iotHub], policy: { ...FAST_POLICY, maxDelayMs: 5_000 } }).discover(megan, callContext('erase'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(found.plan).toHaveLength(1);
    const after = await stats(sandbox);
    expect(after.faultsServed).toBe(1);
    // One refused try and one retry of the first page: two calls, not the SDK's retries on top.
    expect(requestsTo(after.requests, 'GET', '/roleAssignments')).toBe(2);
  });

  it('survives a connection dropped without an answer, asking again through the call policy', async () => {
    const sandbox = await sandboxes.start();
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { drop: true, count: 1, method: 'GET', pathPrefix: resources.iotHub } });
    const found = await adapterFor(sandbox, { scopes: [resources.iotHub] }).discover(megan, callContext('erase'));
    expect(found.plan).toHaveLength(1);
    const after = await stats(sandbox);
    expect(after.faultsServed).toBe(1);
    expect(requestsTo(after.requests, 'GET', '/roleAssignments')).toBe(2);
  });

  it('reports a delete that keeps failing as a ServiceError naming the service and no person, and leaves the assignment', async () => {
    const sandbox = await sandboxes.start();
    const adapter = adapterFor(sandbox, { policy: { ...FAST_POLICY, maxRetries: 1 } });
    const plan = (await adapter.discover(megan, callContext('erase'))).plan!;
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 500, count: -1, method: 'DELETE' } });
    const error = await serviceFailure(adapter.erase(megan, callContext('erase', plan)));
    expect(error.service).toBe('roleAssignments');
    expect(error.statusCode).toBe(500);
    expect(error.message).toMatch(/^roleAssignments: delete a role assignment answered 500/);
    expect(error.message).toContain('after 2 tries');
    expectNoPersonalValues(error.message, megan);
    for (const item of plan) expect(error.message).not.toContain(item.id);
    expect(await assignmentsOf(sandbox, megan.aadObjectId)).toHaveLength(3);
  });

  it('restricts by deleting with what putting back needs, and liftRestriction creates each again under its own id', async () => {
    const sandbox = await sandboxes.start();
    const adapter = adapterFor(sandbox);
    const before = await assignmentsOf(sandbox, megan.aadObjectId);
    const plan = (await adapter.discover(megan, callContext('restrict'))).plan!;
    const restricted = await adapter.restrict(megan, callContext('restrict', plan));
    expect(restricted.items!.map((item) => item.result)).toEqual(['removed', 'removed', 'removed']);
    const onHub = restricted.items!.find((item) => item.id.startsWith(resources.iotHub))!;
    expect(onHub.putBack).toEqual({
      roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/b447c946-2db7-41ec-983d-d8bf3b1c77e3`,
      principalType: 'User',
      scope: resources.iotHub,
    });
    expect(await assignmentsOf(sandbox, megan.aadObjectId)).toEqual([]);

    const lifted = await adapter.liftRestriction(megan, restricted.items!, callContext('restrict'));
    expect(lifted.items!.map((item) => item.result)).toEqual(['changed', 'changed', 'changed']);
    const after = await assignmentsOf(sandbox, megan.aadObjectId);
    const shape = (list: Assignment[]) => list.map((a) => [a.id, a.properties.roleDefinitionId, a.properties.principalType, a.properties.scope]).sort();
    expect(shape(after)).toEqual(shape(before));
    // Lifting again finds them there: nothing changes.
    expect((await adapter.liftRestriction(megan, restricted.items!, callContext('restrict'))).items!.map((item) => item.result)).toEqual(['kept', 'kept', 'kept']);
  });

  it('will not put back an assignment under a forged scope or for the bot', async () => {
    const sandbox = await sandboxes.start();
    const adapter = adapterFor(sandbox);
    const roleDefinitionId = `${SUB}/providers/Microsoft.Authorization/roleDefinitions/f58310d9-a9f6-439a-9e8d-f62e7b41a168`;
    const forged: ItemOutcome[] = [
      { type: 'roleAssignment', id: `${SUB}${ASSIGNMENTS}/1f2c1b0a-0000-4000-8000-00000000f0f0`, result: 'removed', putBack: { roleDefinitionId, principalType: 'User', scope: resources.iotHub } },
    ];
    expect((await adapter.liftRestriction(megan, forged, callContext('restrict'))).items!.map((item) => item.result)).toEqual(['kept']);
    const forBot = [{ ...forged[0], id: `${RG}${ASSIGNMENTS}/1f2c1b0a-0000-4000-8000-00000000f0f1`, putBack: { roleDefinitionId, principalType: 'ServicePrincipal', scope: RG } }];
    expect((await adapter.liftRestriction(bot, forBot, callContext('restrict'))).items!.map((item) => item.result)).toEqual(['kept']);
    expect(requestsTo((await stats(sandbox)).requests, 'PUT', '/roleAssignments/{roleAssignmentName}')).toBe(0);
  });
});
