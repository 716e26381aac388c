import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { startAzurite } from '../src/sandbox/azurite';
import { sandboxCertificatePath, ensureSandboxCertificate } from '../src/sandbox/common/sandboxCertificate';
import { sandboxStatePath } from '../src/sandbox/common/jsonStateStore';
import { seedGraphState } from '../src/sandbox/graph/graphState';
import { sandboxServiceEnv, spawnSandboxServices } from '../src/sandbox/sandboxServices';
import { loadTenant, type Tenant, type TenantUser } from '../src/sandbox/tenant';
import { STORAGE_NAMES } from '../src/storage/storageClients';
import { TableClient } from '@azure/data-tables';
import { contentOf, FakeBotConnector, type SentActivity } from '../test/support/fakeBotConnector';
import { requestIdIn } from '../test/support/flowSteps';
import { TeamsClient } from '../test/support/teamsClient';
import { callFloorMs, measureCallCosts } from './callCost';
import { generatedUsers } from './generatedUsers';
import { countStorageCalls } from './storageCalls';

/**
 * Load: 200 simulated Teams users file a request each (message → intake card, then the
 * `dsr.submit` invoke) while two approvers approve them (`dsr.approve` invokes), all against one
 * DSR bot running in a child process exactly as `npm start` runs it (dist/src/index.js), on
 * Azurite, with the sandbox services in another child and the loopback Bot Connector
 * (test/support/fakeBotConnector.ts) in this process. The reference, in the same run, is a plain
 * botbuilder echo bot (bench/echoBot.ts, also a child) driven by the same 200 users through the
 * same kind of connector.
 *
 * Load shape: user i starts at i × LOAD_RAMP_MS / LOAD_USERS (default 200 users over 60 s: 3.3 new
 * users a second, 10 activities a second), and nobody thinks: a user clicks Submit the moment the
 * intake card arrives, an approver clicks Approve the moment the approval card is posted. Then the
 * burst: a fresh stack, and all 200 messages at once (LOAD_RAMP_MS=0 makes the first shape a burst too).
 */

const USERS = positive('LOAD_USERS', 200);
const RAMP_MS = positive('LOAD_RAMP_MS', 60_000, true);
/** Teams shows an error on a card action that takes longer than a few seconds. */
const INVOKE_LIMIT_MS = 2_000;
/** The services requests reach: Entra (the sandbox Graph, in its child) and the bot's own store. */
const SERVICES = 'entra,botStore';
const SUBMISSION = { kind: 'export', regime: 'GDPR', services: SERVICES };
const SENTENCE = 'export my data';
/** Longest wait for any one card; beyond it the user's flow counts as failed. */
const WAIT_MS = 180_000;

function positive(name: string, fallback: number, zeroAllowed = false): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < (zeroAllowed ? 0 : 1)) throw new Error(`${name} must be a whole number${zeroAllowed ? '' : ' above 0'} (got '${raw}').`);
  return value;
}

/** Something the connector received, when, and its text and cards as one string. */
interface Arrival {
  sent: SentActivity;
  at: number;
  content: string;
}

/**
 * Times the connector's arrivals without polling: it wraps `sent.push`, which the connector
 * calls the moment a request from the bot is read, and resolves whoever waits for that key.
 */
class ArrivalWatch {
  private readonly arrived = new Map<string, Arrival>();
  private readonly waiting = new Map<string, (arrival: Arrival) => void>();
  readonly byConversation = new Map<string, Arrival[]>();

  constructor(connector: FakeBotConnector, private readonly keysOf: (arrival: Arrival) => string[]) {
    const push = connector.sent.push.bind(connector.sent);
    connector.sent.push = (...items: SentActivity[]) => {
      const at = performance.now();
      const length = push(...items);
      for (const sent of items) this.arrive({ sent, at, content: contentOf(sent) });
      return length;
    };
  }

  private arrive(arrival: Arrival): void {
    const list = this.byConversation.get(arrival.sent.conversationId) ?? [];
    list.push(arrival);
    this.byConversation.set(arrival.sent.conversationId, list);
    for (const key of this.keysOf(arrival)) {
      if (this.arrived.has(key)) continue;
      this.arrived.set(key, arrival);
      this.waiting.get(key)?.(arrival);
      this.waiting.delete(key);
    }
  }

