import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { DEFAULT_WORKER_CONCURRENCY } from '../src/config';
import { DigitalTwinsAdapter } from '../src/adapters/digitalTwins/digitalTwinsAdapter';
import { type AdapterCallContext, type DsrRequest, StreamedArray, streamedArray, type Subject, systemClock } from '../src/dsr';
import { startAzurite } from '../src/sandbox/azurite';
import { ensureSandboxCertificate, sandboxCertificatePath } from '../src/sandbox/common';
import { createDigitalTwinsSandbox, type DigitalTwinsSeed, type RelationshipSeed, type TwinSeed } from '../src/sandbox/digitalTwins';
import { SandboxCredential } from '../src/sandbox/sandboxCredential';
import { loadTenant } from '../src/sandbox/tenant';
import { BlobExportStore } from '../src/storage/blobExportStore';
import type { Manifest } from '../src/storage/exportPackage';
import { STORAGE_NAMES } from '../src/storage/storageClients';
import { unzip } from '../test/support/unzip';
import { sandboxRequest, startBenchChild } from './benchChildren';

/**
 * Peak memory of one process exporting a subject's Digital Twins data into a ZIP in blob storage,
 * for a subject with 50,000 twins beside one with 5,000 (and one with 25,000), in the same
 * instance and the same run. The export is the real one: DigitalTwinsAdapter.export into
 * ZipPackageWriter through BlobExportStore, uploading to Azurite. The sandbox and Azurite run in
 * children of their own, and so does each export, so the peak RSS reported is the export's alone.
 * Streaming means the peaks stay near each other. The reference gathers each file's arrays whole
 * before writing it (what the adapters did before they streamed), on the 50,000-twin subject.
 * Last, as many exports as a bot's workers run at once by default, in one process: what a
 * process may hold when every worker exports.
 */

const SMALL = 5_000;
const MIDDLE = 25_000;
const LARGE = 50_000;
const OTHERS = 10_000;
const PEOPLE = 1_000;
const FLOORS = 100;
const subjectFor = (twins: number): Subject => ({
  aadObjectId: `bench-subject-${twins}`, upn: `bench.${twins}@contoso.test`, email: `bench.${twins}@contoso.test`, displayName: `Bench Subject ${twins}`,
});

type Mode = 'streamed' | 'wholeFiles';

/** What one package of a run holds, as its writer reported it and as counted on the way. */
interface PackageResult {
  blobName: string;
  zipBytes: number;
  sha256: string;
  twins: number;
  relationships: number;
}

/** What one run of exports (one, or several at once) measured in its own process. */
interface RunResult {
  wallMs: number;
  startRssMb: number;
  peakRssMb: number;
  /** The most heap in use seen just after a full garbage collection: what the exports hold. */
  liveHeapMb: number;
  fullGcs: number;
  packages: PackageResult[];
}

/**
 * 100 floors, 10,000 twins of 1,000 other people, and subjects with 5,000, 25,000 and 50,000 twins.
 * Each subject twin is on a floor (a far end that is no one's), near another person's twin (whose
 * id is pseudonymised) and visited by another one: 2 outgoing and 1 incoming relationship each.
 */
