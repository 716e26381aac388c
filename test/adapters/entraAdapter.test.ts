import { EntraAdapter } from '../../src/adapters/entra/entraAdapter';
import type { PlanItem } from '../../src/dsr';
import { createGraphSandbox, type GraphSandbox } from '../../src/sandbox/graph';
import { loadTenant } from '../../src/sandbox/tenant';
import { callContext, collectFiles, injectedSubject, subjectFor } from '../support/adapterTesting';
import { freshDataDir } from '../support/dataDir';
import { sandboxPool } from '../support/sandboxPool';
import { createSandboxGraphClient, rawRequest } from '../sandbox/sandboxGraphClient';

const tenant = loadTenant();
const BEARER = { Authorization: 'Bearer dsr-sandbox-token' };
/** The adapter's settings as the bot's defaults give them. */
const OPTIONS = { signInActivity: true, purgeGraceDays: 14 };

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
    adapter = new EntraAdapter(createSandboxGraphClient(sandbox), OPTIONS);
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
      summary: { code: 'entra.softDeleted', graceDays: 14, alreadyGone: false, guest: false },
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
    expect(report).toEqual({ summary: { code: 'entra.restricted' }, count: 1, items: [{ type: 'user', id: alex.aadObjectId, result: 'changed' }], delta: [] });
    expect(await userFields(sandbox, alex.aadObjectId, 'accountEnabled,signInSessionsValidFromDateTime')).toMatchObject({ accountEnabled: false, signInSessionsValidFromDateTime: expect.stringMatching(/^\d{4}-/) });
    expect(await userFields(sandbox, megan.aadObjectId, 'accountEnabled,signInSessionsValidFromDateTime')).toMatchObject({ accountEnabled: true, signInSessionsValidFromDateTime: null });
  });

  it('lifts a restriction by letting the account sign in again, its sessions staying revoked', async () => {
    const restricted = (await adapter.restrict(alex, callContext('restrict', plan))).items!;
    const revokedAt = (await userFields(sandbox, alex.aadObjectId, 'signInSessionsValidFromDateTime')).signInSessionsValidFromDateTime;

    const report = await adapter.liftRestriction(alex, restricted);

    expect(report).toEqual({ summary: { code: 'entra.signInAllowed' }, count: 1, items: [{ type: 'user', id: alex.aadObjectId, result: 'changed' }], delta: [] });
    expect(await userFields(sandbox, alex.aadObjectId, 'accountEnabled,signInSessionsValidFromDateTime')).toMatchObject({ accountEnabled: true, signInSessionsValidFromDateTime: revokedAt });
    expect(await userFields(sandbox, megan.aadObjectId, 'accountEnabled')).toMatchObject({ accountEnabled: true });
  });

  it('restores a soft-deleted account, and fails with 404 once it is purged', async () => {
    await adapter.erase(alex, callContext('erase', plan));

    expect(await adapter.restore(alex)).toEqual({ summary: { code: 'entra.restored' }, count: 1 });
    expect(await userFields(sandbox, alex.aadObjectId, 'id')).toMatchObject({ id: alex.aadObjectId });

    await adapter.erase(alex, callContext('erase', plan));
    await adapter.purge(alex);
    await expect(adapter.restore(alex)).rejects.toMatchObject({ name: 'ServiceError', service: 'entra', statusCode: 404 });
  });

  it('corrects the planned account, counting the account once; with no correctable field it keeps it', async () => {
    const report = await adapter.rectify(alex, { jobTitle: 'Staff Engineer', department: 'Research' }, callContext('rectify', plan));
    expect(report).toEqual({ summary: { code: 'entra.corrected', fields: ['jobTitle', 'department'] }, count: 1, items: [{ type: 'user', id: alex.aadObjectId, result: 'changed' }], delta: [] });
    expect(await userFields(sandbox, alex.aadObjectId, 'jobTitle,department')).toMatchObject({ jobTitle: 'Staff Engineer', department: 'Research' });

    const none = await adapter.rectify(alex, { usageLocation: 'Ireland', accountEnabled: 'false' }, callContext('rectify', plan));
    expect(none).toEqual({ summary: { code: 'entra.noFieldToCorrect' }, count: 0, items: [{ type: 'user', id: alex.aadObjectId, result: 'kept' }], delta: [] });
  });

  it('writes every validated profile field, a business phone as Graph\'s one-number collection, and nothing that fails its check', async () => {
    const report = await adapter.rectify(alex, {
      usageLocation: 'us', businessPhones: '+1 206 555 0111', mail: 'alex.w@contoso.test', preferredLanguage: 'not a language',
    }, callContext('rectify', plan));

    expect(report.summary).toEqual({ code: 'entra.corrected', fields: ['usageLocation', 'businessPhones', 'mail'] });
    expect(await userFields(sandbox, alex.aadObjectId, 'usageLocation,businessPhones,mail,preferredLanguage')).toMatchObject({
      usageLocation: 'US', businessPhones: ['+1 206 555 0111'], mail: 'alex.w@contoso.test', preferredLanguage: null,
    });
  });

  it('does nothing and reports nothing on an empty plan', async () => {
    await rawRequest(sandbox, 'POST', '/_sandbox/stats/reset');
    for (const report of [
      await adapter.erase(alex, callContext('erase', [])),
      await adapter.restrict(alex, callContext('restrict', [])),
      await adapter.rectify(alex, { jobTitle: 'Engineer' }, callContext('rectify', [])),
    ]) {
      expect(report).toEqual({ summary: { code: 'entra.noAccountInPlan' }, count: 0, items: [], delta: [] });
    }
    expect(await requestCounts(sandbox)).toEqual({});
    expect(await userFields(sandbox, alex.aadObjectId, 'accountEnabled')).toMatchObject({ accountEnabled: true });
  });

  it('without a plan (a request discovered before plans) erases the subject as before, reporting no items', async () => {
    const report = await adapter.erase(alex, callContext('erase'));
    expect(report).toEqual({ summary: { code: 'entra.softDeleted', graceDays: 14, alreadyGone: false, guest: false }, count: 1, awaitsPurge: true });
    expect(await adapter.erase(alex, callContext('erase'))).toEqual({ summary: { code: 'entra.softDeleted', graceDays: 14, alreadyGone: true, guest: false }, count: 1, awaitsPurge: true });
  });
});

