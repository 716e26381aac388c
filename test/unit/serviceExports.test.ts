import { createHash } from 'node:crypto';
import { type DsrRequest, Executor, type ExportStore, type LongRunningExport, RawBytes, type RequestNotice, type ServiceAdapter, type ServiceExportCheck, ServiceExports, type ServiceExportSpace, type ServiceName } from '../../src/dsr';
import { ZipPackageWriter, type Manifest } from '../../src/storage/exportPackage';
import { MemoryRequestStore } from '../support/memoryRequestStore';
import { unzip } from '../support/unzip';
import { APPROVER_A, SUBJECT_AS_ACTOR, sampleRequest } from './sampleRequest';
import { auditLogOf } from '../support/auditFakes';

/** The long-running service export in the domain: started once, polled by the clock, delivered as a second package. */

const ID = 'DSR-2026-0042';
const DUE = '2026-12-22T00:00:00.000Z';
const HOUR = 3_600_000;
const LOG_FILE = Buffer.from('timestamp,userId\n2026-11-22T10:00:00Z,5d0c2f1e\n');

function memoryExportStore(now: () => Date): ExportStore & { blobs: Map<string, Buffer> } {
  const blobs = new Map<string, Buffer>();
  return {
    blobs,
    async openPackage(request: DsrRequest, part?: string) {
      const blobName = `${request.id}/${request.id}-${request.kind}${part ? `-${part}` : ''}.zip`;
      return new ZipPackageWriter(request, blobName, (zip) => new Promise<void>((resolve, reject) => {
        const chunks: Buffer[] = [];
        zip.on('data', (chunk: Buffer) => chunks.push(chunk));
        zip.on('end', () => { blobs.set(blobName, Buffer.concat(chunks)); resolve(); });
        zip.on('error', reject);
      }), now);
    },
  };
}

/** A Graph stand-in: counts starts and answers checks from a script. */
function scriptedExporter(): ServiceAdapter & LongRunningExport & { starts: string[]; checks: number; next: ServiceExportCheck; refuseStart: boolean } {
  const exporter = {
    service: 'systemLogs' as const,
    starts: [] as string[],
    checks: 0,
    next: { status: 'running', progress: 40, retryAfterSeconds: 60 } as ServiceExportCheck,
    refuseStart: false,
    discover: async () => ({ count: 1, items: [] }),
    erase: async () => ({ summary: { code: 'systemLogs.expungedWithAccount' as const }, count: 0 }),
    async *export() { /* delivered later */ },
    async start(_subject: unknown, destination: string) {
      if (exporter.refuseStart) throw Object.assign(new Error('refused'), { statusCode: 400 });
      exporter.starts.push(destination);
      return { operation: `https://graph.example/v1.0/dataPolicyOperations/op-${exporter.starts.length}`, retryAfterSeconds: 30 };
    },
    async check() {
      exporter.checks++;
      return exporter.next;
    },
  };
  return exporter;
}

function memorySpace(): ServiceExportSpace & { removed: number } {
  const space = {
    removed: 0,
    prepare: async (requestId: string) => `https://account.blob.example/dsr-export-${requestId.toLowerCase()}?sig=x`,
    async *files() {
      // In two chunks, as a blob download hands them over.
      yield { path: 'op-1/MicrosoftTeams/UsageEvents.csv', content: new RawBytes((async function* () { yield LOG_FILE.subarray(0, 10); yield LOG_FILE.subarray(10); })()) };
    },
    has: async () => space.removed === 0,
    remove: async () => { space.removed++; return true; },
  };
  return space;
}

function setUp() {
  let now = new Date('2026-11-22T10:00:00.000Z');
  const clock = { now: () => now };
  const store = new MemoryRequestStore();
  const notices: RequestNotice[] = [];
  const audit: string[] = [];
  const exporter = scriptedExporter();
  const space = memorySpace();
  const exports = memoryExportStore(clock.now);
  const common = {
    store, exports, clock,
    audit: auditLogOf(async (_id: string, event: string) => { audit.push(event); }),
    notifier: { notify: async (notice: RequestNotice) => { notices.push(notice); } },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  };
  const serviceExports = new ServiceExports({ ...common, exporter, space, minPollSeconds: 3_600, warnDaysBeforeDue: 10 });
  const profile: ServiceAdapter = {
    service: 'entra',
    discover: async () => ({ count: 1, items: [] }),
    erase: async () => ({ summary: { code: 'systemLogs.expungedWithAccount' as const }, count: 0 }),
    async *export() { yield { path: 'profile.json', content: { id: 'x' } }; },
  };
  const executor = new Executor({
    ...common,
    adapters: new Map<ServiceName, ServiceAdapter>([['entra', profile], ['systemLogs', exporter]]),
    queue: { enqueue: async () => undefined },
    purgeGraceDays: 30, workerId: 'test-worker', leaseMs: 30_000, serviceExports,
  });
  const request = async () => (await store.get(ID))!.request;
  const advance = (ms: number) => { now = new Date(now.getTime() + ms); };
  const setNow = (iso: string) => { now = new Date(iso); };
  return { store, notices, audit, exporter, space, exports, serviceExports, executor, request, advance, setNow };
}