  /** The first arrival with `key`, whether it came already or comes within WAIT_MS. */
  wait(key: string): Promise<Arrival> {
    const already = this.arrived.get(key);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        reject(new Error(`nothing for ${key} within ${WAIT_MS / 1000} s`));
      }, WAIT_MS);
      this.waiting.set(key, (arrival) => {
        clearTimeout(timer);
        resolve(arrival);
      });
    });
  }

  to(conversationId: string): Arrival[] {
    return this.byConversation.get(conversationId) ?? [];
  }
}

/** What the load generator saw: HTTP statuses, and each flow that did not finish. */
class Tally {
  readonly statuses: Record<string, number> = {};
  readonly failures: string[] = [];
  status(code: number): void {
    this.statuses[code] = (this.statuses[code] ?? 0) + 1;
  }
}

/** The goals of issue 15. */
const GOALS = {
  messageToReplyOverEcho: 1.5,
  botCpuMsPerRequest: 40,
  invokeP99Ms: 100,
  burstSubmitInvokeP99Ms: 2_000,
};

/** Starts user i at its place on a ramp of `rampMs` and runs `flow` for it; all users at once. */
async function ramp<T>(users: TenantUser[], flow: (user: TenantUser, index: number) => Promise<T>, rampMs = RAMP_MS): Promise<T[]> {
  const start = performance.now();
  return Promise.all(users.map(async (user, i) => {
    const due = users.length > 1 ? (i * rampMs) / users.length : 0;
    const wait = due - (performance.now() - start);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    return flow(user, i);
  }));
}

/** p50/p95/p99 (nearest rank), max and mean, in ms to 0.1. */
function spread(values: number[]): Record<string, number> {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return { n: 0 };
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    n: sorted.length,
    p50: round(at(50)),
    p95: round(at(95)),
    p99: round(at(99)),
    max: round(sorted.at(-1)!),
    mean: round(sorted.reduce((s, v) => s + v, 0) / sorted.length),
  };
}

const ratio = (a: number | undefined, b: number | undefined) => (a && b ? Math.round((a / b) * 10) / 10 : null);

/** CPU seconds used so far by this process and by each of its children, named by what they run. */
function cpuSeconds(): Record<string, number> {
  const usage = process.cpuUsage();
  const seconds: Record<string, number> = { loadGenerator: (usage.user + usage.system) / 1e6 };
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return seconds;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const name = cmdline.includes('azurite') ? 'azurite'
        : cmdline.includes('serveSandbox') ? 'sandbox'
          : cmdline.includes('echoBot') ? 'echoBot'
            : cmdline.includes(`src${path.sep}index.js`) ? 'dsrBot' : `pid${pid}`;
      // utime and stime, in clock ticks (100 a second on Linux).
      seconds[name] = (seconds[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // The process ended meanwhile.
    }
  }
  return seconds;
}

function cpuBetween(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([name, s]) => [name, Math.round((s - (before[name] ?? 0)) * 100) / 100]));
}

/** Measures what this process's event loop lagged during a phase: how much its own timings may be off. */
function lagMonitor() {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return () => {
    histogram.disable();
    return { p99Ms: Math.round(histogram.percentile(99) / 1e5) / 10, maxMs: Math.round(histogram.max / 1e5) / 10 };
  };
}

/**
 * Asks `GET /healthz` of a bot every 100 ms, one at a time, while a phase runs. The endpoint does
 * no work, so its round trip is how long any request waits for the bot's event loop: when it
 * is close to message → reply, the messages wait on other work rather than do their own.
 */
function healthProbe(botUrl: string) {
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = performance.now();
      try {
        await (await fetch(`${botUrl}/healthz`)).arrayBuffer();
        times.push(performance.now() - at);
      } catch {
        // Counted by its absence; the phase's checks see the bot's health.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return spread(times);
  };
}

