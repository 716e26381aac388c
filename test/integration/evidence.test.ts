import { QueueClient } from '@azure/storage-queue';
import { TenantUser } from '../../src/sandbox/tenant';
import { storageClientsFromConnectionString } from '../../src/storage/storageClients';
import { BotStack, startBotStack } from '../support/botStack';
import { approvalCardFor, approveBy, cardOf, fileRequest } from '../support/flowSteps';
import { SandboxProbe } from '../support/sandboxProbe';
import { waitFor } from '../support/waitFor';

/**
 * Evidence that holds, through Teams and the sandbox IoT Hub: an erasure removes exactly the
 * devices its approvers were shown, a shared device tagged with the subject after approval is
 * left alone and put before the approvers as a delta, and with two bot instances and duplicate
 * jobs every request still runs once.
 */
jest.setTimeout(180_000);

const IOT_HUB_API = '2021-04-12';

let stack: BotStack;
let probe: SandboxProbe;
let jobs: QueueClient;
let priya: TenantUser, marco: TenantUser, alex: TenantUser, megan: TenantUser, diego: TenantUser;

beforeAll(async () => {
  // Sweeps every second on every instance: the stalled-request sweep must not start second runs.
  // Leases of 3 s: a job put back because another worker runs its request shows again within that.
  stack = await startBotStack('evidence', { DSR_SERVICES: 'iotHub', DSR_WORKER_CONCURRENCY: '1', DSR_JOB_VISIBILITY_SECONDS: '3' }, undefined, { sweepMs: 1_000 });
  probe = new SandboxProbe(stack.sandbox);
  jobs = storageClientsFromConnectionString(stack.azurite.connectionString).jobs;
  [priya, marco, alex, megan, diego] = ['Priya', 'Marco', 'Alex', 'Megan', 'Diego'].map((n) => stack.user(n));
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

const requestOf = async (id: string) => (await stack.bot.store.get(id))!.request;

async function tagOwner(deviceId: string, owner: string): Promise<void> {
  const url = new URL(`/twins/${deviceId}`, stack.sandbox.iotHub);
  url.searchParams.set('api-version', IOT_HUB_API);
  const response = await fetch(url, { method: 'PATCH', headers: { authorization: 'Bearer test', 'content-type': 'application/json' }, body: JSON.stringify({ tags: { owner } }) });
  expect(response.status).toBe(200);
}

async function deleteCount(): Promise<number> {
  const stats = (await (await fetch(new URL('/_sandbox/stats', stack.sandbox.iotHub))).json()) as { requests: Record<string, number> };
  return stats.requests['DELETE /devices/{id}'] ?? 0;
}

async function erasureAwaitingApproval(user: TenantUser): Promise<string> {
  const id = await fileRequest(stack, user, 'delete my data', { kind: 'erase', regime: 'GDPR', services: 'iotHub' });
  await waitFor(`${id} to await approval`, async () => (await requestOf(id)).state === 'awaiting_approval');
  return id;
}

describe('an erasure against its approved plan', () => {
  it('leaves a shared device tagged with the subject after approval, and erases it only once approvers approve the delta', async () => {
    const id = await erasureAwaitingApproval(alex);
    const planned = (await requestOf(id)).discovery.iotHub!.plan!.map((item) => item.id).sort();
    expect(planned).toEqual(['headset-alex', 'wearable-alex-01']);

    // The approvers' channel card shows the plan's size and hash, never its device ids.
    const card = JSON.stringify(cardOf(await approvalCardFor(stack, id)));
    const hash = (await requestOf(id)).planHash!;
    expect(card).toContain(`Plan ${hash.slice(0, 8)}: 2 item(s)`);
    for (const device of planned) expect(card).not.toContain(device);

    // Hold the erasure's first look at IoT Hub (its twin query), and tag a shared sensor with Alex meanwhile.
    await probe.inject('iotHub', { delayMs: 1_500, count: 1, method: 'POST', pathPrefix: '/devices/query' });
    await approveBy(stack, id, [priya, marco]);
    await tagOwner('sensor-floor-3', alex.aadObjectId);

    await waitFor(`${id} to wait for a decision on the delta`, async () => (await requestOf(id)).state === 'awaiting_delta_approval');
    for (const device of planned) expect(await probe.status('iotHub', `/devices/${device}`)).toBe(404);
    expect(await probe.status('iotHub', '/devices/sensor-floor-3')).toBe(200);
    const paused = await requestOf(id);
    expect(paused.deltas?.[0].plan.iotHub?.map((i) => i.id)).toEqual(['sensor-floor-3']);

    // A new card asks the approvers about the delta, by its own hash; the decision binds to it.
    const deltaHash = paused.deltas![0].planHash;
    const deltaCard = await waitFor('the delta approval card', () =>
      stack.connector.to(stack.teams.channelId).filter((s) => s.kind === 'send' && JSON.stringify(cardOf(s) ?? {}).includes(`delta ${deltaHash.slice(0, 8)}`)).at(-1));
    expect(JSON.stringify(cardOf(deltaCard))).not.toContain('sensor-floor-3');
    for (const approver of [priya, marco]) {
      const answer = await stack.teams.click(approver, stack.teams.channelId, 'dsr.approve', { requestId: id, planHash: deltaHash }, deltaCard.activityId);
      expect(answer.status).toBe(200);
    }
    await waitFor(`${id} to close`, async () => (await requestOf(id)).state === 'completed');
    expect(await probe.status('iotHub', '/devices/sensor-floor-3')).toBe(404);
    const done = await requestOf(id);
    expect(done.steps.iotHub?.items?.map((i) => `${i.id}:${i.result}`).sort()).toEqual(['headset-alex:removed', 'sensor-floor-3:removed', 'wearable-alex-01:removed']);
    expect(done.decisions.map((d) => d.planHash)).toEqual([hash, hash]);
    expect(done.deltas![0].decisions.map((d) => d.planHash)).toEqual([deltaHash, deltaHash]);
  });
});

describe('two bot instances, one worker each, duplicate jobs and a slow service', () => {
  it('runs every request once, and each receipt counts what the service really deleted', async () => {
    const second = await stack.startAnotherBot();
    const ids = [await erasureAwaitingApproval(megan), await erasureAwaitingApproval(diego)];
    const deletesBefore = await deleteCount();
    await probe.inject('iotHub', { delayMs: 800, count: 6, method: 'DELETE' });
    for (const id of ids) await approveBy(stack, id, [priya, marco]);
    // What the stalled sweep did on every instance before it took a lease: the same job again, twice.
    for (const id of ids) for (let i = 0; i < 2; i++) await jobs.sendMessage(JSON.stringify({ type: 'execute', requestId: id }));

    await waitFor('both erasures to close', async () => {
      const states = await Promise.all(ids.map(async (id) => (await requestOf(id)).state));
      return states.every((s) => s === 'completed') ? true : undefined;
    }, 60_000);
    await waitFor('the duplicate jobs to be used up', async () => ((await jobs.getProperties()).approximateMessagesCount === 0 ? true : undefined), 30_000);

    let counted = 0;
    for (const id of ids) {
      const audit = await stack.bot.audit.entries(id);
      expect({ id, started: audit.filter((e) => e.event === 'execution started').length }).toEqual({ id, started: 1 });
      expect({ id, takenOver: audit.filter((e) => e.event === 'lease taken over').length }).toEqual({ id, takenOver: 0 });
      expect({ id, completed: audit.filter((e) => e.event === 'completed').length }).toEqual({ id, completed: 1 });
      const request = await requestOf(id);
      expect(request.steps.iotHub?.attempts).toBe(1);
      counted += request.steps.iotHub?.count ?? 0;
      for (const item of request.discovery.iotHub!.plan!) expect(await probe.status('iotHub', `/devices/${item.id}`)).toBe(404);
    }
    // Megan's two devices and Diego's laptop: each deleted once, and the receipts count exactly those.
    expect(await deleteCount() - deletesBefore).toBe(counted);
    expect(counted).toBe(3);
    expect(second.bot.url).not.toBe(stack.bot.url);
  });
});
