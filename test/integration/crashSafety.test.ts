import { AuditEntry } from '../../src/storage/tableAuditLog';
import { SandboxUrls } from '../../src/sandbox/sandboxServices';
import { TenantUser } from '../../src/sandbox/tenant';
import { JOB_VISIBILITY_SECONDS, ProcessStack, startProcessStack } from '../support/botProcess';
import { contentOf } from '../support/fakeBotConnector';
import { approvalCardFor, approveBy, cardOf, fileRequest as fileRequestInChat } from '../support/flowSteps';
import { SandboxProbe } from '../support/sandboxProbe';
import { unzip } from '../support/unzip';
import { waitFor } from '../support/waitFor';

/**
 * Crash safety: the bot runs as its own process (node dist/src/index.js) against Azurite and the
 * sandbox services, which outlive it. It is killed with SIGKILL while a service step is in flight
 * and started again; and it is sent SIGTERM with a job in flight, which it must drain.
 */
jest.setTimeout(180_000);

const ALL = 'entra,digitalTwins,iotCentral,dps,iotHub,botStore';
type Service = keyof SandboxUrls;
const SERVICES: Service[] = ['graph', 'digitalTwins', 'iotCentral', 'dps', 'iotHub'];
type Stats = { requests: Record<string, number>; faultsServed: number };

let stack: ProcessStack;
let probe: SandboxProbe;
let priya: TenantUser, marco: TenantUser, alex: TenantUser, megan: TenantUser, diego: TenantUser;

