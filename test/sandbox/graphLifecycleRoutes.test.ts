import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client } from '@microsoft/microsoft-graph-client';
import { createGraphSandbox, type GraphSandbox } from '../../src/sandbox/graph';
import { loadTenant } from '../../src/sandbox/tenant';
import { createSandboxGraphClient, graphError, rawRequest } from './sandboxGraphClient';

/** The account lifecycle routes of the sandbox Graph, in the shapes of the Graph v1.0 reference. */
const tenant = loadTenant();
const alex = tenant.users.find((user) => user.upn === 'alex.wilber@contoso.test')!;
const lee = tenant.users.find((user) => user.upn === 'lee.gu@contoso.test')!;

let dataDir: string;
let sandbox: GraphSandbox;
let client: Client;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'graph-lifecycle-'));
  sandbox = await createGraphSandbox({ tenant, dataDir, port: 0 });
  client = createSandboxGraphClient(sandbox);
});

afterAll(async () => {
  await sandbox.close();
  await rm(dataDir, { recursive: true, force: true });
});

const validFrom = async (id: string) =>
  (await client.api(`/users/${id}`).select(['signInSessionsValidFromDateTime']).get()).signInSessionsValidFromDateTime as string | null;

describe('Graph sandbox: revokeSignInSessions', () => {
  it('answers 200 with an Edm.Boolean true and moves signInSessionsValidFromDateTime', async () => {
    expect(await validFrom(alex.aadObjectId)).toBeNull();

    const response = await rawRequest(sandbox, 'POST', `/v1.0/users/${alex.aadObjectId}/revokeSignInSessions`, { headers: { authorization: 'Bearer t' } });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ '@odata.context': `${sandbox.url}/v1.0/$metadata#Edm.Boolean`, value: true });
    expect(await validFrom(alex.aadObjectId)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(await validFrom(lee.aadObjectId)).toBeNull();
  });

  it('answers 404 Request_ResourceNotFound for a user that does not exist', async () => {
    const error = await graphError(client.api('/users/00000000-0000-4000-8000-0000000000ff/revokeSignInSessions').post(undefined));
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('Request_ResourceNotFound');
  });

  it('needs a bearer token', async () => {
    const response = await rawRequest(sandbox, 'POST', `/v1.0/users/${lee.aadObjectId}/revokeSignInSessions`);
    expect(response.status).toBe(401);
    expect(await validFrom(lee.aadObjectId)).toBeNull();
  });
});

describe('Graph sandbox: restore from deleted items', () => {
  it('answers 200 with the restored user as a directoryObject, sessions record kept', async () => {
    await client.api(`/users/${alex.aadObjectId}`).delete();

    const restored = await client.api(`/directory/deletedItems/${alex.aadObjectId}/restore`).post(undefined);

    expect(restored).toMatchObject({ '@odata.context': expect.stringMatching(/\$metadata#directoryObjects\/\$entity$/), '@odata.type': '#microsoft.graph.user', id: alex.aadObjectId });
    expect(await validFrom(alex.aadObjectId)).toMatch(/^\d{4}-/);
  });

  it('answers 404 for an account that is not in deleted items', async () => {
    const error = await graphError(client.api(`/directory/deletedItems/${lee.aadObjectId}/restore`).post(undefined));
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('Request_ResourceNotFound');
  });
});