export function largeExportSeed(): DigitalTwinsSeed {
  const twins: TwinSeed[] = [];
  const relationships: RelationshipSeed[] = [];
  for (let f = 0; f < FLOORS; f++) twins.push({ $dtId: `floor-${f}`, $metadata: { $model: 'dtmi:bench:Floor;1' }, level: f });
  for (let i = 0; i < OTHERS; i++) {
    twins.push({ $dtId: `thing-${i}`, $metadata: { $model: 'dtmi:bench:Thing;1' }, ownerId: `person-${i % PEOPLE}`, label: `Thing ${i}` });
    relationships.push({ $relationshipId: `thing-${i}-on-floor`, $sourceId: `thing-${i}`, $targetId: `floor-${i % FLOORS}`, $relationshipName: 'isLocatedIn' });
  }
  for (const size of [SMALL, MIDDLE, LARGE]) {
    const owner = subjectFor(size).aadObjectId;
    for (let s = 0; s < size; s++) {
      const id = `s${size}-thing-${s}`;
      twins.push({
        $dtId: id,
        $metadata: { $model: 'dtmi:bench:Wearable;1' },
        ownerId: owner,
        label: `Wearable ${s}`,
        serial: `SN-${String(1_000_000 + s)}`,
        firmware: { version: `4.${s % 10}.${s % 7}`, channel: s % 3 === 0 ? 'beta' : 'stable' },
        settings: { vibrate: s % 2 === 0, brightness: s % 100, units: 'metric', reportingIntervalSeconds: 300 },
        lastSeen: new Date(Date.UTC(2026, 0, 1) + s * 60_000).toISOString(),
      });
      relationships.push(
        { $relationshipId: `${id}-on-floor`, $sourceId: id, $targetId: `floor-${s % FLOORS}`, $relationshipName: 'isLocatedIn' },
        { $relationshipId: `${id}-near`, $sourceId: id, $targetId: `thing-${(s * 7) % OTHERS}`, $relationshipName: 'near' },
        { $relationshipId: `visit-${size}-${s}`, $sourceId: `thing-${(s * 11 + 1) % OTHERS}`, $targetId: id, $relationshipName: 'visited' },
      );
    }
  }
  return { twins, relationships };
}

