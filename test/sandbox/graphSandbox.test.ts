import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, PageCollection } from '@microsoft/microsoft-graph-client';
import { createGraphSandbox, type GraphSandbox } from '../../src/sandbox/graph';
import { loadTenant } from '../../src/sandbox/tenant';
import { collectPages, createSandboxGraphClient, graphError, rawRequest } from './sandboxGraphClient';

const tenant = loadTenant();
const userBy = (upn: string) => {
  const user = tenant.users.find((candidate) => candidate.upn === upn);
  if (!user) throw new Error(`no seeded user ${upn}`);
  return user;
};
const alex = userBy('alex.wilber@contoso.test');
const megan = userBy('megan.bowen@contoso.test');
const lee = userBy('lee.gu@contoso.test');
const diego = userBy('diego.siciliani@contoso.test');
const priya = userBy('priya.raman@contoso.test');

const DEFAULT_USER_KEYS = [
  '@odata.context', 'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone',
  'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id',
];

/** OData string literal: quotes doubled, as a careful caller builds it. */
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

const openDirs: string[] = [];
const openSandboxes: GraphSandbox[] = [];

async function startSandbox(dataDir?: string): Promise<{ sandbox: GraphSandbox; client: Client; dataDir: string }> {
  const dir = dataDir ?? await mkdtemp(join(tmpdir(), 'graph-sandbox-'));
  if (!dataDir) openDirs.push(dir);
  const sandbox = await createGraphSandbox({ tenant, dataDir: dir, port: 0 });
  openSandboxes.push(sandbox);
  return { sandbox, client: createSandboxGraphClient(sandbox), dataDir: dir };
}

async function closeSandbox(sandbox: GraphSandbox): Promise<void> {
  openSandboxes.splice(openSandboxes.indexOf(sandbox), 1);
  await sandbox.close();
}



