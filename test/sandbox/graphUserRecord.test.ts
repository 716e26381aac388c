import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@microsoft/microsoft-graph-client';
import { createGraphSandbox, type GraphSandbox } from '../../src/sandbox/graph';
import { loadTenant, type Tenant } from '../../src/sandbox/tenant';
import { collectPages, createSandboxGraphClient, graphError } from './sandboxGraphClient';

const seeded = loadTenant();
const idOf = (upn: string) => {
  const user = seeded.users.find((candidate) => candidate.upn === upn);
  if (!user) throw new Error(`no seeded user ${upn}`);
  return user.aadObjectId;
};
const alex = idOf('alex.wilber@contoso.test');
const grace = idOf('grace.kim@contoso.test');
const guest = seeded.entra.guests[0];

const openDirs: string[] = [];
const openSandboxes: GraphSandbox[] = [];

async function startSandbox(tenant: Tenant = seeded): Promise<{ sandbox: GraphSandbox; client: Client }> {
  const dir = await mkdtemp(join(tmpdir(), 'graph-record-'));
  openDirs.push(dir);
  const sandbox = await createGraphSandbox({ tenant, dataDir: dir, port: 0 });
  openSandboxes.push(sandbox);
  return { sandbox, client: createSandboxGraphClient(sandbox) };
}



