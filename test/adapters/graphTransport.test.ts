import type { Context } from '@microsoft/microsoft-graph-client';
import { ServiceCaller } from '../../src/adapters/calls/callPolicy';
import { GraphHttpTransport, READS_ONLY } from '../../src/adapters/calls/graphTransport';
import { createGraphSandbox, type GraphSandbox } from '../../src/sandbox/graph';
import { loadTenant } from '../../src/sandbox/tenant';
import { createSandboxGraphClient, rawRequest } from '../sandbox/sandboxGraphClient';
import { subjectFor } from '../support/adapterTesting';
import { sandboxPool } from '../support/sandboxPool';

/**
 * The Graph client's last link as the bot has it, on its own against the sandbox Graph: what the
 * client's handlers read from it is what a fetch Response would give them. Every other Graph test
 * goes through it too (`createSandboxGraphClient`).
 */
const tenant = loadTenant();
const alex = subjectFor('alex.wilber@contoso.test');
const priya = subjectFor('priya.raman@contoso.test');
const token = { authorization: 'Bearer t', 'content-type': 'application/json' };

const sandboxes = sandboxPool('graph-transport', (dataDir) => createGraphSandbox({ tenant, dataDir, port: 0 }));
afterAll(() => sandboxes.closeAll());

let sandbox: GraphSandbox;
let transport: GraphHttpTransport;

beforeEach(async () => {
  sandbox = await sandboxes.start();
  transport = new GraphHttpTransport({ ca: sandbox.certificate });
});

afterEach(() => sandboxes.close(sandbox));

async function send(request: Context['request'], options?: Context['options']): Promise<Response> {
  const context: Context = { request, options };
  await transport.execute(context);
  return context.response!;
}

describe('GraphHttpTransport', () => {
  it('answers a GET with the status, headers and JSON body the service sent', async () => {
    const answer = await send(`${sandbox.url}/v1.0/users/${alex.aadObjectId}?$select=id,displayName`, { method: 'GET', headers: token });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('application/json');
    expect(await answer.json()).toMatchObject({ id: alex.aadObjectId, displayName: alex.displayName });
  });

  it('sends a POST body, and reads a Request as the client\'s redirect handler hands one over', async () => {
    const body = JSON.stringify({ groupIds: [tenant.approverGroup.id] });
    const asOptions = await send(`${sandbox.url}/v1.0/users/${priya.aadObjectId}/checkMemberGroups`, { method: 'POST', headers: token, body });
    const asRequest = await send(new Request(`${sandbox.url}/v1.0/users/${priya.aadObjectId}/checkMemberGroups`, { method: 'POST', headers: token, body }));
    expect(await asOptions.json()).toEqual(await asRequest.json());
    expect(asRequest.status).toBe(200);
  });

  it('answers 204 without a body, and an error status with Graph\'s error body', async () => {
    const group = tenant.approverGroup.id;
    const removed = await send(`${sandbox.url}/v1.0/groups/${group}/members/${priya.aadObjectId}/$ref`, { method: 'DELETE', headers: token });
    expect([removed.status, removed.body]).toEqual([204, null]);
    const again = await send(`${sandbox.url}/v1.0/groups/${group}/members/${priya.aadObjectId}/$ref`, { method: 'DELETE', headers: token });
    expect(again.status).toBe(404);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('Request_ResourceNotFound');
  });

  it('refuses a body it cannot send as it is, before anything goes out', async () => {
    const stream = new ReadableStream({ start: (controller) => controller.close() });
    await expect(send(`${sandbox.url}/v1.0/$batch`, { method: 'POST', headers: token, body: stream })).rejects.toThrow('string and Buffer bodies only');
  });

  it('sends a read again when its connection drops without an answer: a GET, and a batch marked as reads', async () => {
    const client = createSandboxGraphClient(sandbox);
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { drop: true, count: 1, pathPrefix: `/v1.0/users/${alex.aadObjectId}` } });
    const user = (await client.api(`/users/${alex.aadObjectId}`).select('id').get()) as { id: string };
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { drop: true, count: 1, pathPrefix: '/v1.0/$batch' } });
    const batch = (await client.api('/$batch').middlewareOptions([READS_ONLY])
      .post({ requests: [{ id: '1', method: 'GET', url: `/users/${alex.aadObjectId}?$select=id` }] })) as { responses: { status: number; body: { id: string } }[] };

    expect(user.id).toBe(alex.aadObjectId);
    expect(batch.responses[0]).toMatchObject({ status: 200, body: { id: alex.aadObjectId } });
    expect((await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body).toMatchObject({ faultsServed: 2 });
  });

  it('never sends a change again, and gives a read up after three resends: the Graph client keeps the code for the call policy', async () => {
    const client = createSandboxGraphClient(sandbox);
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { drop: true, count: 1, method: 'PATCH', pathPrefix: `/v1.0/users/${alex.aadObjectId}` } });
    await expect(client.api(`/users/${alex.aadObjectId}`).patch({ jobTitle: 'Changed once' })).rejects.toMatchObject({ code: 'ECONNRESET' });
    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { drop: true, count: 4, method: 'GET', pathPrefix: `/v1.0/users/${alex.aadObjectId}` } });
    await expect(client.api(`/users/${alex.aadObjectId}`).select('id').get()).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect((await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body).toMatchObject({ faultsServed: 5 });

    await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: { drop: true, count: 1, method: 'PATCH', pathPrefix: `/v1.0/users/${alex.aadObjectId}` } });
    await new ServiceCaller('entra', { baseDelayMs: 1 }).call('correct user', () => client.api(`/users/${alex.aadObjectId}`).patch({ jobTitle: 'Changed once' }));
    const user = (await client.api(`/users/${alex.aadObjectId}`).select('jobTitle').get()) as { jobTitle: string };
    expect(user.jobTitle).toBe('Changed once');
    expect((await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body).toMatchObject({ faultsServed: 6 });
  });
});
