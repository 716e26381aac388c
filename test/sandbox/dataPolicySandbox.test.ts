import { BlobServiceClient, ContainerSASPermissions } from '@azure/storage-blob';
import { RunningAzurite, startAzurite } from '../../src/sandbox/azurite';
import { createGraphSandbox, type GraphSandbox } from '../../src/sandbox/graph';
import { loadTenant } from '../../src/sandbox/tenant';
import { freshDataDir } from '../support/dataDir';
import { waitFor } from '../support/waitFor';
import { rawRequest } from './sandboxGraphClient';

/**
 * The sandbox Graph's export of system-generated logs, held to the Graph v1.0 reference
 * (`user: exportPersonalData`, `dataPolicyOperation`): 202 with Location and Retry-After and no
 * body, then the operation's documented properties, and the logs written through the SAS alone.
 */
jest.setTimeout(60_000);

const tenant = loadTenant();
const alex = tenant.users.find((user) => user.upn === 'alex.wilber@contoso.test')!;
const AUTH = { Authorization: 'Bearer any-token' };
const OPERATION_KEYS = ['@odata.context', 'completedDateTime', 'id', 'progress', 'status', 'storageLocation', 'submittedDateTime', 'userId'];

let azurite: RunningAzurite;
let graph: GraphSandbox;
let blobs: BlobServiceClient;

beforeAll(async () => {
  const dataDir = freshDataDir('data-policy');
  azurite = await startAzurite({ location: `${dataDir}/azurite` });
  blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
  graph = await createGraphSandbox({ tenant, dataDir, port: 0, exportDelayMs: 1_500 });
});

afterAll(async () => {
  await graph?.close();
  await azurite?.stop();
});

/** A fresh container and a SAS on it allowing `permissions` only. */
async function containerSas(name: string, permissions: string): Promise<string> {
  const container = blobs.getContainerClient(name);
  await container.create();
  return container.generateSasUrl({ permissions: ContainerSASPermissions.parse(permissions), expiresOn: new Date(Date.now() + 3_600_000) });
}

const exportFor = (userId: string, body: unknown) => rawRequest(graph, 'POST', `/v1.0/users/${userId}/exportPersonalData`, { body, headers: AUTH });
const operationAt = (location: string) => rawRequest(graph, 'GET', new URL(location).pathname, { headers: AUTH });

describe('POST /users/{id}/exportPersonalData and GET /dataPolicyOperations/{id}', () => {
  it('accepts a container SAS URL with 202, no body, Location and Retry-After, then runs the operation to complete', async () => {
    const sasUrl = await containerSas('logs-complete', 'cwl');
    const accepted = await exportFor(alex.aadObjectId, { storageLocation: sasUrl });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toBeUndefined();
    const location = accepted.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^${graph.url}/v1\\.0/dataPolicyOperations/[0-9a-f-]{36}$`));
    expect(Number(accepted.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    const first = await operationAt(location);
    expect(first.status).toBe(200);
    expect(Object.keys(first.body as object).sort()).toEqual(OPERATION_KEYS.sort());
    expect(first.body).toMatchObject({
      '@odata.context': `${graph.url}/v1.0/$metadata#dataPolicyOperations/$entity`,
      id: location.split('/').pop(),
      userId: alex.aadObjectId,
      storageLocation: sasUrl,
      completedDateTime: null,
    });
    expect(['notStarted', 'running']).toContain((first.body as { status: string }).status);

    const done = await waitFor('the export to complete', async () => {
      const answer = await operationAt(location);
      return (answer.body as { status: string }).status === 'complete' ? answer.body as Record<string, unknown> : undefined;
    });
    expect(done.progress).toBe(100);
    expect(Date.parse(done.completedDateTime as string)).toBeGreaterThanOrEqual(Date.parse(done.submittedDateTime as string));

    const names: string[] = [];
    for await (const blob of blobs.getContainerClient('logs-complete').listBlobsFlat()) names.push(blob.name);
    expect(names.length).toBeGreaterThanOrEqual(3);
    const text = (await blobs.getContainerClient('logs-complete').getBlobClient(names[0]).downloadToBuffer()).toString();
    expect(text).toContain(alex.aadObjectId);
    expect(text).not.toContain(alex.displayName);
  });

  it('fails the operation when the SAS does not let it write, as Graph does', async () => {
    const readOnly = await containerSas('logs-read-only', 'rl');
    const { headers } = await exportFor(alex.aadObjectId, { storageLocation: readOnly });
    const failed = await waitFor('the export to fail', async () => {
      const answer = await operationAt(headers.get('location')!);
      const status = (answer.body as { status: string }).status;
      return status === 'complete' || status === 'failed' ? answer.body as Record<string, unknown> : undefined;
    });
    expect(failed).toMatchObject({ status: 'failed', completedDateTime: null });
  });

  it('answers 400 with a Graph error for a missing or non-container storage location, and 404 for an unknown user or operation', async () => {
    for (const body of [{}, { storageLocation: 'ftp://example.test/c?sig=x' }, { storageLocation: 'https://account.blob.core.windows.net/c/blob.json?sig=x' }, { storageLocation: 'https://account.blob.core.windows.net/c' }]) {
      const refused = await exportFor(alex.aadObjectId, body);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: { code: 'Request_BadRequest', innerError: expect.objectContaining({ 'request-id': expect.any(String) }) } });
    }
    const unknownUser = await exportFor('00000000-0000-4000-8000-00000000dead', { storageLocation: 'https://account.blob.core.windows.net/c?sig=x' });
    expect(unknownUser.status).toBe(404);
    expect(unknownUser.body).toMatchObject({ error: { code: 'Request_ResourceNotFound' } });
    const unknownOperation = await rawRequest(graph, 'GET', '/v1.0/dataPolicyOperations/00000000-0000-4000-8000-000000000000', { headers: AUTH });
    expect(unknownOperation.status).toBe(404);
  });

  it('keeps operations in its state across a restart', async () => {
    const sasUrl = await containerSas('logs-restart', 'cwl');
    const dataDir = freshDataDir('data-policy-restart');
    const before = await createGraphSandbox({ tenant, dataDir, port: 0, exportDelayMs: 60_000 });
    const accepted = await rawRequest(before, 'POST', `/v1.0/users/${alex.aadObjectId}/exportPersonalData`, { body: { storageLocation: sasUrl }, headers: AUTH });
    await before.close();
    const after = await createGraphSandbox({ tenant, dataDir, port: 0, exportDelayMs: 60_000 });
    try {
      const answer = await rawRequest(after, 'GET', new URL(accepted.headers.get('location')!).pathname, { headers: AUTH });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ userId: alex.aadObjectId, storageLocation: sasUrl });
    } finally {
      await after.close();
    }
  });
});