const approved = () => sampleRequest({ state: 'approved', services: ['entra', 'systemLogs'], dueAt: DUE });

describe('a service export at execution', () => {
  it('delivers the first package at once, starts the export once and waits in awaiting_service_export', async () => {
    const t = setUp();
    await t.store.create(approved());
    await t.executor.execute(ID);

    const waiting = await t.request();
    expect(waiting.state).toBe('awaiting_service_export');
    expect(waiting.delivery?.blobName).toBe(`${ID}/${ID}-export.zip`);
    expect(waiting.serviceExport).toMatchObject({ service: 'systemLogs', status: 'notStarted', starts: 1, operation: 'https://graph.example/v1.0/dataPolicyOperations/op-1', progress: 0 });
    // The first wait is the longer of Graph's Retry-After (30 s) and the setting (1 h).
    expect(waiting.serviceExport!.nextPollAt).toBe('2026-11-22T11:00:00.000Z');
    expect(t.exporter.starts).toEqual(['https://account.blob.example/dsr-export-dsr-2026-0042?sig=x']);
    expect(t.notices).toContain('awaitingServiceExport');
    expect(t.notices).not.toContain('completed');

    // The step run again (a retried run, a resumed one) does not start a second export.
    expect(await t.serviceExports.start(waiting, () => true)).toMatchObject({ summary: { code: 'serviceExport.alreadyRequested' } });
    expect(t.exporter.starts).toHaveLength(1);
  });

  it('never asks again after a crash between recording the start and its answer: the export waits for an approver', async () => {
    const t = setUp();
    await t.store.create({
      ...approved(),
      state: 'executing',
      lease: { owner: 'dead-worker', expiresAt: '2026-11-22T09:00:00.000Z' },
      serviceExport: { service: 'systemLogs', status: 'requested', requestedAt: '2026-11-22T09:59:00.000Z', starts: 1 },
    });
    await t.executor.execute(ID);

    const waiting = await t.request();
    expect(waiting.state).toBe('awaiting_service_export');
    expect(waiting.serviceExport).toMatchObject({ status: 'unknown', starts: 1, warnedFor: DUE });
    expect(t.exporter.starts).toHaveLength(0);
    expect(t.notices).toContain('serviceExportNeedsApprovers');
  });
});

