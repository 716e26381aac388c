import { createHash } from 'node:crypto';
import { type AuditLog, type DsrRequest, Executor, type ExportFile, type ExportStore, type ServiceAdapter, ServiceError, type ServiceName, streamedArray } from '../../src/dsr';
import { ZipPackageWriter, type Manifest } from '../../src/storage/exportPackage';
import { MemoryRequestStore } from '../support/memoryRequestStore';
import { unzip } from '../support/unzip';
import { APPROVER_A, sampleRequest } from './sampleRequest';
import { auditLogOf } from '../support/auditFakes';

/** Block blobs in memory: a blob is committed only when its upload stream ends, never when it fails. */
function memoryExportStore(): ExportStore & { blobs: Map<string, Buffer>; failedUploads: number } {
  const store = {
    blobs: new Map<string, Buffer>(),
    failedUploads: 0,
    async openPackage(request: DsrRequest) {
      const blobName = `${request.id}/${request.id}-${request.kind}.zip`;
      return new ZipPackageWriter(request, blobName, (zip) => new Promise<void>((resolve, reject) => {
        const chunks: Buffer[] = [];
        zip.on('data', (chunk: Buffer) => chunks.push(chunk));
        zip.on('end', () => {
          store.blobs.set(blobName, Buffer.concat(chunks));
          resolve();
        });
        zip.on('error', (error) => {
          store.failedUploads++;
          reject(error);
        });
      }), () => new Date('2026-11-22T10:00:00.000Z'));
    },
  };
  return store;
}

/** A Digital Twins stand-in whose twin pages fail on page 3 of the first run only. */
function flakyTwins(): ServiceAdapter & { runs: number } {
  const adapter = {
    service: 'digitalTwins' as const,
    runs: 0,
    discover: async () => ({ count: 0, items: [] }),
    erase: async () => ({ summary: { code: 'digitalTwins.deleted' as const, twins: 0, relationships: 0 }, count: 0 }),
    async *export(): AsyncIterable<ExportFile> {
      const run = ++adapter.runs;
      yield {
        path: 'twins.json',
        content: streamedArray((async function* () {
          for (let page = 0; page < 5; page++) {
            if (run === 1 && page === 2) throw new ServiceError('digitalTwins', 'digitalTwins: query twins answered 503', 503);
            for (let i = 0; i < 200; i++) yield { $dtId: `twin-${page * 200 + i}` };
          }
        })()),
      };
    },
  };
  return adapter;
}

const profile: ServiceAdapter = {
  service: 'entra',
  discover: async () => ({ count: 1, items: [] }),
  erase: async () => ({ summary: { code: 'digitalTwins.deleted' as const, twins: 0, relationships: 0 }, count: 0 }),
  async *export() {
    yield { path: 'profile.json', content: { id: 'x' } };
  },
};

/** An executor over these parts, whose notices go nowhere, at a fixed time. */
const executorOf = (store: MemoryRequestStore, exports: ExportStore, adapters: Map<ServiceName, ServiceAdapter>, audit: AuditLog) => new Executor({
  store, exports, adapters, audit,
  queue: { enqueue: async () => undefined },
  notifier: { notify: async () => undefined },
  clock: { now: () => new Date('2026-11-22T10:00:00.000Z') },
  log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  purgeGraceDays: 30,
  workerId: 'test-worker',
  leaseMs: 30_000,
});

describe('an export whose service fails part-way through a streamed file', () => {
  it('stores nothing, reports that service failed and the other done, and a run from scratch stores the whole package', async () => {
    const store = new MemoryRequestStore();
    const exports = memoryExportStore();
    const twins = flakyTwins();
    const adapters = new Map<ServiceName, ServiceAdapter>([['digitalTwins', twins], ['entra', profile]]);
    const executor = executorOf(store, exports, adapters, auditLogOf(async () => undefined));
    await store.create(sampleRequest({ state: 'approved', services: ['digitalTwins', 'entra'] }));

    await executor.execute('DSR-2026-0042');
    const failed = (await store.get('DSR-2026-0042'))!.request;
    expect(failed.state).toBe('failed_partially');
    expect(failed.steps.digitalTwins).toMatchObject({ status: 'failed', error: { service: 'digitalTwins', kind: 'status', status: 503 } });
    expect(failed.steps.entra).toMatchObject({ status: 'done', count: 1 });
    expect(failed.delivery).toBeUndefined();
    // The half-written package was given up: the upload failed rather than committed.
    expect(exports.blobs.size).toBe(0);
    expect(exports.failedUploads).toBe(1);

    expect((await executor.retryFailedSteps('DSR-2026-0042', APPROVER_A, true)).result).toBe('done');
    await executor.execute('DSR-2026-0042');
    const done = (await store.get('DSR-2026-0042'))!.request;
    expect(done.state).toBe('completed');
    expect(twins.runs).toBe(2);
    const zip = exports.blobs.get('DSR-2026-0042/DSR-2026-0042-export.zip')!;
    expect(done.delivery).toMatchObject({ sha256: createHash('sha256').update(zip).digest('hex'), bytes: zip.length });
    const files = await unzip(zip);
    expect((JSON.parse(files.get('digital-twins/twins.json')!.toString()) as unknown[])).toHaveLength(1000);
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as Manifest;
    const listed = manifest.files.find((f) => f.path === 'digital-twins/twins.json')!;
    expect(listed.sha256).toBe(createHash('sha256').update(files.get('digital-twins/twins.json')!).digest('hex'));
  });
});

describe('an export that goes through', () => {
  it('writes its outcome with its end in one write (the lease released), and appends the package and the completion in one transaction', async () => {
    const store = new MemoryRequestStore();
    const exports = memoryExportStore();
    const transactions: string[][] = [];
    const executor = executorOf(store, exports, new Map<ServiceName, ServiceAdapter>([['entra', profile]]), {
      begin: async (_, event) => void transactions.push([event]),
      append: async (_, event) => void transactions.push([event]),
      appendAll: async (_, events) => void transactions.push(events.map((e) => e.event)),
    });
    await store.create(sampleRequest({ state: 'approved', services: ['entra'] }));
    const writes = jest.spyOn(store, 'replace');

    await executor.execute('DSR-2026-0042');
    const done = (await store.get('DSR-2026-0042'))!.request;
    expect(done).toMatchObject({ state: 'completed', steps: { entra: { status: 'done', count: 1 } }, delivery: { bytes: expect.any(Number) } });
    expect(done.lease).toBeUndefined();
    // The lease taken, then the outcome and the end together.
    expect(writes.mock.calls.map(([r]) => [r.state, Boolean(r.lease)])).toEqual([['executing', true], ['completed', false]]);
    expect(transactions).toEqual([['execution started'], ['step done'], ['package written', 'completed']]);
  });
});