export async function largeExportBench(): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dsr-bench-large-export-'));
  ensureSandboxCertificate(dataDir);
  const ca = readFileSync(sandboxCertificatePath(dataDir), 'utf8');
  const azurite = await startAzurite({ location: path.join(dataDir, 'azurite') });
  const seeding = Date.now();
  const sandbox = await startBenchChild(__filename, ['--sandbox', dataDir]);
  const seedMs = Date.now() - seeding;
  try {
    const { url } = JSON.parse(sandbox.line) as { url: string };
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(STORAGE_NAMES.exportsContainer);
    await container.createIfNotExists();
    // The service's indexes exist before anyone asks; the sandbox builds its own on first use.
    for (const query of [
      "SELECT T.$dtId FROM DIGITALTWINS T WHERE T.ownerId = 'warm-up'",
      "SELECT * FROM RELATIONSHIPS WHERE $sourceId IN ['warm-up']",
      "SELECT * FROM RELATIONSHIPS WHERE $targetId IN ['warm-up']",
      "SELECT T.$dtId, T.ownerId FROM DIGITALTWINS T WHERE T.$dtId IN ['warm-up']",
    ]) {
      await sandboxRequest(url, ca, 'POST', '/query?api-version=2022-05-31', { query });
    }
    const measure = async (size: number, mode: Mode, count = 1) => {
      await sandboxRequest(url, ca, 'POST', '/_sandbox/stats/reset');
      const worker = await startBenchChild(__filename, ['--run', mode, String(size), String(count), url, azurite.connectionString], { NODE_EXTRA_CA_CERTS: sandboxCertificatePath(dataDir) });
      await worker.exited;
      const { packages, ...result } = JSON.parse(worker.line) as RunResult;
      const { requests } = JSON.parse(await sandboxRequest(url, ca, 'GET', '/_sandbox/stats')) as { requests: Record<string, number> };
      const correct = (await Promise.all(packages.map((one) => checked(container, one, size)))).every(Boolean);
      return {
        ...result,
        zipBytes: packages.reduce((sum, one) => sum + one.zipBytes, 0),
        twins: packages.reduce((sum, one) => sum + one.twins, 0),
        relationships: packages.reduce((sum, one) => sum + one.relationships, 0),
        httpCalls: Object.values(requests).reduce((sum, n) => sum + n, 0),
        correct,
      };
    };
    const small = await measure(SMALL, 'streamed');
    const middle = await measure(MIDDLE, 'streamed');
    const large = await measure(LARGE, 'streamed');
    const whole = await measure(LARGE, 'wholeFiles');
    const atOnceSmall = await measure(SMALL, 'streamed', DEFAULT_WORKER_CONCURRENCY);
    const atOnceLarge = await measure(LARGE, 'streamed', DEFAULT_WORKER_CONCURRENCY);
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    const shown = ({ wallMs, startRssMb, peakRssMb, liveHeapMb, fullGcs, zipBytes, twins, relationships, httpCalls, correct }: typeof small) =>
      ({ wallMs, startRssMb, peakRssMb, liveHeapMb, fullGcs, zipBytes, twins, relationships, httpCalls, correct });
    return {
      benchmark: 'largeExport',
      what: 'export of one subject\'s Digital Twins data: DigitalTwinsAdapter.export -> ZipPackageWriter -> BlobExportStore (block blob in Azurite, a child process)',
      instance: { twins: FLOORS + OTHERS + SMALL + MIDDLE + LARGE, sandboxSeedMs: seedMs },
      streamedAt5kTwins: shown(small),
      streamedAt25kTwins: shown(middle),
      streamedAt50kTwins: shown(large),
      streamed50kOver5k: {
        peakRssMb: ratio(large.peakRssMb, small.peakRssMb),
        liveHeapMb: ratio(large.liveHeapMb, small.liveHeapMb),
        wallMs: ratio(large.wallMs, small.wallMs),
        zipBytes: ratio(large.zipBytes, small.zipBytes),
      },
      // Both past V8's heap growth after start-up: twice the data, the same peak.
      streamed50kOver25k: { peakRssMb: ratio(large.peakRssMb, middle.peakRssMb), liveHeapMb: ratio(large.liveHeapMb, middle.liveHeapMb) },
      // The reference: each file's arrays gathered whole, then written (as before streaming).
      wholeFilesAt50kTwins: shown(whole),
      wholeFilesOverStreamedAt50k: { peakRssMb: ratio(whole.peakRssMb, large.peakRssMb), wallMs: ratio(whole.wallMs, large.wallMs) },
      // As many exports at once as a bot's workers run by default (DSR_WORKER_CONCURRENCY), each a package of its own.
      atOnce: {
        exports: DEFAULT_WORKER_CONCURRENCY,
        at5kTwinsEach: shown(atOnceSmall),
        at50kTwinsEach: shown(atOnceLarge),
        at50kEachOverOneAt50k: { peakRssMb: ratio(atOnceLarge.peakRssMb, large.peakRssMb), liveHeapMb: ratio(atOnceLarge.liveHeapMb, large.liveHeapMb) },
      },
    };
  } finally {
    sandbox.child.kill('SIGTERM');
    await sandbox.exited;
    await azurite.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The blob is the package the export reported, and holds every twin and relationship, hashed as the manifest says. */
async function checked(container: ContainerClient, result: PackageResult, size: number): Promise<boolean> {
  const zip = await container.getBlockBlobClient(result.blobName).downloadToBuffer();
  const files = await unzip(zip);
  const manifest = JSON.parse(files.get('manifest.json')!.toString()) as Manifest;
  const hashesHold = manifest.files.every((f) => createHash('sha256').update(files.get(f.path)!).digest('hex') === f.sha256 && files.get(f.path)!.length === f.bytes);
  const twins = JSON.parse(files.get('digital-twins/twins.json')!.toString()) as unknown[];
  const { outgoing, incoming } = JSON.parse(files.get('digital-twins/relationships.json')!.toString()) as { outgoing: unknown[]; incoming: unknown[] };
  return zip.length === result.zipBytes && createHash('sha256').update(zip).digest('hex') === result.sha256 && hashesHold &&
    twins.length === size && result.twins === size && outgoing.length === 2 * size && incoming.length === size && result.relationships === 3 * size;
}

/**
 * `count` exports of the same subject at once, in this process (one is the usual run): each the
 * adapter's files into a package of its own in the blob store, as a bot's workers run them.
 */
async function workerMain(mode: Mode, size: number, count: number, url: string, connectionString: string): Promise<void> {
  const subject = subjectFor(size);
  const container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(STORAGE_NAMES.exportsContainer);
  const store = new BlobExportStore(container, systemClock);
  const adapter = new DigitalTwinsAdapter({ endpoint: url, credential: new SandboxCredential(), pseudonymKey: 'bench-key' });
  const startRssMb = Math.round(process.memoryUsage.rss() / 1024 / 1024);
  // Heap in use right after each full collection (the observer runs just after it): the live data.
  let liveHeap = 0;
  let fullGcs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // A 'gc' entry carries its kind in `detail` (@types/node 22 no longer declares it on PerformanceEntry).
      if ((entry as { detail?: { kind?: number } }).detail?.kind !== perfConstants.NODE_PERFORMANCE_GC_MAJOR) continue;
      fullGcs++;
      liveHeap = Math.max(liveHeap, process.memoryUsage().heapUsed);
    }
  }).observe({ entryTypes: ['gc'] });
  const exportOne = async (n: number): Promise<PackageResult> => {
    const request: DsrRequest = {
      id: `DSR-BENCH-${size}${mode === 'wholeFiles' ? 'W' : ''}${count > 1 ? `-${n}` : ''}`, kind: 'export', regime: 'GDPR', state: 'executing', subject,
      requester: { aadObjectId: subject.aadObjectId, displayName: subject.displayName }, channel: 'teams-chat', services: ['digitalTwins'],
      receivedAt: new Date().toISOString(), dueAt: '2026-12-31', discovery: {}, decisions: [], steps: {}, cards: {},
    };
    const context: AdapterCallContext = { requestId: request.id, kind: 'export' };
    const writer = await store.openPackage(request);
    const counts = { 'twins.json': 0, 'relationships.json': 0 } as Record<string, number>;
    for await (const file of adapter.export(subject, context)) {
      const counted = countingItems(file.content, () => counts[file.path]++);
      await writer.addFile(`digital-twins/${file.path}`, mode === 'wholeFiles' ? await gatheredWhole(counted) : counted);
    }
    const delivery = await writer.finish();
    return { blobName: delivery.blobName, zipBytes: delivery.bytes, sha256: delivery.sha256, twins: counts['twins.json'], relationships: counts['relationships.json'] };
  };
  const started = process.hrtime.bigint();
  const packages = await Promise.all(Array.from({ length: count }, (_, n) => exportOne(n + 1)));
  const wallMs = Number((process.hrtime.bigint() - started) / 1_000_000n);
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const result: RunResult = {
    wallMs, startRssMb, peakRssMb, liveHeapMb: Math.round((fullGcs > 0 ? liveHeap : process.memoryUsage().heapUsed) / 1024 / 1024), fullGcs, packages,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // The SDKs' keep-alive sockets would hold the process open.
  process.exit(0);
}

