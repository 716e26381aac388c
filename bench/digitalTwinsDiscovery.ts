import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServiceCaller } from '../src/adapters/callPolicy';
import { DigitalTwinsAdapter } from '../src/adapters/digitalTwins';
import { createDigitalTwinsClient, withAbortSignal } from '../src/adapters/digitalTwins/digitalTwinsClient';
import type { IncomingRelationship } from '@azure/digital-twins-core';
import type { AdapterCallContext } from '../src/dsr/serviceAdapter';
import type { Subject } from '../src/dsr/types';
import { ensureSandboxCertificate, sandboxCertificatePath } from '../src/sandbox/common';
import { createDigitalTwinsSandbox, type DigitalTwinsSeed, type RelationshipSeed, type TwinSeed } from '../src/sandbox/digitalTwins';
import { SandboxCredential } from '../src/sandbox/sandboxCredential';
import { loadTenant } from '../src/sandbox/tenant';
import { sandboxRequest, startBenchChild } from './benchChildren';

/**
 * Discovery + export of one subject in an instance of 100,000 twins, the adapter's targeted
 * queries against a naive scan (`SELECT * FROM DIGITALTWINS`, every page, filtered client side,
 * relationships listed twin by twin). The sandbox runs in a child process of its own, and each
 * approach in another, so the peak RSS of each is its own and not the sandbox's.
 */

const TWINS = 100_000;
/** A tenth of the instance, to show the targeted path's memory does not grow with the instance. */
const SMALL_TWINS = 10_000;
const SUBJECT_TWINS = 200;
const FLOORS = 100;
const PEOPLE = 1_000;
const SUBJECT_ID = 'bench-subject-0000';
const subject: Subject = { aadObjectId: SUBJECT_ID, upn: 'bench.subject@contoso.test', email: 'bench.subject@contoso.test', displayName: 'Bench Subject' };
const context: AdapterCallContext = { requestId: 'DSR-BENCH-0001', kind: 'export' };

/** What one approach measured in its own process. */
interface RunResult {
  wallMs: number;
  peakRssMb: number;
  twins: number;
  relationships: number;
}

/**
 * 100,000 twins: 100 floors, 200 owned by the subject, the rest by 1,000 other people. Every
 * twin but a floor is on a floor; each of the subject's twins also points at someone else's twin
 * and is visited by another one, so it has 3 relationships (600 in all).
 */
export function benchSeed(size = TWINS): DigitalTwinsSeed {
  const twins: TwinSeed[] = [];
  const relationships: RelationshipSeed[] = [];
  const model = { $model: 'dtmi:bench:Thing;1' };
  for (let f = 0; f < FLOORS; f++) twins.push({ $dtId: `floor-${f}`, $metadata: { $model: 'dtmi:bench:Floor;1' }, level: f });
  const others = size - FLOORS - SUBJECT_TWINS;
  for (let i = 0; i < others; i++) {
    const id = `thing-${i}`;
    twins.push({ $dtId: id, $metadata: model, ownerId: `person-${i % PEOPLE}`, label: `Thing ${i}`, serial: `SN-${100000 + i}` });
    relationships.push({ $relationshipId: `${id}-on-floor`, $sourceId: id, $targetId: `floor-${i % FLOORS}`, $relationshipName: 'isLocatedIn' });
  }
  for (let s = 0; s < SUBJECT_TWINS; s++) {
    const id = `subject-thing-${s}`;
    // Spread among the others, as a subject's twins are in a real instance.
    twins.splice(FLOORS + s * Math.floor(others / SUBJECT_TWINS), 0, { $dtId: id, $metadata: model, ownerId: SUBJECT_ID, label: `Subject thing ${s}` });
    relationships.push(
      { $relationshipId: `${id}-on-floor`, $sourceId: id, $targetId: `floor-${s % FLOORS}`, $relationshipName: 'isLocatedIn' },
      { $relationshipId: `${id}-near`, $sourceId: id, $targetId: `thing-${s * 7}`, $relationshipName: 'near' },
      { $relationshipId: `visit-${s}`, $sourceId: `thing-${s * 11 + 1}`, $targetId: id, $relationshipName: 'visited' },
    );
  }
  return { twins, relationships };
}