describe("Entra adapter reading the whole Entra record, against the sandbox Graph", () => {
  const grace = subjectFor('grace.kim@contoso.test');
  const guest = tenant.entra.guests[0];
  const sam = { aadObjectId: guest.id, upn: guest.userPrincipalName, email: guest.mail, displayName: guest.displayName };
  let sandbox: GraphSandbox;

  beforeEach(async () => {
    sandbox = await sandboxes.start();
  });

  afterEach(() => sandboxes.close(sandbox));

  it('counts the record on discovery, for the approval card, while the plan stays the account itself', async () => {
    const found = await new EntraAdapter(createSandboxGraphClient(sandbox), OPTIONS).discover(alex);

    expect(found.plan).toEqual([{ type: 'user', id: alex.aadObjectId, reason: 'account' }]);
    expect(found.items).toEqual([
      { code: 'entra.userProfile', guest: false },
      { code: 'entra.related', relation: 'groupMemberships', count: 3 },
      { code: 'entra.related', relation: 'directoryRoles', count: 1 },
      { code: 'entra.related', relation: 'managers', count: 1 },
      { code: 'entra.related', relation: 'appRoleAssignments', count: 2 },
      { code: 'entra.related', relation: 'authenticationMethods', count: 3 },
      { code: 'entra.related', relation: 'licences', count: 1 },
    ]);
  });

  it('exports each part of the record in its own file, other people by object id only, no secrets', async () => {
    const files = await collectFiles(new EntraAdapter(createSandboxGraphClient(sandbox), OPTIONS).export(alex));

    expect(Object.keys(files)).toEqual([
      'profile.json', 'memberships.json', 'manager-and-reports.json', 'app-role-assignments.json',
      'authentication-methods.json', 'licenses.json', 'sign-in-activity.json',
    ]);
    expect(files['profile.json']).toMatchObject({ userType: 'Member', companyName: 'Contoso', city: 'Dublin', usageLocation: 'IE', employeeId: 'E-0451' });
    expect(files['memberships.json']).toEqual(expect.arrayContaining([
      { type: 'group', id: '9a100000-0000-4000-8000-0000000000a2', displayName: 'Dublin Office' },
      { type: 'directoryRole', id: '9b200000-0000-4000-8000-0000000000b1', displayName: 'Reports Reader', roleTemplateId: '4a5d8f65-41da-4de4-8968-e035b65339cf' },
    ]));
    expect(files['manager-and-reports.json']).toEqual({ managerId: grace.aadObjectId, directReportIds: [] });
    expect(JSON.stringify(files['manager-and-reports.json'])).not.toContain(grace.displayName);
    expect((files['app-role-assignments.json'] as { resourceDisplayName: string }[]).map((a) => a.resourceDisplayName))
      .toEqual(['Contoso Facilities Portal', 'Contoso Badge Admin']);
    expect(files['authentication-methods.json']).toEqual({
      phoneMethods: [
        expect.objectContaining({ phoneNumber: '+353 85 555 0111', phoneType: 'mobile' }),
        expect.objectContaining({ phoneNumber: '+353 1 555 0111', phoneType: 'office' }),
      ],
      emailMethods: [expect.objectContaining({ emailAddress: 'alex.wilber@home.example' })],
    });
    expect(files['licenses.json']).toEqual({
      assignedLicenses: [{ skuId: 'c7df2760-2c81-4ef7-b578-5b5392b571df', disabledPlans: [] }],
      assignedPlans: expect.arrayContaining([expect.objectContaining({ service: 'exchange', capabilityStatus: 'Enabled' })]),
    });
    expect(files['sign-in-activity.json']).toMatchObject({ lastSignInDateTime: '2026-11-30T19:40:12Z' });
  });

  it('reads large collections page by page, following every nextLink, and only what Graph serves to an application', async () => {
    const adapter = new EntraAdapter(createSandboxGraphClient(sandbox), { ...OPTIONS, pageSize: 1 });
    await rawRequest(sandbox, 'POST', '/_sandbox/stats/reset');

    const files = await collectFiles(adapter.export(alex));

    expect(files['memberships.json']).toHaveLength(4);
    expect((files['authentication-methods.json'] as { phoneMethods: unknown[] }).phoneMethods).toHaveLength(2);
    const counts = await requestCounts(sandbox);
    expect(counts['GET /v1.0/users/{id}/transitiveMemberOf']).toBe(4);
    expect(counts['GET /v1.0/users/{id}/authentication/phoneMethods']).toBe(2);
    // Graph serves a user's devices and licenseDetails to delegated callers only: the bot, an application, never asks.
    expect(Object.keys(counts).filter((route) => /Devices|licenseDetails/.test(route))).toEqual([]);
  });

  it('writes direct reports for a manager and no file for what a person does not have', async () => {
    const files = await collectFiles(new EntraAdapter(createSandboxGraphClient(sandbox), OPTIONS).export(grace));

    expect(files['manager-and-reports.json']).toEqual({
      managerId: null,
      directReportIds: [alex.aadObjectId, megan.aadObjectId, subjectFor('diego.siciliani@contoso.test').aadObjectId],
    });
    expect(Object.keys(files)).not.toContain('licenses.json');
    expect(Object.keys(files)).not.toContain('authentication-methods.json');
  });

  it('leaves sign-in activity out when switched off, and when the tenant has no premium licence', async () => {
    const off = await collectFiles(new EntraAdapter(createSandboxGraphClient(sandbox), { ...OPTIONS, signInActivity: false }).export(alex));
    const unlicensedTenant = loadTenant();
    unlicensedTenant.entra.premiumLicence = false;
    const unlicensed = await createGraphSandbox({ tenant: unlicensedTenant, dataDir: freshDataDir('entra-unlicensed'), port: 0 });
    try {
      const refused = await collectFiles(new EntraAdapter(createSandboxGraphClient(unlicensed), OPTIONS).export(alex));

      expect(Object.keys(off)).not.toContain('sign-in-activity.json');
      expect(Object.keys(refused)).not.toContain('sign-in-activity.json');
      expect(Object.keys(refused)).toContain('licenses.json');
    } finally {
      await unlicensed.close();
    }
  });

  it("erases a guest's account in this tenant, saying plainly that the home tenant is not touched", async () => {
    const adapter = new EntraAdapter(createSandboxGraphClient(sandbox), OPTIONS);
    const found = await adapter.discover(sam);

    expect(found.plan).toEqual([{ type: 'user', id: guest.id, reason: 'account:guest' }]);
    expect(found.items[0]).toEqual({ code: 'entra.userProfile', guest: true });
    const report = await adapter.erase(sam, callContext('erase', found.plan));
    expect(report).toMatchObject({ count: 1, items: [{ type: 'user', id: guest.id, result: 'removed' }], awaitsPurge: true });
    expect(report.summary).toEqual({ code: 'entra.softDeleted', graceDays: 14, alreadyGone: false, guest: true });
    expect((await rawRequest(sandbox, 'GET', `/v1.0/users/${guest.id}`, { headers: BEARER })).status).toBe(404);
  });
});

describe('Entra adapter when a connection drops without an answer', () => {
  let sandbox: GraphSandbox;

  beforeEach(async () => {
    sandbox = await sandboxes.start();
  });

  afterEach(() => sandboxes.close(sandbox));

  it('reads again what a dropped batch asked for: discovery and export', async () => {
    const adapter = new EntraAdapter(createSandboxGraphClient(sandbox), OPTIONS);
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { drop: true, count: 1, pathPrefix: '/v1.0/$batch' } });
    expect((await adapter.discover(alex)).plan).toEqual([{ type: 'user', id: alex.aadObjectId, reason: 'account' }]);
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { drop: true, count: 1, pathPrefix: '/v1.0/$batch' } });
    expect(Object.keys(await collectFiles(adapter.export(alex)))).toContain('profile.json');
    expect((await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body).toMatchObject({ faultsServed: 2 });
  });
});