afterAll(async () => {
  await Promise.all(openSandboxes.map((sandbox) => sandbox.close()));
  await Promise.all(openDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("Graph sandbox: a user's Entra record", () => {
  let sandbox: GraphSandbox;
  let client: Client;

  beforeAll(async () => {
    ({ sandbox, client } = await startSandbox());
  });

  it('lists transitive memberships: groups through a nested group, and directory roles, each with its @odata.type', async () => {
    const page = await client.api(`/users/${alex}/transitiveMemberOf`).get();

    expect(page['@odata.context']).toBe(`${sandbox.url}/v1.0/$metadata#directoryObjects`);
    const byName = Object.fromEntries(page.value.map((item: Record<string, unknown>) => [item.displayName, item['@odata.type']]));
    expect(byName).toEqual({
      'All Employees': '#microsoft.graph.group',
      'Dublin Facilities Team': '#microsoft.graph.group',
      // Alex is in Dublin Office only through the Dublin Facilities Team nested in it.
      'Dublin Office': '#microsoft.graph.group',
      'Reports Reader': '#microsoft.graph.directoryRole',
    });
    expect(page.value.find((item: Record<string, unknown>) => item.displayName === 'Reports Reader'))
      .toMatchObject({ roleTemplateId: '4a5d8f65-41da-4de4-8968-e035b65339cf' });
  });

  it('pages memberships by $top with @odata.nextLink, the link keeping $top', async () => {
    const first = await client.api(`/users/${alex}/transitiveMemberOf`).top(3).get();
    const items = await collectPages<Record<string, unknown>>(client, first);

    expect(first.value).toHaveLength(3);
    expect(first['@odata.nextLink']).toMatch(/\/v1\.0\/users\/[^/]+\/transitiveMemberOf\?\$top=3&\$skiptoken=/);
    expect(items).toHaveLength(4);
  });

  it("answers a user's manager as a user directoryObject, and 404 Request_ResourceNotFound when there is none", async () => {
    const manager = await client.api(`/users/${alex}/manager`).get();
    const none = await graphError(client.api(`/users/${grace}/manager`).get());

    expect(manager).toMatchObject({
      '@odata.context': `${sandbox.url}/v1.0/$metadata#directoryObjects/$entity`,
      '@odata.type': '#microsoft.graph.user',
      id: grace,
    });
    expect(none.statusCode).toBe(404);
    expect(none.code).toBe('Request_ResourceNotFound');
  });

  it('lists direct reports page by page', async () => {
    const first = await client.api(`/users/${grace}/directReports`).top(2).get();
    const reports = await collectPages<Record<string, unknown>>(client, first);

    expect(first.value).toHaveLength(2);
    expect(reports.map((report) => report.id).sort()).toEqual(
      [alex, idOf('megan.bowen@contoso.test'), idOf('diego.siciliani@contoso.test')].sort());
    expect(reports.every((report) => report['@odata.type'] === '#microsoft.graph.user')).toBe(true);
  });

  it('lists app role assignments with the principal filled in', async () => {
    const page = await client.api(`/users/${alex}/appRoleAssignments`).get();

    expect(page['@odata.context']).toBe(`${sandbox.url}/v1.0/$metadata#users('${alex}')/appRoleAssignments`);
    expect(page.value).toHaveLength(2);
    expect(page.value[0]).toMatchObject({
      principalId: alex, principalType: 'User', principalDisplayName: 'Alex Wilber', deletedDateTime: null,
      resourceDisplayName: 'Contoso Facilities Portal', appRoleId: expect.any(String), resourceId: expect.any(String),
    });
  });

  it('lists phone and e-mail authentication methods in their documented shapes', async () => {
    const phones = await client.api(`/users/${alex}/authentication/phoneMethods`).get();
    const emails = await client.api(`/users/${alex}/authentication/emailMethods`).get();

    expect(phones['@odata.context']).toBe(`${sandbox.url}/v1.0/$metadata#users('${alex}')/authentication/phoneMethods`);
    expect(phones.value[0]).toEqual({
      id: '3179e48a-750b-4051-897c-87b9720928f7', phoneNumber: '+353 85 555 0111', phoneType: 'mobile', smsSignInState: 'notEnabled',
    });
    expect(phones.value).toHaveLength(2);
    expect(emails.value).toEqual([{ id: '3ddfcfc8-9383-446f-83cc-3ab9be4be18f', emailAddress: 'alex.wilber@home.example' }]);
  });

  it('gives a user\'s licences and service plans through $select only, as application permissions read them', async () => {
    const user = await client.api(`/users/${alex}`).select(['assignedLicenses', 'assignedPlans']).get();
    const plain = await client.api(`/users/${alex}`).get();

    expect(user.assignedLicenses).toEqual([{ skuId: 'c7df2760-2c81-4ef7-b578-5b5392b571df', disabledPlans: [] }]);
    expect(user.assignedPlans).toEqual(expect.arrayContaining([
      { assignedDateTime: '2025-01-06T09:00:00Z', capabilityStatus: 'Enabled', service: 'exchange', servicePlanId: 'efb87545-963c-4e0d-99df-69c6916d9eb0' },
    ]));
    expect(plain).not.toHaveProperty('assignedLicenses');
    expect((await client.api(`/users/${grace}`).select('assignedLicenses').get()).assignedLicenses).toEqual([]);
  });

  it('answers an empty collection for a user with nothing, and 404 for an unknown user', async () => {
    const nothing = await client.api(`/users/${grace}/authentication/emailMethods`).get();
    const unknown = await graphError(client.api('/users/nobody@contoso.test/appRoleAssignments').get());

    expect(nothing.value).toEqual([]);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.code).toBe('Request_ResourceNotFound');
  });

  it('reads signInActivity through $select in a tenant with a premium licence', async () => {
    const user = await client.api(`/users/${alex}`).select(['id', 'signInActivity']).get();

    expect(user.signInActivity).toEqual(expect.objectContaining({
      lastSignInDateTime: '2026-11-30T19:40:12Z', lastSuccessfulSignInDateTime: '2026-11-30T19:40:12Z',
      lastNonInteractiveSignInDateTime: expect.any(String), lastSignInRequestId: expect.any(String),
    }));
  });

  it('serves a guest with userType Guest, its #EXT# name, invitation and state', async () => {
    const user = await client.api(`/users/${guest.id}`)
      .select(['userPrincipalName', 'userType', 'externalUserState', 'creationType'])
      .get();

    expect(user).toMatchObject({
      userPrincipalName: expect.stringContaining('#EXT#@contoso.test'), userType: 'Guest', externalUserState: 'Accepted', creationType: 'Invitation',
    });
  });
});

describe('Graph sandbox: a tenant without a premium licence', () => {
  it('refuses signInActivity with 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant, other properties still served', async () => {
    const tenant = loadTenant();
    tenant.entra.premiumLicence = false;
    const { client } = await startSandbox(tenant);

    const error = await graphError(client.api(`/users/${alex}`).select(['id', 'signInActivity']).get());
    const listed = await graphError(client.api('/users').select(['id', 'signInActivity']).get());
    const plain = await client.api(`/users/${alex}`).select(['id', 'userType']).get();

    expect([error.statusCode, listed.statusCode]).toEqual([403, 403]);
    expect(error.code).toBe('Authentication_RequestFromNonPremiumTenantOrB2CTenant');
    expect(plain.userType).toBe('Member');
  });
});
