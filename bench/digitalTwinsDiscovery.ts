import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServiceCaller } from '../src/adapters/calls/callPolicy';
import { DigitalTwinsAdapter } from '../src/adapters/digitalTwins/digitalTwinsAdapter';
import { createDigitalTwinsClient, withAbortSignal } from '../src/adapters/digitalTwins/digitalTwinsClient';
import type { IncomingRelationship } from '@azure/digital-twins-core';
import type { AdapterCallContext, PlanItem, Subject } from '../src/dsr';
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
 *
 * Then the execution side: discovery + erase of the same subject, with the plan discovery made
 * and without one (re-discovery, as for requests discovered before plans), each path on a freshly
 * seeded instance so that both erase the same data; the calls beside the floor of each.
 */

const TWINS = 100_000;
/** A tenth of the instance, to show the targeted path's memory does not grow with the instance. */
const SMALL_TWINS = 10_000;
const SUBJECT_TWINS = 200;
/** Each subject twin has 3 relationships (see {@link benchSeed}). */
const SUBJECT_RELATIONSHIPS = SUBJECT_TWINS * 3;
/**
 * The erase paths run on the smaller instance: the sandbox copies and writes its whole state on
 * every delete, which at 100,000 twins would make 800 deletes take many minutes. The calls do not
 * depend on the instance's size (targeted100kOver10k shows it for discovery).
 */
const ERASE_TWINS = SMALL_TWINS;
const FLOORS = 100;
const PEOPLE = 1_000;
const SUBJECT_ID = 'bench-subject-0000';
const subject: Subject = { aadObjectId: SUBJECT_ID, upn: 'bench.subject@contoso.test', email: 'bench.subject@contoso.test', displayName: 'Bench Subject' };
const context: AdapterCallContext = { requestId: 'DSR-BENCH-0001', kind: 'export' };
const eraseContext: AdapterCallContext = { requestId: 'DSR-BENCH-0002', kind: 'erase' };

/** What one approach measured in its own process: time, memory, and what it found or did. */
interface RunResult {
  wallMs: number;
  peakRssMb: number;
  found: Record<string, number>;
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
  const withPlan = await erasePath(true);
  const withoutPlan = await erasePath(false);
  const targeted = full.targeted!;
  const naive = full.naive!;
  if (targeted.found.twins !== naive.found.twins || targeted.found.relationships !== naive.found.relationships || small.targeted!.found.twins !== targeted.found.twins) {
    throw new Error('The approaches or the instance sizes found different things.');
  }
  const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;
  return {
    benchmark: 'digitalTwinsDiscovery',
    what: 'discovery + export of one subject (both steps, as the executor runs them)',
    instance: { twins: TWINS, subjectTwins: SUBJECT_TWINS, subjectRelationships: SUBJECT_RELATIONSHIPS, sandboxSeedMs: full.seedMs },
    found: targeted.found,
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
    erase: {
      what: `discovery, then erase of the same subject, on a fresh instance of ${ERASE_TWINS} twins per path`,
      withPlan: erasePathReport(withPlan, plannedEraseFloor()),
      withoutPlan: erasePathReport(withoutPlan, discoveryFloor() + SUBJECT_TWINS + SUBJECT_RELATIONSHIPS),
    },
  };
}

/** Calls of discovery: 1 query page per 1,000 twins, 1 relationship query per 100 twins (the `IN` batch); it looks up no far ends. */
function discoveryFloor(): number {
  return Math.ceil(SUBJECT_TWINS / 1000) + Math.ceil(SUBJECT_TWINS / 100);
}

/** Calls of erase with a plan: 1 id query page per 1,000 twins (the delta), one DELETE per planned relationship and twin (no API batches them). */
function plannedEraseFloor(): number {
  return Math.ceil(SUBJECT_TWINS / 1000) + SUBJECT_RELATIONSHIPS + SUBJECT_TWINS;
}

function erasePathReport({ discovery, erase }: { discovery: Measured; erase: Measured }, eraseFloor: number) {
  return {
    discoveryCalls: discovery.httpCalls,
    discoveryFloor: discoveryFloor(),
    eraseCalls: erase.httpCalls,
    eraseFloor,
    totalCalls: discovery.httpCalls + erase.httpCalls,
    totalFloor: discoveryFloor() + eraseFloor,
    // No wall time: the sandbox writes its whole state on every delete, so it would time the sandbox.
    eraseQueries: erase.callsByRoute['POST /query'] ?? 0,
    removed: erase.found.removed,
    delta: erase.found.delta,
    eraseCallsByRoute: erase.callsByRoute,
  };
}

type Measured = RunResult & { httpCalls: number; callsByRoute: Record<string, number> };

