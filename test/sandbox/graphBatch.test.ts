import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@microsoft/microsoft-graph-client';
import { createGraphSandbox, type GraphSandbox } from '../../src/sandbox/graph';
import { loadTenant } from '../../src/sandbox/tenant';
import { createSandboxGraphClient, graphError, rawRequest } from './sandboxGraphClient';

const tenant = loadTenant();
const alex = tenant.users.find((user) => user.upn === 'alex.wilber@contoso.test')!;
const megan = tenant.users.find((user) => user.upn === 'megan.bowen@contoso.test')!;
const priya = tenant.users.find((user) => user.upn === 'priya.raman@contoso.test')!;
const UNKNOWN = '00000000-0000-4000-8000-0000000000ff';

interface BatchAnswer {
  responses: { id: string; status: number; headers?: Record<string, string>; body?: Record<string, unknown> }[];
}

const byId = (answer: BatchAnswer) => new Map(answer.responses.map((response) => [response.id, response]));
const getUser = (id: string, objectId: string) => ({ id, method: 'GET', url: `/users/${objectId}?$select=id,displayName` });

describe('Graph sandbox JSON batching (POST /v1.0/$batch) through the Graph client', () => {
  let dataDir: string;
  let sandbox: GraphSandbox;
  let client: Client;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'graph-batch-'));
    sandbox = await createGraphSandbox({ tenant, dataDir, port: 0 });
    client = createSandboxGraphClient(sandbox);
  });

  afterEach(async () => {
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const stats = async () => (await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body as { requests: Record<string, number>; batches?: Record<string, number>; throttled?: { total: number } };

  it('serves each inner request by its own route and answers each by its id; a 404 of one fails only that one', async () => {
    const answer = (await client.api('/$batch').post({
      requests: [
        getUser('a', alex.aadObjectId),
        getUser('b', UNKNOWN),
        { id: 'c', method: 'POST', url: `/users/${priya.aadObjectId}/checkMemberGroups`, headers: { 'Content-Type': 'application/json' }, body: { groupIds: [tenant.approverGroup.id] } },
      ],
    })) as BatchAnswer;

    const responses = byId(answer);
    expect([...responses.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(responses.get('a')).toMatchObject({ status: 200, body: { id: alex.aadObjectId, displayName: 'Alex Wilber' } });
    expect(responses.get('b')).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
    expect(responses.get('c')).toMatchObject({ status: 200, body: { value: [tenant.approverGroup.id] } });
    // The inner requests count as Graph counts them; the batch apart.
    const counted = await stats();
    expect(counted.requests).toEqual({ 'GET /v1.0/users/{id}': 2, 'POST /v1.0/users/{id}/checkMemberGroups': 1 });
    expect(counted.batches).toEqual({ 'POST /v1.0/$batch': 1 });
  });

  it('refuses a batch of more than 20 requests, or with a missing, duplicate (in any case) or bodied-but-untyped request, with 400', async () => {
    const twentyOne = Array.from({ length: 21 }, (_, i) => getUser(String(i + 1), alex.aadObjectId));
    const refusals = [
      { requests: twentyOne },
      { requests: [{ method: 'GET', url: `/users/${alex.aadObjectId}` }] },
      { requests: [getUser('x', alex.aadObjectId), getUser('X', megan.aadObjectId)] },
      { requests: [{ id: '1', method: 'POST', url: `/users/${alex.aadObjectId}/checkMemberGroups`, body: { groupIds: [] } }] },
      { requests: [{ id: '1', method: 'GET', url: `https://graph.microsoft.com/v1.0/users/${alex.aadObjectId}` }] },
    ];
    for (const body of refusals) {
      const error = await graphError(client.api('/$batch').post(body));
      expect(error.statusCode).toBe(400);
      expect(error.code).toBe('Request_BadRequest');
    }
    const twenty = (await client.api('/$batch').post({ requests: twentyOne.slice(0, 20) })) as BatchAnswer;
    expect(twenty.responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    expect((await stats()).requests['GET /v1.0/users/{id}']).toBe(20);
  });

  it('throttles each inner request on its own: over the limit an inner 429 carries its Retry-After, the batch is 200', async () => {
    await rawRequest(sandbox, 'POST', '/_sandbox/throttle', { body: { limits: { read: '2/min' } } });

    const answer = (await client.api('/$batch').post({
      requests: [getUser('1', alex.aadObjectId), getUser('2', megan.aadObjectId), getUser('3', priya.aadObjectId)],
    })) as BatchAnswer;

    const statuses = answer.responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 200, 429]);
    const throttled = answer.responses.find((response) => response.status === 429)!;
    expect(Number(throttled.headers?.['Retry-After'])).toBeGreaterThan(0);
    expect(throttled.body).toMatchObject({ error: { code: 'TooManyRequests' } });
    expect((await stats()).throttled?.total).toBe(1);
  });

  it('runs a request after those it depends on, and answers 424 when one of them failed', async () => {
    const answer = (await client.api('/$batch').post({
      requests: [getUser('1', UNKNOWN), { ...getUser('2', alex.aadObjectId), dependsOn: ['1'] }, getUser('3', megan.aadObjectId)],
    })) as BatchAnswer;

    expect(answer.responses.map((response) => [response.id, response.status])).toEqual([['1', 404], ['2', 424], ['3', 200]]);
    expect((await stats()).requests['GET /v1.0/users/{id}']).toBe(2);
  });
});
