import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { loadConfig } from '../src/config';
import { dueDate, type DsrRequest, isoDay, REQUEST_KINDS, type RequestState, systemClock } from '../src/dsr';
import { startAzurite, stopChild } from '../src/sandbox/azurite';
import { ensureSandboxCertificate, sandboxCertificatePath } from '../src/sandbox/common';
import { sandboxServiceEnv, spawnSandboxServices } from '../src/sandbox/sandboxServices';
import { loadTenant } from '../src/sandbox/tenant';
import { loadAuditKey } from '../src/storage/auditKey';
import { ensureStorage, storageClientsFromConnectionString } from '../src/storage/storageClients';
import { TableAuditLog } from '../src/storage/tableAuditLog';
import { TableRequestStore } from '../src/storage/tableRequestStore';

/**
 * The dashboard tab's API with 10,000 requests in storage: each view asked N times over HTTP of
 * the bot (a child process, as in production, with its sign-in check and Graph group lookups),
 * p50/p95 beside the goal of 200 ms and beside one plain request read (`store.get`) in the same
 * run, and how long the read model took to load at the bot's start.
 */
const REQUESTS = Number(process.env.DASHBOARD_REQUESTS ?? 10_000);
const ASKS = Number(process.env.DASHBOARD_ASKS ?? 200);
const BATCH = 100;
const GOAL_MS = 200;
const OPEN: RequestState[] = ['awaiting_approval', 'executing', 'awaiting_manual_steps', 'failed_partially'];
const CLOSED: RequestState[] = ['completed', 'completed', 'completed', 'rejected', 'cancelled'];

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const round = (ms: number) => Math.round(ms * 10) / 10;

async function timed(asks: number, call: () => Promise<void>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 10; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < asks; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: round(percentile(times, 50)), p95: round(percentile(times, 95)) };
}

/** Request number `n`: kinds, regimes and states mixed, received over the year before `now`. */
function benchRequest(n: number, now: Date, people: ReturnType<typeof loadTenant>['users']): DsrRequest {
  const person = people[n % people.length];
  const regime = n % 3 ? 'GDPR' : 'CCPA';
  const receivedAt = new Date(now.getTime() - ((n * 7919) % 365) * 86_400_000 - (n % 86_400) * 1000);
  const open = n % 5 === 0;
  const closedAt = open ? undefined : new Date(Math.min(now.getTime(), receivedAt.getTime() + ((n % 50) + 1) * 86_400_000)).toISOString();
  return {
    id: `DSR-${receivedAt.getUTCFullYear()}-${String(n + 1).padStart(5, '0')}`,
    kind: REQUEST_KINDS[n % REQUEST_KINDS.length],
    regime,
    state: open ? OPEN[n % OPEN.length] : CLOSED[n % CLOSED.length],
    subject: { aadObjectId: person.aadObjectId, upn: person.upn, email: person.email, displayName: person.displayName },
    requester: { aadObjectId: person.aadObjectId, displayName: person.displayName },
    channel: 'teams-chat',
    services: ['entra', 'digitalTwins', 'iotHub', 'botStore'],
    receivedAt: receivedAt.toISOString(),
    dueAt: isoDay(dueDate(receivedAt, regime)),
    discovery: { entra: { count: 1, items: [], plan: [{ type: 'user', id: person.aadObjectId, reason: 'account' }] } },
    decisions: [],
    steps: open ? {} : { entra: { status: 'done', summary: 'done', count: 1, at: closedAt!, attempts: 1 } },
    cards: {},
    ...(closedAt ? { closedAt } : {}),
  };
}

