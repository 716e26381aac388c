import type { Context } from '@microsoft/microsoft-graph-client';
import { ServiceCaller } from '../../src/adapters/calls/callPolicy';
import { GraphHttpTransport } from '../../src/adapters/calls/graphTransport';
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

  it('lets the call policy retry a dropped connection: the Graph client keeps its code', async () => {
    const dropOnce = { drop: true, count: 1, pathPrefix: `/v1.0/users/${alex.aadObjectId}` };
    const client = createSandboxGraphClient(sandbox);
    const read = () => client.api(`/users/${alex.aadObjectId}`).select('id').get() as Promise<{ id: string }>;

    expect((await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: dropOnce })).status).toBe(201);
    await expect(read()).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect((await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: dropOnce })).status).toBe(201);
    const retried = await new ServiceCaller('entra', { baseDelayMs: 1 }).call('read user', read);

    expect(retried.id).toBe(alex.aadObjectId);
    expect((await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body).toMatchObject({ faultsServed: 2 });
  });
});
