import { type AdapterCallContext, type AuditLog, type DsrRequest, Executor, type ItemOutcome, LeaseHeld, type Notifier, planHash, type PlanItem, planOf, type RequestNotice, RequestService, type ServiceAdapter, type ServiceName, shortHash, type StepReport, type Subject } from '../../src/dsr';
import { MemoryRequestStore } from '../support/memoryRequestStore';
import { waitFor } from '../support/waitFor';
import { APPROVER_A, APPROVER_B, SUBJECT, sampleRequest, DISTINCT_APPROVERS } from './sampleRequest';
import { auditLogOf } from '../support/auditFakes';

/**
 * The plan as evidence: approvals bind to its hash, execution touches only its items, what
 * matches beyond it waits for its own approval, and one worker at a time runs a request.
 * Against the domain with requests in memory and a service whose devices a test can tag.
 */

const NOW = new Date('2026-11-23T10:00:00.000Z');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A device service: devices tagged with an owner; erase with a plan deletes only planned devices. */
class TaggedDevices implements ServiceAdapter {
  readonly service: ServiceName = 'iotHub';
  readonly owners = new Map<string, string>();
  deleted: string[] = [];
  /** Erases wait for it when set: lets a test hold a run in the middle. */
  gate?: Promise<void>;
  erasesStarted = 0;

  tag(deviceId: string, owner: string): void {
    this.owners.set(deviceId, owner);
  }

  private matching(subject: Subject): PlanItem[] {
    return [...this.owners].filter(([, owner]) => owner === subject.aadObjectId).map(([id]) => ({ type: 'device', id, reason: 'tag:owner' }));
  }

  async discover(subject: Subject) {
    const plan = this.matching(subject);
    return { count: plan.length, items: [`${plan.length} devices`], plan };
  }

  // eslint-disable-next-line require-yield
  async *export(): AsyncIterable<never> {
    return;
  }

  async erase(subject: Subject, context: AdapterCallContext): Promise<StepReport> {
    this.erasesStarted++;
    await this.gate;
    const planned = context.plan ?? this.matching(subject);
    const items: ItemOutcome[] = planned.map((item) => {
      if (!this.owners.delete(item.id)) return { ...item, result: 'alreadyGone' };
      this.deleted.push(item.id);
      return { ...item, result: 'removed' };
    });
    const plannedIds = new Set(planned.map((i) => i.id));
    const delta = this.matching(subject).filter((i) => !plannedIds.has(i.id));
    const count = items.filter((i) => i.result === 'removed').length;
    return { summary: { code: 'iotHub.deleted', devices: count, absent: 0, planned: true }, count, items, delta };
  }
}

interface World {
  store: MemoryRequestStore;
  devices: TaggedDevices;
  audit: { requestId: string; event: string; detail: Record<string, unknown> }[];
  notices: RequestNotice[];
  requests: RequestService;
  executor(workerId: string, clock?: { now(): Date }): Executor;
}

function world(): World {
  const store = new MemoryRequestStore();
  const devices = new TaggedDevices();
  const audit: World['audit'] = [];
  const notices: RequestNotice[] = [];
  const log: AuditLog = auditLogOf(async (requestId, event, detail) => void audit.push({ requestId, event, detail }));
  const notifier: Notifier = { notify: async (notice) => void notices.push(notice) };
  const adapters = new Map<ServiceName, ServiceAdapter>([['iotHub', devices]]);
  const clock = { now: () => NOW };
  const queue = { enqueue: async () => undefined, oldestWaiting: async () => undefined };
  return {
    store,
    devices,
    audit,
    notices,
    requests: new RequestService({ store, queue, audit: log, notifier, adapters, clock, log: quiet, erasureApprovals: 2, maxOpenRequests: 5, approvers: DISTINCT_APPROVERS }),
    executor: (workerId, ownClock = clock) =>
      new Executor({ store, queue, audit: log, notifier, exports: { openPackage: () => Promise.reject(new Error('no exports here')) }, adapters, clock: ownClock, log: quiet, purgeGraceDays: 14, workerId, leaseMs: 30_000 }),
  };
}

/** An erasure of the subject's devices, filed in chat and discovered: waiting for two approvals. */
async function discoveredErasure(w: World): Promise<DsrRequest> {
  w.devices.tag('sensor-1', SUBJECT.aadObjectId);
  w.devices.tag('sensor-2', SUBJECT.aadObjectId);
  w.devices.tag('shared-gateway', 'someone-else');
  await w.store.create(sampleRequest({ kind: 'erase', state: 'submitted', services: ['iotHub'], discovery: {} }));
  await w.requests.discover('DSR-2026-0042');
  return (await w.store.get('DSR-2026-0042'))!.request;
}

async function approveTwice(w: World, hash?: string): Promise<void> {
  expect((await w.requests.decide('DSR-2026-0042', APPROVER_A, 'approve', true, undefined, hash)).result).toBe('done');
  expect((await w.requests.decide('DSR-2026-0042', APPROVER_B, 'approve', true, undefined, hash)).result).toBe('done');
}