beforeAll(async () => {
  stack = await startProcessStack('crash-safety');
  probe = new SandboxProbe(stack.sandbox);
  [priya, marco, alex, megan, diego] = ['Priya', 'Marco', 'Alex', 'Megan', 'Diego'].map((n) => stack.user(n));
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
  expect(await stack.teams.sayInChannel(priya, stack.teams.complianceChannelId, 'register compliance')).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(async () => {
  await Promise.all(SERVICES.map((service) => probe.clearFaults(service)));
  if (stack.bot.child.exitCode !== null || stack.bot.child.signalCode !== null) await stack.startBot();
});

/** Files a request in `user`'s 1:1 chat through the intake card; returns its id once it awaits approval. */
async function fileRequest(user: TenantUser, sentence: string, submission: Record<string, unknown>): Promise<string> {
  const id = await fileRequestInChat(stack, user, sentence, submission);
  await waitFor(`${id} to await approval`, async () => (await stateOf(id)) === 'awaiting_approval');
  return id;
}

const approvalCardId = async (id: string) => (await approvalCardFor(stack, id)).activityId;
const approve = (id: string, approvers: TenantUser[]) => approveBy(stack, id, approvers);

async function confirmManualStep(id: string, approver: TenantUser, outcome: 'done' | 'not_applicable'): Promise<string> {
  const answer = await stack.teams.click(approver, stack.teams.channelId, 'dsr.manual', { requestId: id, step: 'iotCentral.alertRuleEmails', outcome }, await approvalCardId(id));
  return JSON.stringify(answer.body.value);
}

async function requestOf(id: string) {
  const stored = await stack.store.get(id);
  if (!stored) throw new Error(`no request ${id}`);
  return stored.request;
}

async function stateOf(id: string) {
  return (await stack.store.get(id))?.request.state;
}

async function statsOf(service: Service): Promise<Stats> {
  const response = await fetch(new URL('/_sandbox/stats', stack.sandbox[service]));
  return (await response.json()) as Stats;
}

async function allStats(): Promise<Record<Service, Stats>> {
  const all = await Promise.all(SERVICES.map(statsOf));
  return Object.fromEntries(SERVICES.map((service, i) => [service, all[i]])) as Record<Service, Stats>;
}

/** The requests that change something, by route, made between two snapshots. Queries (POST .../query) and membership checks only read. */
function writesBetween(before: Stats, after: Stats): Record<string, number> {
  const writes: Record<string, number> = {};
  for (const [route, count] of Object.entries(after.requests)) {
    const [method, pattern] = route.split(' ');
    const reads = method === 'GET' || (method === 'POST' && (pattern.endsWith('/query') || pattern.endsWith('/checkMemberGroups')));
    const made = count - (before.requests[route] ?? 0);
    if (!reads && made > 0) writes[route] = made;
  }
  return writes;
}

/** The audit chain is whole: numbered in order, each entry sealed over its content and the previous hash, the head matching. */
async function expectIntactChain(entries: AuditEntry[]): Promise<void> {
  const requestId = entries[0].requestId;
  expect(stack.audit.breakIn(requestId, { entries, head: await stack.audit.head(requestId) })).toBeUndefined();
}

const count = (entries: AuditEntry[], event: string) => entries.filter((e) => e.event === event).length;

/** Logs carry request ids, never who the request is about. */
function expectNoPersonalData(lines: string[], people: TenantUser[]): void {
  const text = lines.join('\n').toLowerCase();
  for (const person of people) {
    for (const value of [person.email, person.upn, person.displayName, person.aadObjectId]) expect(text).not.toContain(value.toLowerCase());
  }
}

describe('a bot killed in the middle of execution', () => {
  it('resumes an export and an erasure after kill -9, each service step taking effect once', async () => {
    const firstBot = stack.bot;
    const exportId = await fileRequest(megan, 'export my data', { kind: 'export', regime: 'GDPR', services: ALL });
    const eraseId = await fileRequest(alex, 'delete my data', { kind: 'erase', regime: 'GDPR', services: ALL });
    const beforeApproval = await allStats();

    // The erasure runs Digital Twins, IoT Central, IoT Hub, DPS, the bot's store, Entra, in that order.
    // IoT Hub's first call (the twin query, a read) is held: its step is in flight, two steps are done.
    await probe.inject('iotHub', { delayMs: 20_000, count: 1, method: 'POST', pathPrefix: '/devices/query' });
    await approve(eraseId, [priya, marco]);
    const interrupted = await waitFor('the erasure to be held at IoT Hub', async () => {
      const request = await requestOf(eraseId);
      const held = (await statsOf('iotHub')).faultsServed > beforeApproval.iotHub.faultsServed;
      return request.state === 'executing' && request.steps.iotCentral?.status === 'done' && held ? request : undefined;
    });
    expect(Object.keys(interrupted.steps).sort()).toEqual(['digitalTwins', 'iotCentral']);

    // The export reads service after service: its Digital Twins query is held.
    await probe.inject('digitalTwins', { delayMs: 20_000, count: 1, method: 'POST', pathPrefix: '/query' });
    await approve(exportId, [priya]);
    await waitFor('the export to be held at Digital Twins', async () =>
      (await stateOf(exportId)) === 'executing' && (await statsOf('digitalTwins')).faultsServed > beforeApproval.digitalTwins.faultsServed);

    // A step slower than the job visibility timeout is not handed out a second time while it runs:
    // both jobs stay held past three timeouts, and no second run of either starts meanwhile.
    const heldSince = Date.now();
    await waitFor('the held steps to outlast the job visibility timeout three times', async () => {
      expect(firstBot.logs().filter((l) => l.msg === 'execution started' && l.resumed === true)).toEqual([]);
      expect(Object.keys((await requestOf(eraseId)).steps).sort()).toEqual(['digitalTwins', 'iotCentral']);
      return Date.now() - heldSince > 3 * JOB_VISIBILITY_SECONDS * 1000;
    });

    const atKill = await allStats();
    firstBot.child.kill('SIGKILL');
    expect(await firstBot.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // Nothing was written for the steps in flight.
    expect(Object.keys((await requestOf(eraseId)).steps).sort()).toEqual(['digitalTwins', 'iotCentral']);
    expect((await requestOf(exportId)).steps).toEqual({});
    expect(await stateOf(eraseId)).toBe('executing');

    const secondBot = await stack.startBot();
    const started = Date.now();

    // The export runs again from the start (it only reads) and is delivered once.
    const megansChat = stack.teams.personalConversationId(megan);
    const download = await waitFor('the download card', () => stack.connector.latestCard(megansChat, 'Download your data'), 60_000);
    expect(await stateOf(exportId)).toBe('completed');
    const url = (cardOf(download).actions as { url: string }[])[0].url;
    const files = await unzip(Buffer.from(await (await fetch(url)).arrayBuffer()));
    expect([...files.keys()]).toEqual(expect.arrayContaining(['manifest.json', 'digital-twins/twins.json', 'iot-hub/devices.json', 'entra/profile.json']));
    expect(stack.connector.to(megansChat).filter((s) => contentOf(s).includes('Download your data') && s.kind === 'send')).toHaveLength(1);

    // The erasure picks up at IoT Hub, then stops at the manual IoT Central step for an approver.
    await waitFor('the resumed erasure to reach the manual step', async () => (await stateOf(eraseId)) === 'awaiting_manual_steps', 60_000);
    const resumedAfterMs = Date.now() - started;
    expect(await confirmManualStep(eraseId, marco, 'done')).toContain('Done, confirmed by Marco Bianchi');
    expect(await stateOf(eraseId)).toBe('soft_deleted');
    await waitFor('the erasure receipt', () => stack.connector.latestCard(stack.teams.personalConversationId(alex), 'Erasure receipt'));

    // Each step ran to completion once: the interrupted IoT Hub attempt left no record, so every attempt is the first.
    const erased = await requestOf(eraseId);
    for (const service of ['digitalTwins', 'iotCentral', 'iotHub', 'dps', 'botStore', 'entra'] as const) {
      expect({ service, status: erased.steps[service]?.status, attempts: erased.steps[service]?.attempts }).toEqual({ service, status: 'done', attempts: 1 });
    }

    // What the services saw. Before the kill: Digital Twins and IoT Central changed, nothing else.
    // After it: those two are not touched again; IoT Hub, DPS and Entra change once per resource.
    const end = await allStats();
    const firstRun = (service: Service) => writesBetween(beforeApproval[service], atKill[service]);
    const afterKill = (service: Service) => writesBetween(atKill[service], end[service]);
    expect(firstRun('digitalTwins')).toEqual({ 'DELETE /digitaltwins/{id}/relationships/{relationshipId}': 6, 'DELETE /digitaltwins/{id}': 5 });
    // IoT Central: the app user is deleted, and the owner e-mail cleared from the one device that named Alex.
    expect(firstRun('iotCentral')).toEqual({ 'DELETE /api/users/{userId}': 1, 'PATCH /api/devices/{deviceId}/properties': 1 });
    for (const service of ['iotHub', 'dps', 'graph'] as const) expect({ service, writes: firstRun(service) }).toEqual({ service, writes: {} });
    expect(afterKill('digitalTwins')).toEqual({});
    expect(afterKill('iotCentral')).toEqual({});
    expect(afterKill('iotHub')).toEqual({ 'DELETE /devices/{id}': 3 });
    expect(afterKill('dps')).toEqual({ 'DELETE /enrollments/{id}': 2, 'DELETE /registrations/{id}': 2 });
    expect(afterKill('graph')).toEqual({ 'DELETE /v1.0/users/{id}': 1 });
    for (const device of ['wearable-alex-01', 'headset-alex', 'phone-alex']) expect(await probe.status('iotHub', `/devices/${device}`)).toBe(404);
    expect(await probe.status('iotHub', '/devices/wearable-megan-01')).toBe(200);

    // The audit trail shows the interruption, and stays one unbroken chain across both processes.
    const eraseAudit = await stack.audit.entries(eraseId);
    await expectIntactChain(eraseAudit);
    expect(count(eraseAudit, 'execution started')).toBe(1);
    expect(eraseAudit.filter((e) => e.event === 'execution resumed').map((e) => e.detail)).toEqual([{ stepsDone: 2 }]);
    const stepEvents = eraseAudit.filter((e) => e.event.startsWith('step ') || e.event === 'execution resumed');
    expect(stepEvents.map((e) => (e.event === 'execution resumed' ? 'resumed' : `${e.event} ${String(e.detail.service)}`))).toEqual([
      'step done digitalTwins', 'step done iotCentral', 'resumed', 'step done iotHub', 'step done dps', 'step done botStore', 'step done entra',
    ]);
    const exportAudit = await stack.audit.entries(exportId);
    await expectIntactChain(exportAudit);
    expect(exportAudit.map((e) => e.event).filter((e) => e.startsWith('execution') || e === 'package written' || e === 'completed')).toEqual([
      'execution started', 'execution resumed', 'package written', 'completed',
    ]);

    // The second bot logged both jobs as resumed; neither bot logged who the requests are about.
    const resumed = secondBot.logs().filter((l) => l.msg === 'execution started' && l.resumed === true).map((l) => l.requestId);
    expect(resumed.sort()).toEqual([eraseId, exportId].sort());
    expectNoPersonalData([...firstBot.lines, ...secondBot.lines], [alex, megan]);
    console.log(`crash safety: requests resumed and automated steps done ${resumedAfterMs} ms after the restart`);
  });
});

describe('a bot sent SIGTERM', () => {
  it('finishes the job in flight before it exits 0, and a restarted bot closes the request', async () => {
    const bot = stack.bot;
    const id = await fileRequest(diego, 'delete my data', { kind: 'erase', regime: 'CCPA', services: 'digitalTwins,iotCentral,dps,iotHub,botStore' });
    const before = await statsOf('iotHub');
    await probe.inject('iotHub', { delayMs: 3_000, count: 1, method: 'POST', pathPrefix: '/devices/query' });
    await approve(id, [priya, marco]);
    await waitFor('the erasure to be held at IoT Hub', async () =>
      (await stateOf(id)) === 'executing' && (await statsOf('iotHub')).faultsServed > before.faultsServed);

    const signalled = Date.now();
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    const drainMs = Date.now() - signalled;

    // The job ran to its end before the process exited: every automated step done once, nothing left on the queue.
    const request = await requestOf(id);
    expect(request.state).toBe('awaiting_manual_steps');
    for (const service of ['digitalTwins', 'iotCentral', 'iotHub', 'dps', 'botStore'] as const) {
      expect({ service, status: request.steps[service]?.status, attempts: request.steps[service]?.attempts }).toEqual({ service, status: 'done', attempts: 1 });
    }
    expect((await stack.jobs.getProperties()).approximateMessagesCount).toBe(0);
    // This bot's log around the drain: this request's lines and the shutdown's, in order.
    const messages = bot.logs()
      .filter((l) => l.requestId === id || String(l.msg).startsWith('drain'))
      .map((l) => `${String(l.msg)}${l.service ? ` ${String(l.service)}` : ''}`);
    const draining = messages.indexOf('draining jobs and stopping');
    expect(draining).toBeGreaterThanOrEqual(0);
    expect(messages.indexOf('service step finished iotHub')).toBeGreaterThan(draining);
    expect(messages.indexOf('drained, exiting')).toBeGreaterThan(messages.indexOf('execution finished'));

    // A new bot on the same state: the approver confirms the manual step and the request closes.
    const restarted = await stack.startBot();
    expect(await confirmManualStep(id, priya, 'not_applicable')).toContain('is complete');
    expect(await stateOf(id)).toBe('completed');
    const audit = await stack.audit.entries(id);
    await expectIntactChain(audit);
    expect(count(audit, 'execution started')).toBe(1);
    expect(count(audit, 'execution resumed')).toBe(0);
    expect(count(audit, 'completed')).toBe(1);

    // An idle bot drains at once.
    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toEqual({ code: 0, signal: null });
    expectNoPersonalData([...bot.lines, ...restarted.lines], [diego]);
    console.log(`crash safety: SIGTERM drained the job in flight in ${drainMs} ms`);
  });
});