async function againstInstance(size: number, modes: ('targeted' | 'naive')[]): Promise<{ seedMs: number } & Partial<Record<'targeted' | 'naive', Measured>>> {
  return withInstance(size, async (instance) => {
    const results: Partial<Record<'targeted' | 'naive', Measured>> = {};
    for (const mode of modes) results[mode] = await measured(instance, [mode, instance.url]);
    return { seedMs: instance.seedMs, ...results };
  });
}

/**
 * Discovery, then erase (with the plan discovery wrote, or without one), each in a child of its
 * own, on a freshly seeded instance: erase is destructive, so each path gets the same data.
 */
async function erasePath(withPlan: boolean): Promise<{ discovery: Measured; erase: Measured }> {
  return withInstance(ERASE_TWINS, async (instance) => {
    const planFile = path.join(instance.dataDir, 'plan.json');
    const discovery = await measured(instance, ['discover', instance.url, planFile]);
    const erase = await measured(instance, ['erase', instance.url, ...(withPlan ? [planFile] : [])]);
    if (discovery.found.planned !== SUBJECT_TWINS + SUBJECT_RELATIONSHIPS || erase.found.removed !== discovery.found.planned || erase.found.delta !== 0) {
      throw new Error(`The erase path ${withPlan ? 'with' : 'without'} a plan did not remove what discovery found.`);
    }
    return { discovery, erase };
  });
}

/** A seeded sandbox in a child process, running while `work` runs. */
interface Instance {
  url: string;
  ca: string;
  dataDir: string;
  seedMs: number;
}

async function withInstance<T>(size: number, work: (instance: Instance) => Promise<T>): Promise<T> {
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
    return await work({ url, ca, dataDir, seedMs });
  } finally {
    sandbox.child.kill('SIGTERM');
    await sandbox.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs one worker role (`--run <role> ...`) in a child against the instance, with the calls it made there. */
async function measured(instance: Instance, args: string[]): Promise<Measured> {
  await sandboxRequest(instance.url, instance.ca, 'POST', '/_sandbox/stats/reset');
  const worker = await startBenchChild(__filename, ['--run', ...args], { NODE_EXTRA_CA_CERTS: sandboxCertificatePath(instance.dataDir) });
  const result = JSON.parse(worker.line) as RunResult;
  await worker.exited;
  const { requests } = JSON.parse(await sandboxRequest(instance.url, instance.ca, 'GET', '/_sandbox/stats')) as { requests: Record<string, number> };
  return { ...result, httpCalls: Object.values(requests).reduce((sum, n) => sum + n, 0), callsByRoute: requests };
}

function pick(result: Measured) {
  return { wallMs: result.wallMs, httpCalls: result.httpCalls, peakRssMb: result.peakRssMb, callsByRoute: result.callsByRoute };
}

function benchAdapter(url: string): DigitalTwinsAdapter {
  return new DigitalTwinsAdapter({ endpoint: url, credential: new SandboxCredential(), pseudonymKey: 'bench-key' });
}

/** The adapter as the executor uses it: discover, then export. */
async function targetedRun(url: string): Promise<Record<string, number>> {
  const adapter = benchAdapter(url);
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

/** Discovery before an erasure: writes the plan where the erase worker reads it, as the request store keeps it. */
async function discoverRun(url: string, planFile: string): Promise<Record<string, number>> {
  const { plan } = await benchAdapter(url).discover(subject, eraseContext);
  writeFileSync(planFile, JSON.stringify(plan));
  return { planned: plan?.length ?? 0 };
}

/** Erase with the plan in `planFile`, or with none (re-discovery) when there is no file. */
async function eraseRun(url: string, planFile?: string): Promise<Record<string, number>> {
  const plan = planFile ? JSON.parse(readFileSync(planFile, 'utf8')) as PlanItem[] : undefined;
  const report = await benchAdapter(url).erase(subject, { ...eraseContext, plan });
  return { removed: report.count, delta: report.delta?.length ?? 0 };
}

/** What an adapter without server-side filtering does, for each of the two steps. */
async function naiveRun(url: string): Promise<Record<string, number>> {
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

const WORKERS: Record<string, (url: string, planFile?: string) => Promise<Record<string, number>>> = {
  targeted: targetedRun,
  naive: naiveRun,
  discover: (url, planFile) => discoverRun(url, planFile!),
  erase: eraseRun,
};

async function workerMain(mode: string, url: string, planFile?: string): Promise<void> {
  const started = process.hrtime.bigint();
  const found = await WORKERS[mode](url, planFile);
  const wallMs = Number((process.hrtime.bigint() - started) / 1_000_000n);
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify({ found, wallMs, peakRssMb })}\n`);
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
    : role === '--run' ? workerMain(rest[0], rest[1], rest[2])
      : digitalTwinsDiscoveryBench().then((report) => console.log(JSON.stringify(report, null, 2)));
  run.catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