const current = async (w: World) => (await w.store.get('DSR-2026-0042'))!.request;

describe('the plan hash', () => {
  const a: PlanItem = { type: 'device', id: 'sensor-1', reason: 'tag:owner' };
  const b: PlanItem = { type: 'device', id: 'sensor-2', reason: 'tag:owner' };

  it('is the same whatever order an adapter lists the items in', () => {
    expect(planHash({ iotHub: [a, b] })).toBe(planHash({ iotHub: [b, a] }));
    expect(planHash({ iotHub: [a, b] })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with any item, any reason and any service', () => {
    const base = planHash({ iotHub: [a, b] });
    expect(planHash({ iotHub: [a] })).not.toBe(base);
    expect(planHash({ iotHub: [a, { ...b, reason: 'dpsRegistration' }] })).not.toBe(base);
    expect(planHash({ dps: [a, b] })).not.toBe(base);
  });

  it('is shown by its first 8 hex digits', () => {
    expect(shortHash(planHash({ iotHub: [a] }))).toHaveLength(8);
  });
});

describe('an erasure carried out against its plan', () => {
  it('records the plan and its hash at discovery, and each approval binds to that hash', async () => {
    const w = world();
    const request = await discoveredErasure(w);
    expect(planOf(request.discovery)).toEqual({ iotHub: [{ type: 'device', id: 'sensor-1', reason: 'tag:owner' }, { type: 'device', id: 'sensor-2', reason: 'tag:owner' }] });
    expect(request.planHash).toBe(planHash(planOf(request.discovery)));
    await approveTwice(w, request.planHash);
    const approved = await current(w);
    expect(approved.state).toBe('approved');
    expect(approved.decisions.map((d) => d.planHash)).toEqual([request.planHash, request.planHash]);
    expect(w.audit.find((e) => e.event === 'discovered')?.detail.planHash).toBe(request.planHash);
  });

  it('refuses an approval given on a card that showed another plan', async () => {
    const w = world();
    await discoveredErasure(w);
    const outcome = await w.requests.decide('DSR-2026-0042', APPROVER_A, 'approve', true, undefined, 'f'.repeat(64));
    expect(outcome).toMatchObject({ result: 'refused', code: 'planChanged', requestId: 'DSR-2026-0042' });
    expect((await current(w)).decisions).toEqual([]);
  });

  it('leaves a device tagged after approval alone and puts it before the approvers as a delta', async () => {
    const w = world();
    const request = await discoveredErasure(w);
    await approveTwice(w, request.planHash);
    w.devices.tag('shared-gateway', SUBJECT.aadObjectId); // someone tags a shared asset between approval and execution

    await w.executor('worker-1').execute('DSR-2026-0042');

    expect(w.devices.deleted.sort()).toEqual(['sensor-1', 'sensor-2']);
    expect(w.devices.owners.has('shared-gateway')).toBe(true);
    const paused = await current(w);
    expect(paused.state).toBe('awaiting_delta_approval');
    expect(paused.lease).toBeUndefined();
    expect(paused.deltas).toHaveLength(1);
    expect(paused.deltas![0].plan).toEqual({ iotHub: [{ type: 'device', id: 'shared-gateway', reason: 'tag:owner' }] });
    expect(paused.steps.iotHub?.count).toBe(2);
    expect(w.notices).toContain('deltaAwaitingApproval');
    // The audit trail carries counts and the hash, never the device ids (they may spell names).
    const found = w.audit.find((e) => e.event === 'delta found');
    expect(found?.detail).toEqual({ iotHub: 1, planHash: paused.deltas![0].planHash });
  });

  it('decides a delta under the same rules: two distinct approvers, on the hash they were shown', async () => {
    const w = world();
    const request = await discoveredErasure(w);
    await approveTwice(w, request.planHash);
    w.devices.tag('shared-gateway', SUBJECT.aadObjectId);
    await w.executor('worker-1').execute('DSR-2026-0042');
    const deltaHash = (await current(w)).deltas![0].planHash;

    expect((await w.requests.decide('DSR-2026-0042', APPROVER_A, 'approve', true, undefined, request.planHash)).result).toBe('refused');
    expect((await w.requests.decide('DSR-2026-0042', APPROVER_A, 'approve', true, undefined, deltaHash)).result).toBe('done');
    expect((await w.requests.decide('DSR-2026-0042', APPROVER_A, 'approve', true, undefined, deltaHash)).result).toBe('refused');
    expect((await current(w)).state).toBe('awaiting_delta_approval');
    expect((await w.requests.decide('DSR-2026-0042', APPROVER_B, 'approve', true, undefined, deltaHash)).result).toBe('done');

    const approved = await current(w);
    expect(approved.state).toBe('approved');
    expect(approved.deltas![0].outcome).toBe('approved');
    expect(approved.steps.iotHub).toBeUndefined(); // the service runs again, with the grown plan

    await w.executor('worker-1').execute('DSR-2026-0042');
    const done = await current(w);
    expect(done.state).toBe('completed');
    expect(w.devices.owners.size).toBe(0);
    // One outcome per item over both runs: what the first run removed stays 'removed'.
    expect(done.steps.iotHub?.items?.map((i) => `${i.id}:${i.result}`).sort()).toEqual(['sensor-1:removed', 'sensor-2:removed', 'shared-gateway:removed']);
    expect(done.steps.iotHub?.count).toBe(3);
  });

  it('closes without the delta when an approver rejects it, leaving its items as they were', async () => {
    const w = world();
    const request = await discoveredErasure(w);
    await approveTwice(w, request.planHash);
    w.devices.tag('shared-gateway', SUBJECT.aadObjectId);
    await w.executor('worker-1').execute('DSR-2026-0042');

    expect((await w.requests.decide('DSR-2026-0042', APPROVER_A, 'reject', true, 'the gateway is shared')).result).toBe('done');
    expect((await current(w)).state).toBe('approved');
    await w.executor('worker-1').execute('DSR-2026-0042');

    const done = await current(w);
    expect(done.state).toBe('completed');
    expect(done.deltas![0].outcome).toBe('rejected');
    expect(w.devices.owners.get('shared-gateway')).toBe(SUBJECT.aadObjectId);
  });

  it('records a planned item gone before execution as already gone, not as an error', async () => {
    const w = world();
    const request = await discoveredErasure(w);
    await approveTwice(w, request.planHash);
    w.devices.owners.delete('sensor-2');

    await w.executor('worker-1').execute('DSR-2026-0042');

    const done = await current(w);
    expect(done.state).toBe('completed');
    expect(done.steps.iotHub?.status).toBe('done');
    expect(done.steps.iotHub?.items?.find((i) => i.id === 'sensor-2')?.result).toBe('alreadyGone');
    expect(done.steps.iotHub?.count).toBe(1);
  });
});

describe('one run at a time', () => {
  it('sends a second worker away while the first holds the lease, and lets it take over once the lease expires', async () => {
    const w = world();
    const request = await discoveredErasure(w);
    await approveTwice(w, request.planHash);
    let release!: () => void;
    w.devices.gate = new Promise<void>((resolve) => (release = resolve));

    const first = w.executor('worker-1').execute('DSR-2026-0042');
    await waitFor('worker-1 to be in the middle of its erase', () => (w.devices.erasesStarted === 1 ? true : undefined));
    expect((await current(w)).lease?.owner).toBe('worker-1');

    await expect(w.executor('worker-2').execute('DSR-2026-0042')).rejects.toBeInstanceOf(LeaseHeld);
    expect(w.devices.erasesStarted).toBe(1);

    // Past the lease's expiry (worker-1 stalled and stopped renewing), a third worker takes over.
    w.devices.gate = undefined;
    const later = { now: () => new Date(NOW.getTime() + 31_000) };
    await w.executor('worker-3', later).execute('DSR-2026-0042');
    expect((await current(w)).state).toBe('completed');

    // The stalled run wakes up: its changes find everything gone, and none of its outcome is written.
    release();
    await first;
    const done = await current(w);
    expect(done.state).toBe('completed');
    expect(done.lease).toBeUndefined();
    expect(done.steps.iotHub?.count).toBe(2);
    expect(done.steps.iotHub?.attempts).toBe(1);
    expect(w.devices.deleted.sort()).toEqual(['sensor-1', 'sensor-2']);
    expect(w.audit.filter((e) => e.event === 'lease taken over')).toHaveLength(1);
    expect(w.audit.filter((e) => e.event === 'execution started')).toHaveLength(1);
    expect(w.audit.filter((e) => e.event === 'completed')).toHaveLength(1);
  });

  it('sends away a second job for the same request in the same worker while the first runs', async () => {
    const w = world();
    const request = await discoveredErasure(w);
    await approveTwice(w, request.planHash);
    let release!: () => void;
    w.devices.gate = new Promise<void>((resolve) => (release = resolve));
    const executor = w.executor('worker-1');

    const first = executor.execute('DSR-2026-0042');
    await waitFor('the first run to be in its erase', () => (w.devices.erasesStarted === 1 ? true : undefined));
    await expect(executor.execute('DSR-2026-0042')).rejects.toBeInstanceOf(LeaseHeld);
    release();
    await first;

    expect(w.devices.erasesStarted).toBe(1);
    expect((await current(w)).state).toBe('completed');
  });

  it('moves a request whose job kept failing to failed_partially, where approvers can retry it', async () => {
    const w = world();
    const request = await discoveredErasure(w);
    await approveTwice(w, request.planHash);

    await w.executor('worker-1').abandon('DSR-2026-0042');

    expect((await current(w)).state).toBe('failed_partially');
    expect(w.notices).toContain('failed');
    expect(w.audit.find((e) => e.event === 'failed partially')?.detail.jobGaveUp).toBe(true);
  });
});