/**
 * Runs the benchmark: for each instance size a sandbox child is seeded, and each approach runs
 * in a child of its own against it. The naive scan runs on the full instance only.
 */
export async function digitalTwinsDiscoveryBench(): Promise<Record<string, unknown>> {
  const small = await againstInstance(SMALL_TWINS, ['targeted']);
  const full = await againstInstance(TWINS, ['targeted', 'naive']);
  const targeted = full.targeted!;
  const naive = full.naive!;
  if (targeted.twins !== naive.twins || targeted.relationships !== naive.relationships || small.targeted!.twins !== targeted.twins) {
    throw new Error('The approaches or the instance sizes found different things.');
  }
  const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;
  return {
    benchmark: 'digitalTwinsDiscovery',
    what: 'discovery + export of one subject (both steps, as the executor runs them)',
    instance: { twins: TWINS, subjectTwins: SUBJECT_TWINS, subjectRelationships: SUBJECT_TWINS * 3, sandboxSeedMs: full.seedMs },
    found: { twins: targeted.twins, relationships: targeted.relationships },
    targeted: pick(targeted),
    naiveScan: pick(naive),
    naiveOverTargeted: {
      wallMs: ratio(naive.wallMs, targeted.wallMs),
      httpCalls: ratio(naive.httpCalls, targeted.httpCalls),
      peakRssMb: ratio(naive.peakRssMb, targeted.peakRssMb),
    },
    // Ten times the twins, the same subject: calls and memory of the targeted path stay put.
    targetedAt10kTwins: pick(small.targeted!),
    targeted100kOver10k: {
      httpCalls: ratio(targeted.httpCalls, small.targeted!.httpCalls),
      peakRssMb: ratio(targeted.peakRssMb, small.targeted!.peakRssMb),
    },
  };
}

type Measured = RunResult & { httpCalls: number; callsByRoute: Record<string, number> };