afterAll(async () => {
  await Promise.all(openSandboxes.map((sandbox) => sandbox.close()));
  await Promise.all(openDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('Graph sandbox through the Graph client', () => {
  let sandbox: GraphSandbox;
  let client: Client;

  beforeEach(async () => {
    ({ sandbox, client } = await startSandbox());
  });

  afterEach(async () => {
    await closeSandbox(sandbox);
  });

  it('serves https on the requested host with a free port', () => {
    expect(sandbox.url).toBe(`https://127.0.0.1:${sandbox.port}`);
    expect(sandbox.port).toBeGreaterThan(0);
  });

  it("gets a user by id with Graph's default property set", async () => {
    const user = await client.api(`/users/${alex.aadObjectId}`).get();

    expect(Object.keys(user)).toEqual(DEFAULT_USER_KEYS);
    expect(user).toMatchObject({
      '@odata.context': `${sandbox.url}/v1.0/$metadata#users/$entity`,
      id: alex.aadObjectId,
      userPrincipalName: alex.upn,
      mail: alex.email,
      displayName: 'Alex Wilber',
      givenName: 'Alex',
      surname: 'Wilber',
      jobTitle: alex.jobTitle,
      businessPhones: [],
    });
  });

  it('gets a user by userPrincipalName with only the $select-ed properties', async () => {
    const user = await client.api(`/users/${lee.upn.toUpperCase()}`)
      .select(['displayName', 'accountEnabled', 'department'])
      .get();

    expect(user).toEqual({
      '@odata.context': `${sandbox.url}/v1.0/$metadata#users(displayName,accountEnabled,department)/$entity`,
      displayName: lee.displayName,
      accountEnabled: true,
      department: lee.department,
    });
  });

  it('pages through all users two at a time with the PageIterator', async () => {
    await rawRequest(sandbox, 'POST', '/_sandbox/stats/reset');

    const firstPage: PageCollection = await client.api('/users').top(2).select(['id', 'mail']).get();
    const users = await collectPages<{ id: string; mail: string }>(client, firstPage);

    expect(firstPage.value).toHaveLength(2);
    expect(firstPage['@odata.nextLink']).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0\/users\?.*\$skiptoken=/);
    const seededIds = [...tenant.users.map((user) => user.aadObjectId), ...tenant.entra.guests.map((guest) => guest.id)];
    expect(users.map((user) => user.id)).toEqual(seededIds);
    const stats = (await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body as { requests: Record<string, number> };
    expect(stats.requests['GET /v1.0/users']).toBe(Math.ceil(seededIds.length / 2));
  });

  it('refuses a page size above 999', async () => {
    const error = await graphError(client.api('/users').top(1000).get());

    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('Request_BadRequest');
  });

  it('filters by mail case-insensitively, and by mail or userPrincipalName', async () => {
    const byMail = await client.api('/users').filter(`mail eq ${literal('MEGAN.BOWEN@contoso.TEST')}`).get();
    const either = await client.api('/users')
      .filter(`mail eq ${literal(megan.email)} or userPrincipalName eq ${literal(lee.upn)}`)
      .select(['id'])
      .get();

    expect(byMail.value.map((user: { id: string }) => user.id)).toEqual([megan.aadObjectId]);
    expect(either.value.map((user: { id: string }) => user.id).sort()).toEqual([megan.aadObjectId, lee.aadObjectId].sort());
  });

  it('treats an injection-looking filter value as one literal', async () => {
    const result = await client.api('/users').filter(`mail eq ${literal(`x' or userPrincipalName eq '${alex.upn}`)}`).get();

    expect(result.value).toEqual([]);
  });

  it('answers 400 in Graph shape to filters it does not support', async () => {
    const otherProperty = await graphError(client.api('/users').filter(`displayName eq ${literal('Alex Wilber')}`).get());
    const notAComparison = await graphError(client.api('/users').filter(`mail eq 'x' or 1 eq 1`).get());
    const unterminated = await graphError(client.api('/users').filter(`mail eq 'x`).get());

    expect([otherProperty.statusCode, notAComparison.statusCode, unterminated.statusCode]).toEqual([400, 400, 400]);
    expect(otherProperty.code).toBe('Request_UnsupportedQuery');
    expect(notAComparison.code).toBe('BadRequest');
  });

  it('applies a PATCH of the profile fields an administrator writes, the sign-in name in a verified domain', async () => {
    await client.api(`/users/${alex.aadObjectId}`).patch({
      usageLocation: 'US', city: 'Seattle', businessPhones: ['+1 206 555 0111'], mail: 'alex.w@contoso.test', userPrincipalName: 'alex.w@contoso.test',
    });
    const user = await client.api('/users/alex.w@contoso.test').select(['usageLocation', 'city', 'businessPhones', 'mail']).get();

    expect(user).toMatchObject({ usageLocation: 'US', city: 'Seattle', businessPhones: ['+1 206 555 0111'], mail: 'alex.w@contoso.test' });
  });

  it('applies a PATCH that a later GET returns', async () => {
    const answer = await client.api(`/users/${alex.aadObjectId}`).patch({ jobTitle: 'Site Lead', accountEnabled: false });
    const user = await client.api(`/users/${alex.upn}`).select(['jobTitle', 'accountEnabled', 'department']).get();

    expect(answer).toBeFalsy();
    expect(user).toMatchObject({ jobTitle: 'Site Lead', accountEnabled: false, department: alex.department });
  });

  it('refuses to PATCH a property that is not writable', async () => {
    const error = await graphError(client.api(`/users/${alex.aadObjectId}`).patch({ userType: 'Guest' }));
    const unverified = await graphError(client.api(`/users/${alex.aadObjectId}`).patch({ userPrincipalName: 'alex@fabrikam.test' }));
    const user = await client.api(`/users/${alex.aadObjectId}`).get();

    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('Request_BadRequest');
    expect(error.message).toContain("Invalid property 'userType'");
    expect(unverified.statusCode).toBe(400);
    expect(unverified.message).toContain('verified domain');
    expect(user.userPrincipalName).toBe(alex.upn);
  });

  it('maps an unknown user to a GraphError 404 Request_ResourceNotFound', async () => {
    const error = await graphError(client.api('/users/nobody@contoso.test').get());

    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('Request_ResourceNotFound');
    expect(error.requestId).toEqual(expect.any(String));
  });

  it('soft-deletes into deleted items, restores, then deletes for good', async () => {
    await client.api(`/users/${diego.aadObjectId}`).delete();

    expect((await graphError(client.api(`/users/${diego.upn}`).get())).statusCode).toBe(404);
    const deletedList = await client.api('/directory/deletedItems/microsoft.graph.user').get();
    expect(deletedList.value).toEqual([
      expect.objectContaining({ id: diego.aadObjectId, deletedDateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }),
    ]);
    const deleted = await client.api(`/directory/deletedItems/${diego.aadObjectId}`).get();
    expect(deleted).toMatchObject({ '@odata.type': '#microsoft.graph.user', displayName: diego.displayName });

    const restored = await client.api(`/directory/deletedItems/${diego.aadObjectId}/restore`).post(undefined);
    expect(restored).toMatchObject({ '@odata.type': '#microsoft.graph.user', id: diego.aadObjectId });
    expect((await client.api(`/users/${diego.aadObjectId}`).get()).displayName).toBe(diego.displayName);
    expect((await client.api('/directory/deletedItems/microsoft.graph.user').get()).value).toEqual([]);

    await client.api(`/users/${diego.aadObjectId}`).delete();
    await client.api(`/directory/deletedItems/${diego.aadObjectId}`).delete();

    expect((await graphError(client.api(`/directory/deletedItems/${diego.aadObjectId}`).get())).statusCode).toBe(404);
    expect((await graphError(client.api(`/users/${diego.aadObjectId}`).get())).statusCode).toBe(404);
    const restoreAgain = await graphError(client.api(`/directory/deletedItems/${diego.aadObjectId}/restore`).post(undefined));
    expect(restoreAgain.code).toBe('Request_ResourceNotFound');
  });

  it('tells which of the given groups a user is a member of', async () => {
    const otherGroup = '00000000-0000-4000-8000-00000000abcd';
    const approver = await client.api(`/users/${priya.aadObjectId}/checkMemberGroups`)
      .post({ groupIds: [tenant.approverGroup.id, otherGroup] });
    const employee = await client.api(`/users/${alex.upn}/checkMemberGroups`)
      .post({ groupIds: [tenant.approverGroup.id] });

    expect(approver.value).toEqual([tenant.approverGroup.id]);
    expect(employee.value).toEqual([]);
  });

  it('removes a member from a group and adds them back by reference, answering 204 as Graph does', async () => {
    const group = tenant.approverGroup.id;
    const isMember = async () => ((await client.api(`/users/${priya.aadObjectId}/checkMemberGroups`).post({ groupIds: [group] })).value as string[]).includes(group);

    const removed = await rawRequest(sandbox, 'DELETE', `/v1.0/groups/${group}/members/${priya.aadObjectId}/$ref`, { headers: { authorization: 'Bearer t' } });
    expect(removed.status).toBe(204);
    expect(await isMember()).toBe(false);
    expect((await graphError(client.api(`/groups/${group}/members/${priya.aadObjectId}/$ref`).delete())).statusCode).toBe(404);

    const reference = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${priya.aadObjectId}` };
    const added = await rawRequest(sandbox, 'POST', `/v1.0/groups/${group}/members/$ref`, { body: reference, headers: { authorization: 'Bearer t' } });
    expect(added.status).toBe(204);
    expect(await isMember()).toBe(true);
    const again = await graphError(client.api(`/groups/${group}/members/$ref`).post(reference));
    expect([again.statusCode, again.code]).toEqual([400, 'Request_BadRequest']);
    expect((await graphError(client.api(`/groups/${group}/members/$ref`).post({ '@odata.id': 'https://graph.microsoft.com/v1.0/directoryObjects/00000000-0000-4000-8000-0000000000ff' }))).statusCode).toBe(404);
  });

  it('returns employeeId when selected, one value for both accounts of a person and null where unset', async () => {
    const ids = tenant.users.filter((u) => u.displayName.startsWith('Priya') || u.displayName === 'Privacy Desk').map((u) => u.aadObjectId);
    const keys = await Promise.all(ids.map(async (id) => (await client.api(`/users/${id}`).select('id,employeeId').get()).employeeId));
    expect(keys).toEqual(['E-0101', 'E-0101', null]);
    expect(await client.api(`/users/${alex.aadObjectId}`).get()).not.toHaveProperty('employeeId');
  });

  it('lists the approvers group members page by page', async () => {
    const firstPage: PageCollection = await client.api(`/groups/${tenant.approverGroup.id}/members`).top(1).get();
    const members = await collectPages<{ id: string; '@odata.type': string }>(client, firstPage);

    expect(members.map((member) => member.id)).toEqual(
      tenant.users.filter((user) => user.approver).map((user) => user.aadObjectId));
    expect(members.every((member) => member['@odata.type'] === '#microsoft.graph.user')).toBe(true);
    expect(members.length).toBeGreaterThanOrEqual(2);
  });

  it('adds a member to a group and removes it again through members/$ref, as an administrator does', async () => {
    const group = `/groups/${tenant.approverGroup.id}`;
    const isMember = async () => (await client.api(`/users/${lee.aadObjectId}/checkMemberGroups`).post({ groupIds: [tenant.approverGroup.id] })).value;
    await client.api(`${group}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${lee.aadObjectId}` });
    expect(await isMember()).toEqual([tenant.approverGroup.id]);
    const again = await graphError(client.api(`${group}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${lee.aadObjectId}` }));
    expect(again.statusCode).toBe(400);

    await client.api(`${group}/members/${lee.aadObjectId}/$ref`).delete();
    expect(await isMember()).toEqual([]);
    expect((await graphError(client.api(`${group}/members/${lee.aadObjectId}/$ref`).delete())).code).toBe('Request_ResourceNotFound');
  });

  it('seeds the compliance officers group apart from the approvers group', async () => {
    const chen = userBy('chen.wei@contoso.test');
    const groups = [tenant.approverGroup.id, tenant.complianceGroup.id];
    expect((await client.api(`/users/${chen.aadObjectId}/checkMemberGroups`).post({ groupIds: groups })).value).toEqual([tenant.complianceGroup.id]);
    expect((await client.api(`/users/${priya.aadObjectId}/checkMemberGroups`).post({ groupIds: groups })).value).toEqual([tenant.approverGroup.id]);
  });

  it('lets the client retry a burst of 429 with Retry-After and succeed', async () => {
    await rawRequest(sandbox, 'POST', '/_sandbox/stats/reset');
    const fault = await rawRequest(sandbox, 'POST', '/_sandbox/faults', {
      body: { status: 429, count: 3, retryAfterSeconds: 1, method: 'GET', pathPrefix: '/v1.0/users' },
    });

    const user = await client.api(`/users/${megan.aadObjectId}`).select(['id']).get();

    expect(fault.status).toBe(201);
    expect(user.id).toBe(megan.aadObjectId);
    const stats = (await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body;
    expect(stats).toEqual({ requests: { 'GET /v1.0/users/{id}': 4 }, faultsServed: 3 });
  });

  it('answers injected faults in Graph shape with Retry-After, until they are cleared', async () => {
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { status: 503, count: -1, retryAfterSeconds: 0 } });
    const token = { Authorization: 'Bearer anything' };

    const raw = await rawRequest(sandbox, 'GET', `/v1.0/users/${lee.aadObjectId}`, { headers: token });
    const viaClient = await graphError(client.api(`/users/${lee.aadObjectId}`).get());
    await rawRequest(sandbox, 'DELETE', '/_sandbox/faults');
    const afterClearing = await rawRequest(sandbox, 'GET', `/v1.0/users/${lee.aadObjectId}`, { headers: token });

    expect(raw.status).toBe(503);
    expect(raw.headers.get('retry-after')).toBe('0');
    expect(raw.body).toMatchObject({ error: { code: 'serviceNotAvailable' } });
    expect(viaClient.statusCode).toBe(503);
    expect(viaClient.code).toBe('serviceNotAvailable');
    expect(afterClearing.status).toBe(200);
  });

  it("answers 401 in Graph's shape to a request without Authorization", async () => {
    const response = await rawRequest(sandbox, 'GET', `/v1.0/users/${alex.aadObjectId}`, {
      headers: { 'client-request-id': 'test-client-request' },
    });
    const wrongScheme = await rawRequest(sandbox, 'GET', `/v1.0/users/${alex.aadObjectId}`, {
      headers: { Authorization: 'Basic dXNlcjpwYXNz' },
    });

    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      error: {
        code: 'InvalidAuthenticationToken',
        message: expect.any(String),
        innerError: {
          date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
          'request-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
          'client-request-id': 'test-client-request',
        },
      },
    });
    expect(wrongScheme.status).toBe(401);
  });

  it('answers its health check without Authorization', async () => {
    const health = await rawRequest(sandbox, 'GET', '/_sandbox/health');

    expect(health.status).toBe(200);
  });
});

describe('Graph sandbox state on disk', () => {
  it('survives closing and re-creating the server on the same dataDir', async () => {
    const first = await startSandbox();
    await first.client.api(`/users/${megan.aadObjectId}`).patch({ officeLocation: 'Remote' });
    await first.client.api(`/users/${diego.aadObjectId}`).delete();
    await closeSandbox(first.sandbox);

    const second = await startSandbox(first.dataDir);
    const meganAfter = await second.client.api(`/users/${megan.aadObjectId}`).get();
    const deleted = await second.client.api('/directory/deletedItems/microsoft.graph.user').select(['id']).get();

    expect(meganAfter.officeLocation).toBe('Remote');
    expect(deleted.value).toEqual([{ id: diego.aadObjectId }]);
    await closeSandbox(second.sandbox);
  });

  it('seeds a fresh dataDir from the tenant', async () => {
    const used = await startSandbox();
    await used.client.api(`/users/${megan.aadObjectId}`).patch({ officeLocation: 'Remote' });
    await closeSandbox(used.sandbox);

    const fresh = await startSandbox();
    const meganFresh = await fresh.client.api(`/users/${megan.aadObjectId}`).get();
    const everyone = await fresh.client.api('/users').select(['id']).get();

    expect(fresh.dataDir).not.toBe(used.dataDir);
    expect(meganFresh.officeLocation).toBe(megan.officeLocation);
    expect(everyone.value).toHaveLength(tenant.users.length + tenant.entra.guests.length);
    await closeSandbox(fresh.sandbox);
  });
});