/** A child process, its stdout lines handed to `onLine`, resolved once `ready` picks a line. */
async function startChild<T>(
  script: string,
  env: NodeJS.ProcessEnv,
  ready: (line: string) => T | undefined,
  onLine: (line: string) => void = () => undefined,
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; value: T; exited: Promise<void> }> {
  const child = spawn(process.execPath, [...nodeArgs, script], { stdio: ['ignore', 'pipe', 'inherit'], env });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const value = await new Promise<T>((resolve, reject) => {
    let found = false;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      onLine(line);
      if (found) return;
      const value = ready(line);
      if (value !== undefined) {
        found = true;
        resolve(value);
      }
    });
    child.once('exit', (code) => reject(new Error(`${path.basename(script)} exited (${code}) before it was ready.`)));
  });
  return { child, value, exited };
}

async function stop(child: { child: ChildProcess; exited: Promise<void> }): Promise<void> {
  if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGTERM');
  await child.exited;
}

/** The environment of a bot child: this one without any bot settings of its own, plus `settings`. */
function childEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(DSR_|MicrosoftApp|PORT$)/.test(name)));
  return { ...env, ...settings };
}

/** The echo bot and the same users, messages only: the floor of message → reply on this stack. */
async function echoPhase(users: TenantUser[], tenant: Tenant) {
  const connector = new FakeBotConnector();
  await connector.start();
  const watch = new ArrivalWatch(connector, (a) => (a.sent.kind === 'send' ? [`first:${a.sent.conversationId}`] : []));
  const echo = await startChild(path.join(__dirname, 'echoBot.js'), childEnv({}), (line) => (line.startsWith('{"url"') ? (JSON.parse(line) as { url: string }).url : undefined));
  const teams = new TeamsClient(echo.value, connector.url, tenant.tenantId);
  const tally = new Tally();
  try {
    // Warm-up: the seeded users, not measured.
    for (const user of tenant.users) {
      const reply = watch.wait(`first:${teams.personalConversationId(user)}`);
      tally.status(await teams.say(user, SENTENCE));
      await reply;
    }
    const cpuBefore = cpuSeconds();
    const lag = lagMonitor();
    const started = performance.now();
    let lastResponse = started;
    const replyMs = await ramp(users, async (user) => {
      const chat = teams.personalConversationId(user);
      try {
        const reply = watch.wait(`first:${chat}`);
        const sentAt = performance.now();
        tally.status(await teams.say(user, SENTENCE));
        lastResponse = Math.max(lastResponse, performance.now());
        const arrival = await reply;
        if (arrival.sent.activity.text !== SENTENCE) throw new Error(`echo replied '${arrival.sent.activity.text}'`);
        return arrival.at - sentAt;
      } catch (error) {
        tally.failures.push(`echo ${user.teamsUserId}: ${(error as Error).message}`);
        return NaN;
      }
    });
    const windowMs = lastResponse - started;
    const cpu = cpuBetween(cpuBefore, cpuSeconds());
    return {
      replyMs,
      messageToReplyMs: spread(replyMs),
      throughput: {
        windowMs: Math.round(windowMs),
        offeredActivitiesPerSecond: RAMP_MS ? Math.round((users.length / RAMP_MS) * 10_000) / 10 : null,
        activitiesPerSecond: Math.round((users.length / windowMs) * 10_000) / 10,
      },
      cpuSeconds: cpu,
      botCpuMsPerMessage: Math.round(((cpu.echoBot ?? NaN) * 1000 / users.length) * 10) / 10,
      loadGeneratorLag: lag(),
      http: tally.statuses,
      failures: tally.failures.slice(0, 5),
      failed: tally.failures.length,
    };
  } finally {
    await stop(echo);
    await connector.stop();
  }
}

interface UserTimes {
  id?: string;
  messageToReplyMs?: number;
  submitMs?: number;
  approveMs?: number;
  submitToApprovalCardMs?: number;
  approveToDeliveredMs?: number;
  deliveredAt?: number;
  intakeActivityId?: string;
  approvalActivityId?: string;
  /** When the submit invoke's answer and the approve invoke's answer came. */
  submittedAt?: number;
  approvedAt?: number;
}