export async function dashboardBench(): Promise<Record<string, unknown>> {
  const tenant = loadTenant();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dsr-bench-dashboard-'));
  ensureSandboxCertificate(dataDir);
  const azurite = await startAzurite({ location: path.join(dataDir, 'azurite') });
  const sandbox = await spawnSandboxServices({ dataDir, ports: { graph: 0, digitalTwins: 0, iotCentral: 0, dps: 0, iotHub: 0, arm: 0, login: 0 } });
  const env: Record<string, string> = {
    DSR_SANDBOX: 'on',
    PORT: '0',
    DSR_STORAGE_CONNECTION_STRING: azurite.connectionString,
    ...sandboxServiceEnv(sandbox.urls),
    DSR_SERVICES: 'entra,botStore',
    DSR_APPROVER_GROUP_ID: tenant.approverGroup.id,
    DSR_COMPLIANCE_GROUP_ID: tenant.complianceGroup.id,
    DSR_DATA_DIR: dataDir,
    NODE_EXTRA_CA_CERTS: sandboxCertificatePath(dataDir),
  };
  let bot: ReturnType<typeof spawn> | undefined;
  try {
    const clients = storageClientsFromConnectionString(azurite.connectionString);
    await ensureStorage(clients);
    const store = new TableRequestStore(clients.requests, clients.counters);
    const now = systemClock.now();
    const seedStarted = performance.now();
    for (let from = 0; from < REQUESTS; from += BATCH) {
      await Promise.all(Array.from({ length: Math.min(BATCH, REQUESTS - from) }, (_, i) => store.create(benchRequest(from + i, now, tenant.users))));
    }
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    // The request the page view reads gets an audit chain of a typical length, sealed with the key the bot will use.
    const pageId = benchRequest(1, now, tenant.users).id;
    const audit = new TableAuditLog(clients.audit, systemClock, loadAuditKey(loadConfig(env).auditKey, { create: true }));
    for (const event of ['created', 'discovered', 'approved', 'approved', 'execution started', 'completed', 'delivered']) await audit.append(pageId, event, { n: 1 });

    bot = spawn(process.execPath, [path.resolve(__dirname, '..', 'src', 'index.js')], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    const started = await new Promise<{ url: string; loadMs: number }>((resolve, reject) => {
      let loadMs = NaN;
      createInterface({ input: bot!.stdout! }).on('line', (line) => {
        const entry = (() => { try { return JSON.parse(line) as Record<string, unknown>; } catch { return {}; } })();
        if (entry.msg === 'dashboard read model loaded') loadMs = Number(entry.loadMs);
        if (entry.msg === 'DSR Bot listening') resolve({ url: `http://127.0.0.1:${String(entry.port)}`, loadMs });
      });
      bot!.once('exit', (code) => reject(new Error(`The bot exited (${code}) before it listened.`)));
    });

    const signIn = (await (await fetch(`${started.url}/tab/api/config`)).json()) as { authorizeUrl: string; clientId: string; scope: string };
    const form = new URLSearchParams({ client_id: signIn.clientId, response_type: 'token', redirect_uri: `${started.url}/tab/`, scope: signIn.scope, state: 'bench', upn: 'priya.raman@contoso.test' });
    const redirect = await fetch(signIn.authorizeUrl, { method: 'POST', body: form, redirect: 'manual' });
    const token = new URLSearchParams(new URL(redirect.headers.get('location')!).hash.slice(1)).get('access_token')!;
    const ask = (route: string) => async () => {
      const answer = await fetch(`${started.url}${route}`, { headers: { authorization: `Bearer ${token}` } });
      if (answer.status !== 200) throw new Error(`${route} answered ${answer.status}`);
      await answer.arrayBuffer();
    };
    const views: Record<string, { p50: number; p95: number }> = {};
    for (const [name, route] of Object.entries({
      me: '/tab/api/me',
      queue: '/tab/api/queue',
      queueFiltered: '/tab/api/queue?kind=erase&regime=gdpr',
      request: `/tab/api/requests/${pageId}`,
      charts: '/tab/api/charts',
      audit: '/tab/api/audit',
    })) views[name] = await timed(ASKS, ask(route));
    const storeGet = await timed(ASKS, async () => {
      await store.get(pageId);
    });
    return {
      requests: REQUESTS,
      asksPerView: ASKS,
      seedSeconds: round(seedSeconds),
      readModelLoadMs: round(started.loadMs),
      goalMs: GOAL_MS,
      storeGetMs: storeGet,
      viewsMs: views,
      allUnderGoal: Object.values(views).every((v) => v.p95 < GOAL_MS),
    };
  } finally {
    if (bot) await stopChild(bot);
    await sandbox.stop();
    await azurite.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