async function againstInstance(size: number, modes: ('targeted' | 'naive')[]): Promise<{ seedMs: number } & Partial<Record<'targeted' | 'naive', Measured>>> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dsr-bench-digitaltwins-'));
  ensureSandboxCertificate(dataDir);
  const ca = readFileSync(sandboxCertificatePath(dataDir), 'utf8');
  const seeding = Date.now();
  const sandbox = await startBenchChild(__filename, ['--sandbox', dataDir, String(size)]);
  const { url } = JSON.parse(sandbox.line) as { url: string };
  const seedMs = Date.now() - seeding;
  try {
    // The service's indexes exist before anyone asks; the sandbox builds its own on first use.
    for (const query of [
      "SELECT * FROM DIGITALTWINS T WHERE T.ownerId = 'warm-up' OR T.$dtId = 'warm-up'",
      "SELECT * FROM RELATIONSHIPS WHERE $sourceId IN ['warm-up'] OR $targetId IN ['warm-up']",
    ]) {
      await sandboxRequest(url, ca, 'POST', '/query?api-version=2022-05-31', { query });
    }
    const results: Partial<Record<'targeted' | 'naive', Measured>> = {};
    for (const mode of modes) {
      await sandboxRequest(url, ca, 'POST', '/_sandbox/stats/reset');
      const worker = await startBenchChild(__filename, ['--run', mode, url], { NODE_EXTRA_CA_CERTS: sandboxCertificatePath(dataDir) });
      const result = JSON.parse(worker.line) as RunResult;
      await worker.exited;
      const { requests } = JSON.parse(await sandboxRequest(url, ca, 'GET', '/_sandbox/stats')) as { requests: Record<string, number> };
      results[mode] = { ...result, httpCalls: Object.values(requests).reduce((sum, n) => sum + n, 0), callsByRoute: requests };
    }
    return { seedMs, ...results };
  } finally {
    sandbox.child.kill('SIGTERM');
    await sandbox.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function pick(result: Measured) {
  return { wallMs: result.wallMs, httpCalls: result.httpCalls, peakRssMb: result.peakRssMb, callsByRoute: result.callsByRoute };
}

/** The adapter as the executor uses it: discover, then export. */
async function targetedRun(url: string): Promise<Omit<RunResult, 'wallMs' | 'peakRssMb'>> {
  const adapter = new DigitalTwinsAdapter({ endpoint: url, credential: new SandboxCredential(), pseudonymKey: 'bench-key' });
  await adapter.discover(subject, context);
  let twins = 0;
  let relationships = 0;
  const count = async (items: AsyncIterable<unknown>) => {
    let n = 0;
    for await (const _ of items) n++;
    return n;
  };
  // The export streams its arrays: counting them reads them, as the package writer does.
  for await (const file of adapter.export(subject, context)) {
    if (file.path === 'twins.json') twins = await count(file.content as AsyncIterable<unknown>);
    else {
      const { outgoing, incoming } = file.content as { outgoing: AsyncIterable<unknown>; incoming: AsyncIterable<unknown> };
      relationships = (await count(outgoing)) + (await count(incoming));
    }
  }
  return { twins, relationships };
}

/** What an adapter without server-side filtering does, for each of the two steps. */
async function naiveRun(url: string): Promise<Omit<RunResult, 'wallMs' | 'peakRssMb'>> {
  const client = createDigitalTwinsClient(url, new SandboxCredential());
  const caller = new ServiceCaller('digitalTwins');
  const call = <T>(operation: string, fn: () => Promise<T>) =>
    caller.call(operation, (signal) => withAbortSignal(signal, fn), context);
  let result = { twins: 0, relationships: 0 };
  for (const step of ['discover', 'export']) {
    const owned: string[] = [];
    // Export needs every twin's owner to tell other people's twins from the rest.
    const ownerOf = new Map<string, unknown>();
    let continuationToken: string | undefined;
    do {
      const page = await call('query twins', async () => (await client.queryTwins('SELECT * FROM DIGITALTWINS', 1000).byPage({ continuationToken }).next()).value);
      for (const twin of page.value as { $dtId: string; ownerId?: unknown }[]) {
        if (twin.ownerId === SUBJECT_ID) owned.push(twin.$dtId);
        if (step === 'export') ownerOf.set(twin.$dtId, twin.ownerId);
      }
      continuationToken = page.continuationToken;
    } while (continuationToken);
    const ownedSet = new Set(owned);
    const perTwin = await Promise.all(owned.map(async (id) => {
      let count = 0;
      let next: string | undefined;
      do {
        const page = await call('list relationships', async () => (await client.listRelationships(id).byPage({ continuationToken: next }).next()).value);
        count += (page.value ?? []).length;
        next = page.nextLink;
      } while (next);
      do {
        const page = await call('list incoming relationships', async () =>
          (await client.listIncomingRelationships(id).byPage({ continuationToken: next }).next()).value);
        count += (page.value ?? []).filter((r: IncomingRelationship) => !ownedSet.has(r.sourceId ?? '')).length;
        next = page.nextLink;
      } while (next);
      return count;
    }));
    result = { twins: owned.length, relationships: perTwin.reduce((sum, n) => sum + n, 0) };
  }
  return result;
}

async function workerMain(mode: string, url: string): Promise<void> {
  const started = process.hrtime.bigint();
  const found = mode === 'targeted' ? await targetedRun(url) : await naiveRun(url);
  const wallMs = Number((process.hrtime.bigint() - started) / 1_000_000n);
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify({ ...found, wallMs, peakRssMb })}\n`);
  // The SDK's keep-alive sockets would hold the process open.
  process.exit(0);
}

async function sandboxMain(dataDir: string, size: number): Promise<void> {
  const sandbox = await createDigitalTwinsSandbox({ tenant: loadTenant(), dataDir, port: 0, seed: benchSeed(size) });
  process.stdout.write(`${JSON.stringify({ url: sandbox.url })}\n`);
  process.once('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
}

if (require.main === module) {
  const [role, ...rest] = process.argv.slice(2);
  const run = role === '--sandbox' ? sandboxMain(rest[0], Number(rest[1]))
    : role === '--run' ? workerMain(rest[0], rest[1])
      : digitalTwinsDiscoveryBench().then((report) => console.log(JSON.stringify(report, null, 2)));
  run.catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