/** One person's request, as fileRequest + approvalCardFor + a click do in the flow tests, timed. */
async function fileAndApprove(teams: TeamsClient, watch: ArrivalWatch, tally: Tally, user: TenantUser, approver: TenantUser): Promise<UserTimes> {
  const times: UserTimes = {};
  const chat = teams.personalConversationId(user);
  let stage = 'message';
  try {
    const firstReply = watch.wait(`first:${chat}`);
    const sentAt = performance.now();
    tally.status(await teams.say(user, SENTENCE));
    const intake = await firstReply;
    times.messageToReplyMs = intake.at - sentAt;
    if (!intake.content.includes('dsr.submit')) throw new Error('the first reply was not the intake card');
    times.intakeActivityId = intake.sent.activityId;

    stage = 'submit';
    const clickedAt = performance.now();
    const filed = await teams.click(user, 'personal', 'dsr.submit', SUBMISSION, intake.sent.activityId);
    times.submittedAt = performance.now();
    times.submitMs = times.submittedAt - clickedAt;
    tally.status(filed.status);
    const id = filed.body.type === 'application/vnd.microsoft.card.adaptive' ? requestIdIn(filed.body.value) : undefined;
    if (!id || !JSON.stringify(filed.body.value).includes('Received')) throw new Error(`not filed: ${JSON.stringify(filed.body).slice(0, 200)}`);
    times.id = id;

    stage = 'approval card';
    const approval = await watch.wait(`approval:${id}`);
    times.submitToApprovalCardMs = approval.at - clickedAt;
    times.approvalActivityId = approval.sent.activityId;

    stage = 'approve';
    const approvingAt = performance.now();
    const decided = await teams.click(approver, teams.channelId, 'dsr.approve', { requestId: id }, approval.sent.activityId);
    times.approvedAt = performance.now();
    times.approveMs = times.approvedAt - approvingAt;
    tally.status(decided.status);
    if (!JSON.stringify(decided.body.value ?? '').includes('Approved')) throw new Error(`not approved: ${JSON.stringify(decided.body).slice(0, 200)}`);

    stage = 'delivery';
    const delivered = await watch.wait(`delivered:${id}`);
    times.deliveredAt = delivered.at;
    times.approveToDeliveredMs = delivered.at - approvingAt;
  } catch (error) {
    tally.failures.push(`${user.teamsUserId} at ${stage}: ${(error as Error).message}`);
  }
  return times;
}

/**
 * Azurite, the sandbox services and the DSR bot, each in a child; the load on a ramp of `rampMs`;
 * then the checks, and with `measureCalls` what each kind of call costs here (callCost.ts).
 */