describe('polling a service export', () => {
  it('checks only when due, once for two jobs at the same time, and records progress and the next wait', async () => {
    const t = setUp();
    await t.store.create(approved());
    await t.executor.execute(ID);

    await t.serviceExports.poll(ID);
    expect(t.exporter.checks).toBe(0);

    t.advance(HOUR);
    await Promise.all([t.serviceExports.poll(ID), t.serviceExports.poll(ID)]);
    expect(t.exporter.checks).toBe(1);
    const running = (await t.request()).serviceExport!;
    expect(running).toMatchObject({ status: 'running', progress: 40, lastPolledAt: '2026-11-22T11:00:00.000Z', nextPollAt: '2026-11-22T12:00:00.000Z' });
    expect(t.notices.at(-1)).toBe('progress');

    // A Retry-After longer than the setting is honoured.
    t.exporter.next = { status: 'running', progress: 55, retryAfterSeconds: 4 * 3_600 };
    t.advance(HOUR);
    await t.serviceExports.poll(ID);
    expect((await t.request()).serviceExport!.nextPollAt).toBe('2026-11-22T16:00:00.000Z');
  });

  it('delivers the logs as a second package whose manifest hashes match, completes the request and removes the container', async () => {
    const t = setUp();
    await t.store.create(approved());
    await t.executor.execute(ID);
    t.exporter.next = { status: 'complete', progress: 100 };
    t.advance(HOUR);
    await t.serviceExports.poll(ID);

    const done = await t.request();
    expect(done.state).toBe('completed');
    expect(done.closedAt).toBe('2026-11-22T11:00:00.000Z');
    const blobName = `${ID}/${ID}-export-system-logs.zip`;
    expect(done.serviceExport).toMatchObject({ status: 'complete', delivery: { blobName } });
    expect(done.delivery?.blobName).toBe(`${ID}/${ID}-export.zip`);
    const files = await unzip(t.exports.blobs.get(blobName)!);
    const path = 'system-logs/op-1/MicrosoftTeams/UsageEvents.csv';
    expect(files.get(path)).toEqual(LOG_FILE);
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as Manifest;
    expect(manifest.files.find((f) => f.path === path)?.sha256).toBe(createHash('sha256').update(LOG_FILE).digest('hex'));
    expect(files.get('README.html')!.toString()).toContain('Entra system-generated logs');
    expect(files.get('README.html')!.toString()).toContain('exported by Microsoft');
    expect(t.space.removed).toBe(1);
    expect(t.notices.at(-1)).toBe('serviceExportDelivered');

    // A late duplicate job finds nothing to do.
    t.advance(HOUR);
    await t.serviceExports.poll(ID);
    expect(t.exporter.checks).toBe(1);
  });

  it('tells approvers once of a failed export, and an approver’s Retry starts it again into an emptied container', async () => {
    const t = setUp();
    await t.store.create(approved());
    await t.executor.execute(ID);
    t.exporter.next = { status: 'failed', progress: 0 };
    t.advance(HOUR);
    await t.serviceExports.poll(ID);
    expect((await t.request()).serviceExport).toMatchObject({ status: 'failed', warnedFor: DUE });
    expect(t.notices.filter((n) => n === 'serviceExportNeedsApprovers')).toHaveLength(1);
    t.advance(HOUR);
    await t.serviceExports.poll(ID);
    expect(t.exporter.checks).toBe(1);

    expect(await t.executor.retryFailedSteps(ID, SUBJECT_AS_ACTOR, true)).toMatchObject({ result: 'refused' });
    expect(await t.executor.retryFailedSteps(ID, APPROVER_A, false)).toMatchObject({ result: 'refused' });
    const retried = await t.executor.retryFailedSteps(ID, APPROVER_A, true);
    expect(retried.result).toBe('done');
    expect(t.space.removed).toBe(1);
    expect(t.exporter.starts).toHaveLength(2);
    expect((await t.request()).serviceExport).toMatchObject({ status: 'notStarted', starts: 2, operation: 'https://graph.example/v1.0/dataPolicyOperations/op-2' });
    expect(t.audit).toContain('service export retried');
    // Nothing left to retry while it runs.
    expect((await t.executor.retryFailedSteps(ID, APPROVER_A, true)).result).toBe('refused');
  });

  it('warns approvers once when the export still runs 10 days before the due date, not earlier', async () => {
    const t = setUp();
    await t.store.create(approved());
    await t.executor.execute(ID);
    t.setNow('2026-12-11T23:00:00.000Z');
    await t.serviceExports.poll(ID);
    expect(t.notices).not.toContain('serviceExportNeedsApprovers');

    t.setNow('2026-12-12T00:00:00.000Z');
    await t.serviceExports.poll(ID);
    expect(t.notices.filter((n) => n === 'serviceExportNeedsApprovers')).toHaveLength(1);
    t.setNow('2026-12-13T00:00:00.000Z');
    await t.serviceExports.poll(ID);
    expect(t.notices.filter((n) => n === 'serviceExportNeedsApprovers')).toHaveLength(1);
    expect((await t.request()).serviceExport!.warnedFor).toBe(DUE);
  });

  it('refuses a start Graph rejects without leaving the request stuck: the export is failed and approvers may retry', async () => {
    const t = setUp();
    t.exporter.refuseStart = true;
    await t.store.create(approved());
    await t.executor.execute(ID);
    const waiting = await t.request();
    expect(waiting.state).toBe('awaiting_service_export');
    expect(waiting.serviceExport).toMatchObject({ status: 'failed', starts: 1 });
    expect(t.notices).toContain('serviceExportNeedsApprovers');
    t.exporter.refuseStart = false;
    expect((await t.executor.retryFailedSteps(ID, APPROVER_A, true)).result).toBe('done');
    expect(t.exporter.starts).toHaveLength(1);
  });
});
