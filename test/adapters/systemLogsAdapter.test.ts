import { BlobServiceClient } from '@azure/storage-blob';
import { SystemLogsAdapter } from '../../src/adapters/systemLogs/systemLogsAdapter';
import type { ServiceAdapter } from '../../src/dsr';
import { RunningAzurite, startAzurite } from '../../src/sandbox/azurite';
import { createGraphSandbox, type GraphSandbox } from '../../src/sandbox/graph';
import { loadTenant } from '../../src/sandbox/tenant';
import { ServiceExportContainers } from '../../src/storage/serviceExportContainers';
import { callContext, collectFiles, serviceFailure, subjectFor } from '../support/adapterTesting';
import { freshDataDir } from '../support/dataDir';
import { waitFor } from '../support/waitFor';
import { createSandboxGraphClient, rawRequest } from '../sandbox/sandboxGraphClient';

/** The system-generated logs adapter through the Graph client, exporting into a bot-owned container in Azurite. */
jest.setTimeout(60_000);

const tenant = loadTenant();
const alex = subjectFor('alex.wilber@contoso.test');
const clock = { now: () => new Date() };

let azurite: RunningAzurite;
let graph: GraphSandbox;
let blobs: BlobServiceClient;
let adapter: SystemLogsAdapter;
let space: ServiceExportContainers;

beforeAll(async () => {
  const dataDir = freshDataDir('system-logs-adapter');
  azurite = await startAzurite({ location: `${dataDir}/azurite` });
  blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
  graph = await createGraphSandbox({ tenant, dataDir, port: 0, exportDelayMs: 1_000 });
  adapter = new SystemLogsAdapter(createSandboxGraphClient(graph), graph.url);
  space = new ServiceExportContainers(blobs, clock);
});

afterAll(async () => {
  await graph?.close();
  await azurite?.stop();
});

describe('SystemLogsAdapter', () => {
  it('counts one export on the approval card for access and export, and nothing for the other kinds', async () => {
    expect(await adapter.discover(alex, callContext('export'))).toMatchObject({ count: 1, items: [{ code: 'systemLogs.export' }] });
    expect(await adapter.discover(alex, callContext('access'))).toMatchObject({ count: 1 });
    expect(await adapter.discover(alex, callContext('erase'))).toEqual({ count: 0, items: [] });
  });

  it('adds nothing to the first package and changes nothing on erasure, saying why', async () => {
    expect(await collectFiles(adapter.export())).toEqual({});
    expect(await adapter.erase()).toEqual({ summary: { code: 'systemLogs.expungedWithAccount' }, count: 0 });
    const asService: ServiceAdapter = adapter;
    expect(asService.rectify).toBeUndefined();
    expect(asService.restrict).toBeUndefined();
  });

  it('starts the export into the request’s own container through a SAS that cannot read or delete, and follows it to complete', async () => {
    const sasUrl = await space.prepare('DSR-2026-0101');
    const permissions = new URL(sasUrl).searchParams.get('sp');
    expect(permissions).toBe('cwl');

    const started = await adapter.start(alex, sasUrl, callContext('export'));
    expect(started.operation).toMatch(new RegExp(`^${graph.url}/v1\\.0/dataPolicyOperations/`));
    expect(started.retryAfterSeconds).toBeGreaterThanOrEqual(1);

    const first = await adapter.check(started.operation, callContext('export'));
    expect(['notStarted', 'running']).toContain(first.status);
    const done = await waitFor('the export to complete', async () => {
      const check = await adapter.check(started.operation, callContext('export'));
      return check.status === 'complete' ? check : undefined;
    });
    expect(done.progress).toBe(100);

    const files: string[] = [];
    for await (const file of space.files('DSR-2026-0101')) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of file.content) chunks.push(chunk);
      files.push(Buffer.concat(chunks).toString());
    }
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(files.join('\n')).toContain(alex.aadObjectId);

    await space.remove('DSR-2026-0101');
    expect(await blobs.getContainerClient('dsr-export-dsr-2026-0101').exists()).toBe(false);
    await space.remove('DSR-2026-0101');
  });

  it('raises a ServiceError with status and code for an unknown user, and refuses to follow an operation off Graph', async () => {
    const sasUrl = await space.prepare('DSR-2026-0102');
    const gone = { ...alex, aadObjectId: '00000000-0000-4000-8000-00000000dead' };
    const failure = await serviceFailure(adapter.start(gone, sasUrl, callContext('export')));
    expect(failure).toMatchObject({ service: 'systemLogs', statusCode: 404, code: 'Request_ResourceNotFound' });
    const foreign = await serviceFailure(adapter.check('https://attacker.example/v1.0/dataPolicyOperations/x', callContext('export')));
    expect(foreign.code).toBe('ForeignOperation');
    const stats = (await rawRequest(graph, 'GET', '/_sandbox/stats')).body as { requests: Record<string, number> };
    expect(JSON.stringify(stats)).not.toContain('attacker.example');
  });
});