async function dsrPhase(users: TenantUser[], tenant: Tenant, rampMs: number, measureCalls = false) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dsr-bench-load-'));
  ensureSandboxCertificate(dataDir);
  // The sandbox Graph seeds itself from this file when it exists: the tenant plus the load's users.
  writeFileSync(sandboxStatePath(dataDir, 'graph'), `${JSON.stringify(seedGraphState({ ...tenant, users: [...tenant.users, ...users] }))}\n`);
  const azurite = await startAzurite({ location: path.join(dataDir, 'azurite') });
  const storageCalls = await countStorageCalls(azurite.connectionString);
  const sandbox = await spawnSandboxServices({ dataDir, ports: { graph: 0, digitalTwins: 0, iotCentral: 0, dps: 0, iotHub: 0, arm: 0 } });
  const connector = new FakeBotConnector();
  await connector.start();
  const channelId = '19:dsr-approvals@thread.tacv2';
  const watch = new ArrivalWatch(connector, (a) => {
    if (a.sent.kind !== 'send') return [];
    const keys = [`first:${a.sent.conversationId}`];
    const id = requestIdIn(a.content);
    if (id && a.sent.conversationId === channelId) keys.push(`approval:${id}`);
    if (id && a.content.includes('Download your data')) keys.push(`delivered:${id}`);
    if (a.content.includes('Audit digest')) keys.push('digest');
    return keys;
  });
  const logLines: string[] = [];
  const bot = await startChild(
    path.resolve(__dirname, '..', 'src', 'index.js'),
    childEnv({
      DSR_SANDBOX: 'on',
      PORT: '0',
      DSR_STORAGE_CONNECTION_STRING: storageCalls.connectionString,
      ...sandboxServiceEnv(sandbox.urls),
      DSR_SERVICES: SERVICES,
      DSR_APPROVER_GROUP_ID: tenant.approverGroup.id,
      DSR_DATA_DIR: dataDir,
      NODE_EXTRA_CA_CERTS: sandboxCertificatePath(dataDir),
      // Two approvers stand in for a whole privacy team: each approves ~100 requests a minute, past
      // the default of card actions one person may send. The users' own activities stay within it.
      DSR_INVOKES_PER_MINUTE: '10000',
    }),
    (line) => {
      const entry = parseLog(line);
      return entry?.msg === 'DSR Bot listening' ? `http://127.0.0.1:${String(entry.port)}` : undefined;
    },
    (line) => logLines.push(line),
    // LOAD_PROFILE_DIR: a CPU profile of the bot (open it in Chrome DevTools) to see where its time goes.
    process.env.LOAD_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LOAD_PROFILE_DIR}`] : [],
  );
  const teams = new TeamsClient(bot.value, connector.url, tenant.tenantId);
  const tally = new Tally();
  const [priya, marco, alex] = ['Priya', 'Marco', 'Alex'].map((name) => tenant.users.find((u) => u.displayName.startsWith(name))!);
  try {
    // Set-up and warm-up, not measured: the channels registered as an admin does, and one request
    // through the whole flow so that every connection and code path is warm.
    tally.status(await teams.sayInChannel(priya, teams.channelId, 'register approvals'));
    tally.status(await teams.sayInChannel(priya, teams.complianceChannelId, 'register compliance'));
    const warmUp = await fileAndApprove(teams, watch, tally, alex, priya);
    if (!warmUp.deliveredAt) throw new Error(`The warm-up request did not go through: ${tally.failures.join('; ')}`);
    const logsBefore = logLines.length;
    storageCalls.reset();
    const connectorCallsBefore = connector.sent.length;

    const cpuBefore = cpuSeconds();
    const lag = lagMonitor();
    const probe = healthProbe(bot.value);
    const started = performance.now();
    const approvers = [priya, marco];
    const times = await ramp(users, (user, i) => fileAndApprove(teams, watch, tally, user, approvers[i % approvers.length]), rampMs);
    const lastAnswer = Math.max(...times.map((t) => t.approvedAt ?? t.submittedAt ?? 0));
    const lastDelivery = Math.max(...times.map((t) => t.deliveredAt ?? 0));
    const cpu = cpuBetween(cpuBefore, cpuSeconds());
    const loadGeneratorLag = lag();
    const healthzMs = await probe();
    // Let the last card updates land before counting them.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // A digest follows the first completions by the anchor's delay (30 s), which a short run may
    // not have lasted: wait for it (or fail the check) rather than count it missing.
    await watch.wait('digest').catch(() => undefined);
    const calls = storageCalls.counts();
    const connectorCalls = countBy(connector.sent.slice(connectorCallsBefore), (s) => (s.kind === 'update' ? CARD_REPLACED : POSTED));

    const correctness = await check(users, times, warmUp, watch, tally, logLines.slice(logsBefore), azurite.connectionString, teams);
    // Straight to Azurite, past the counting proxy: the calls counted are the bot's alone.
    const callCostUs = measureCalls ? await measureCallCosts(azurite.connectionString, connector.url) : undefined;
    const frontWindowMs = lastAnswer - started;
    const drainMs = lastDelivery - started;
    const done = times.filter((t) => t.deliveredAt).length;
    const messageToReplyMs = spread(times.map((t) => t.messageToReplyMs ?? NaN));
    const invokeMs = spread(times.flatMap((t) => [t.submitMs ?? NaN, t.approveMs ?? NaN]));
    return {
      messageToReplyMs,
      invokeMs,
      healthzMs,
      submitInvokeMs: spread(times.map((t) => t.submitMs ?? NaN)),
      approveInvokeMs: spread(times.map((t) => t.approveMs ?? NaN)),
      // Not the bot's HTTP latency: the queue worker's discovery, then the execution and delivery.
      submitToApprovalCardMs: spread(times.map((t) => t.submitToApprovalCardMs ?? NaN)),
      approveToDeliveredMs: spread(times.map((t) => t.approveToDeliveredMs ?? NaN)),
      throughput: {
        frontWindowMs: Math.round(frontWindowMs),
        offeredActivitiesPerSecond: rampMs ? Math.round(((users.length * 3) / rampMs) * 10_000) / 10 : null,
        activitiesPerSecond: Math.round(((users.length * 3) / frontWindowMs) * 10_000) / 10,
        drainMs: Math.round(drainMs),
        requestsCompletedPerSecond: Math.round((done / drainMs) * 10_000) / 10,
      },
      cpuSeconds: cpu,
      // Everything one request costs the bot: its 3 turns, discovery, execution, every card and post.
      botCpuMsPerRequest: Math.round(((cpu.dsrBot ?? NaN) * 1000 / users.length) * 10) / 10,
      loadGeneratorLag,
      // Every call the bot made to Azurite during the load (a request's turns, jobs and posts), per request, by route.
      storageCallsPerRequest: perRequest(calls, users.length),
      // Every post and card replacement the bot sent to the Bot Connector during the load, per request.
      botConnectorCallsPerRequest: perRequest(connectorCalls, users.length),
      // What each kind of call costs on this machine (µs), when measured.
      ...(callCostUs && { callCostUs }),
      // Not reported: the calls per request unrounded, for the floor of the bot's CPU.
      callsMade: {
        storage: Object.fromEntries(Object.entries(calls).map(([route, n]) => [route, n / users.length])),
        connector: { posts: (connectorCalls[POSTED] ?? 0) / users.length, updates: (connectorCalls[CARD_REPLACED] ?? 0) / users.length },
      },
      correctness,
    };
  } finally {
    await stop(bot);
    await Promise.all([sandbox.stop(), connector.stop(), storageCalls.stop(), azurite.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** How the Bot Connector calls are counted: a post, or a posted card replaced in place. */
const POSTED = 'POST activity';
const CARD_REPLACED = 'PUT activity (card replaced)';

/** How many of `items` have each key. */
function countBy<T>(items: readonly T[], keyOf: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
  return counts;
}

/** Calls per request, by route and in all, most first. */
function perRequest(calls: Record<string, number>, requests: number): Record<string, number> {
  const each = (n: number) => Math.round((n / requests) * 10) / 10;
  const total = Object.values(calls).reduce((sum, n) => sum + n, 0);
  return { total: each(total), ...Object.fromEntries(Object.entries(calls).sort((a, b) => b[1] - a[1]).map(([route, n]) => [route, each(n)])) };
}

/** A figure beside its goal. */
const goal = (value: number | null | undefined, limit: number) => ({ value: value ?? null, goal: `≤ ${limit}`, met: value !== null && value !== undefined && value <= limit });

function parseLog(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Every request stored and completed, every card where it belongs, no 5xx, no error logged. */
async function check(
  users: TenantUser[],
  times: UserTimes[],
  warmUp: UserTimes,
  watch: ArrivalWatch,
  tally: Tally,
  logLines: string[],
  connectionString: string,
  teams: TeamsClient,
) {
  const ids = times.map((t) => t.id).filter((id): id is string => Boolean(id));
  const table = TableClient.fromConnectionString(connectionString, STORAGE_NAMES.requestsTable, { allowInsecureConnection: true });
  const stored = new Map<string, string>();
  for await (const entity of table.listEntities<{ state: string }>({ queryOptions: { filter: "PartitionKey eq 'request'", select: ['RowKey', 'state'] } })) {
    stored.set(entity.rowKey!, entity.state);
  }
  const all = [...times, warmUp];
  const approvalPosts = watch.to(teams.channelId).filter((a) => a.sent.kind === 'send');
  const approvalIds = new Set(approvalPosts.map((a) => requestIdIn(a.content)));
  /** The newest version of a posted card: its last in-place update, or the post itself. */
  const latest = (conversationId: string, activityId: string | undefined) =>
    watch.to(conversationId).filter((a) => a.sent.activityId === activityId).at(-1);
  const statusCompleted = users.filter((u, i) => latest(teams.personalConversationId(u), times[i].intakeActivityId)?.content.includes('Completed.')).length;
  const approvalCompleted = times.filter((t) => latest(teams.channelId, t.approvalActivityId)?.content.includes('Completed')).length;
  const approvedMessages = users.filter((u, i) => watch.to(teams.personalConversationId(u)).some((a) => a.content.includes(`Your request ${times[i].id} was approved`))).length;
  // Audit digests are posted there too, debounced after executions: as many as the timing makes, so counted apart.
  const complianceSends = watch.to(teams.complianceChannelId).filter((a) => a.sent.kind === 'send');
  const digestPosts = complianceSends.filter((a) => a.content.includes('Audit digest')).length;
  const compliancePosts = complianceSends.length - digestPosts;
  const levels = logLines.map(parseLog);
  const errors = levels.filter((e) => Number(e?.level) >= 50);
  const warnings = levels.filter((e) => Number(e?.level) === 40);
  const http5xx = Object.entries(tally.statuses).filter(([code]) => Number(code) >= 500).reduce((s, [, n]) => s + n, 0);
  const countsByMessage = (entries: (Record<string, unknown> | undefined)[]) => countBy(entries, (e) => String(e?.msg));

  const expected = users.length;
  const figures = {
    requestsStored: stored.size,
    requestsStoredExpected: expected + 1,
    requestsCompleted: all.filter((t) => t.id && stored.get(t.id) === 'completed').length,
    intakeCards: times.filter((t) => t.intakeActivityId).length,
    approvalCardsPosted: approvalIds.size,
    approvalCardsShowingCompleted: approvalCompleted,
    statusCardsShowingCompleted: statusCompleted,
    approvedMessagesToRequesters: approvedMessages,
    exportCardsDelivered: times.filter((t) => t.deliveredAt).length,
    compliancePosts,
    compliancePostsExpected: 3 * (expected + 1),
    digestPosts,
    http: tally.statuses,
    http5xx,
    errorLogLines: errors.length,
    errorLogMessages: countsByMessage(errors),
    warnLogMessages: countsByMessage(warnings),
    failedFlows: tally.failures.length,
    failures: tally.failures.slice(0, 5),
  };
  const ok =
    ids.length === expected &&
    new Set(ids).size === expected &&
    stored.size === expected + 1 &&
    figures.requestsCompleted === expected + 1 &&
    figures.intakeCards === expected &&
    approvalIds.size === expected + 1 &&
    approvalCompleted === expected &&
    statusCompleted === expected &&
    approvedMessages === expected &&
    figures.exportCardsDelivered === expected &&
    compliancePosts === figures.compliancePostsExpected &&
    digestPosts >= 1 &&
    Object.keys(tally.statuses).every((code) => code === '200') &&
    errors.length === 0 &&
    warnings.length === 0 &&
    tally.failures.length === 0;
  return { ok, ...figures };
}

/**
 * Runs the benchmark: the echo bot, the DSR bot stack, the echo bot again, one at a time. Both
 * bots see the same users, the same ramp and the same kind of loopback connector.
 */
export async function loadLatencyBench(): Promise<Record<string, unknown>> {
  const tenant = loadTenant();
  const users = generatedUsers(USERS, { idHead: 'b2000000', name: 'Load', digits: 4, phoneBlock: '555' });
  // The echo bot runs before and after the DSR bot: on a shared machine the two runs bracket
  // whatever else the machine was doing, and the reference is both runs' replies together.
  const { replyMs: echoBeforeMs, ...echoBefore } = await echoPhase(users, tenant);
  const { callsMade: rampCalls, ...dsr } = await dsrPhase(users, tenant, RAMP_MS, true);
  const { replyMs: echoAfterMs, ...echoAfter } = await echoPhase(users, tenant);
  // A burst has many calls in flight at once, each cheaper than callCost.ts measures: no floor for it.
  const { callsMade: _burstCalls, ...burst } = await dsrPhase(users, tenant, 0);
  const echo = { messageToReplyMs: spread([...echoBeforeMs, ...echoAfterMs]), before: echoBefore, after: echoAfter };
  const echoFailed = echoBefore.failed + echoAfter.failed;
  const echoCpuMs = (echoBefore.botCpuMsPerMessage + echoAfter.botCpuMsPerMessage) / 2;
  if (!dsr.correctness.ok || !burst.correctness.ok) process.stderr.write('loadLatency: the DSR bot did not handle every request correctly, see correctness\n');
  // The least a bot making the ramp's calls could spend per request: 3 turns at the echo bot's
  // cost (its turn and reply, less the reply, which is among the calls) and every call at its
  // measured cost. Graph calls go to the sandbox uncounted, so they are left out: it stays a floor.
  const costs = dsr.callCostUs!;
  const rampFloor = Math.round((3 * (echoCpuMs - costs.connectorPost / 1000) + callFloorMs(costs, rampCalls.storage, rampCalls.connector)) * 10) / 10;
  const invokeP99 = dsr.invokeMs.p99;
  const messageToReplyP50 = ratio(dsr.messageToReplyMs.p50, echo.messageToReplyMs.p50);
  const messageToReplyP99 = ratio(dsr.messageToReplyMs.p99, echo.messageToReplyMs.p99);
  const invokesAnswered = (phase: typeof dsr) => phase.invokeMs.n === 2 * USERS && phase.correctness.failedFlows === 0;
  return {
    benchmark: 'loadLatency',
    what: `${USERS} Teams users each file an export (message → intake card, dsr.submit), 2 approvers approve each (dsr.approve); the echo bot gets the same messages`,
    load: {
      users: USERS,
      rampMs: RAMP_MS,
      newUsersPerSecond: RAMP_MS ? Math.round((USERS / RAMP_MS) * 10_000) / 10 : 'all at once',
      thinkTimeMs: 0,
      services: SERVICES,
      dsrBot: 'child process, dist/src/index.js as npm start runs it, Azurite and sandbox services in their own children',
      cpus: os.cpus().length,
    },
    echoBot: echo,
    dsrBot: dsr,
    burst: { users: USERS, rampMs: 0, dsrBot: burst },
    goals: {
      messageToReplyP50OverEcho: goal(messageToReplyP50, GOALS.messageToReplyOverEcho),
      messageToReplyP99OverEcho: goal(messageToReplyP99, GOALS.messageToReplyOverEcho),
      botCpuMsPerRequest: { ...goal(dsr.botCpuMsPerRequest, GOALS.botCpuMsPerRequest), floorOfItsCalls: rampFloor },
      invokeP99Ms: goal(invokeP99, GOALS.invokeP99Ms),
      burstSubmitInvokeP99Ms: goal(burst.submitInvokeMs.p99, GOALS.burstSubmitInvokeP99Ms),
      burstEveryInvokeAnswered: { value: burst.invokeMs.n ?? 0, goal: `${2 * USERS}, no failed flow`, met: invokesAnswered(burst) },
    },
    dsrOverEcho: {
      messageToReplyP50,
      messageToReplyP99,
      // CPU is what the machine's other load disturbs least: a whole request against one echo.
      botCpuPerRequestOverEchoPerMessage: ratio(dsr.botCpuMsPerRequest, echoCpuMs),
    },
    invokeP99WithinTeamsLimit: { limitMs: INVOKE_LIMIT_MS, p99Ms: invokeP99, ok: invokeP99 !== undefined && invokeP99 < INVOKE_LIMIT_MS },
    correct: dsr.correctness.ok && burst.correctness.ok && echoFailed === 0,
  };
}

if (require.main === module) {
  loadLatencyBench()
    .then((report) => console.log(JSON.stringify(report, null, 2)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