/** The content with each streamed array's items counted as they pass. */
function countingItems(content: unknown, onItem: () => void): unknown {
  if (content instanceof StreamedArray) {
    return streamedArray((async function* () {
      for await (const item of content) {
        onItem();
        yield item;
      }
    })());
  }
  if (typeof content !== 'object' || content === null || Array.isArray(content)) return content;
  return Object.fromEntries(Object.entries(content).map(([key, value]) => [key, countingItems(value, onItem)]));
}

/** The content with every streamed array read into an array first. */
async function gatheredWhole(content: unknown): Promise<unknown> {
  if (content instanceof StreamedArray) {
    const items: unknown[] = [];
    for await (const item of content) items.push(item);
    return items;
  }
  if (typeof content !== 'object' || content === null || Array.isArray(content)) return content;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(content)) out[key] = await gatheredWhole(value);
  return out;
}

async function sandboxMain(dataDir: string): Promise<void> {
  const sandbox = await createDigitalTwinsSandbox({ tenant: loadTenant(), dataDir, port: 0, seed: largeExportSeed() });
  process.stdout.write(`${JSON.stringify({ url: sandbox.url })}\n`);
  process.once('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
}

if (require.main === module) {
  const [role, ...rest] = process.argv.slice(2);
  const run = role === '--sandbox' ? sandboxMain(rest[0])
    : role === '--run' ? workerMain(rest[0] as Mode, Number(rest[1]), Number(rest[2]), rest[3], rest[4])
      : largeExportBench().then((report) => console.log(JSON.stringify(report, null, 2)));
  run.catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
