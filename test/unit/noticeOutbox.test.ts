import { Clock, DsrRequest, Job, JobDispatch, NoticeSender, Notifier, RequestNotice, RequestService } from '../../src/dsr';
import { MemoryRequestStore } from '../support/memoryRequestStore';
import { APPROVER_A, DISTINCT_APPROVERS, sampleRequest } from './sampleRequest';
import { auditLogOf } from '../support/auditFakes';

/**
 * Acknowledge first: a click's change is written with its notice in the request's outbox, and the
 * notice goes out from the job the change enqueued, exactly once, surviving a crash in between.
 */
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const ID = 'DSR-2026-0042';

/** A clock the test moves by hand. */
function handClock(at = '2026-12-15T08:00:00Z') {
  let now = new Date(at);
  const clock: Clock = { now: () => now };
  return { clock, advance: (ms: number) => void (now = new Date(now.getTime() + ms)) };
}

function stack(options: { enqueue?: (job: Job) => Promise<void>; listStalled?: boolean } = {}) {
  const store = new MemoryRequestStore();
  const { clock, advance } = handClock();
  const jobs: Job[] = [];
  const told: { notice: RequestNotice; state: string }[] = [];
  const notifier: Notifier = { notify: async (notice, request) => void told.push({ notice, state: request.state }) };
  if (options.listStalled) {
    store.listStalled = async () => [(await store.get(ID))!.request];
  }
  const requests = new RequestService({
    store, notifier, clock, log: quiet, adapters: new Map(), erasureApprovals: 2, maxOpenRequests: 5,
    queue: { enqueue: options.enqueue ?? (async (job) => void jobs.push(job)) },
    audit: auditLogOf(async () => undefined),
    approvers: DISTINCT_APPROVERS,
  });
  const notices = new NoticeSender({ store, notifier, clock, log: quiet });
  const dispatch = new JobDispatch({
    requests, notices, lifter: { lift: async () => undefined },
    executor: { execute: async () => void told.push({ notice: 'completed', state: 'executed' }), purge: async () => undefined, abandon: async () => undefined },
  });
  return { store, requests, notices, dispatch, jobs, told, advance };
}

describe('notices after the answer', () => {
  it('answers an approval before anyone is told, then the execution job tells them once, before it runs', async () => {
    const { store, requests, dispatch, jobs, told } = stack();
    await store.create(sampleRequest());
    const outcome = await requests.decide(ID, APPROVER_A, 'approve', true);
    expect(outcome).toMatchObject({ result: 'done', code: 'approved' });
    expect(told).toEqual([]);
    expect((await store.get(ID))!.request.outbox).toEqual({ notices: ['approved'] });
    expect(jobs).toEqual([{ type: 'execute', requestId: ID }]);

    await dispatch.run(jobs[0]);
    expect(told).toEqual([{ notice: 'approved', state: 'approved' }, { notice: 'completed', state: 'executed' }]);
    expect((await store.get(ID))!.request.outbox).toBeUndefined();
    // The job delivered again (a worker lost its message): nothing is told twice.
    await dispatch.run(jobs[0]);
    expect(told.filter((t) => t.notice === 'approved')).toHaveLength(1);
  });

  it('sends a cancellation from a notify job', async () => {
    const { store, requests, dispatch, jobs, told } = stack();
    await store.create(sampleRequest({ state: 'submitted' }));
    await requests.cancel(ID, sampleRequest().requester);
    expect(jobs).toEqual([{ type: 'notify', requestId: ID }]);
    await dispatch.run(jobs[0]);
    expect(told.map((t) => t.notice)).toEqual(['cancelled']);
  });

  it('records what a notice posted in the write that empties the outbox', async () => {
    const { store } = stack();
    const { clock } = handClock();
    const posting: Notifier = { notify: async () => ({ approvalCard: { card: { conversationKey: 'channel:approvals', activityId: 'a-1' } }, failures: [] }) };
    await store.create(sampleRequest({ outbox: { notices: ['awaitingApproval'] } }));
    await new NoticeSender({ store, notifier: posting, clock, log: quiet }).sendPending(ID);
    const { request } = (await store.get(ID))!;
    expect(request.cards.approval).toEqual({ conversationKey: 'channel:approvals', activityId: 'a-1' });
    expect(request.outbox).toBeUndefined();
  });
});

describe('a crash between the write and the notice', () => {
  it('loses no notice when the queue fails after the write: the stalled sweep sends it, once', async () => {
    let queueUp = false;
    const queued: Job[] = [];
    const { store, requests, dispatch, told } = stack({
      listStalled: true,
      enqueue: async (job) => {
        if (!queueUp) throw new Error('queue unreachable');
        queued.push(job);
      },
    });
    await store.create(sampleRequest());
    await expect(requests.decide(ID, APPROVER_A, 'reject', true, 'not needed')).rejects.toThrow('queue unreachable');
    expect((await store.get(ID))!.request).toMatchObject({ state: 'rejected', outbox: { notices: ['rejected'] } });

    queueUp = true;
    await requests.enqueueStalled();
    expect(queued).toEqual([{ type: 'notify', requestId: ID }]);
    for (const job of queued) await dispatch.run(job);
    await dispatch.run(queued[0]);
    expect(told).toEqual([{ notice: 'rejected', state: 'rejected' }]);
  });

  it('sends again what a worker took and died with, once its hold is stale, and not before', async () => {
    const { store, notices, told, advance } = stack();
    const taken: DsrRequest = sampleRequest({ state: 'rejected', outbox: { notices: ['rejected'], sendingSince: '2026-12-15T08:00:00.000Z' } });
    await store.create(taken);
    await notices.sendPending(ID);
    expect(told).toEqual([]);
    advance(61_000);
    await notices.sendPending(ID);
    expect(told.map((t) => t.notice)).toEqual(['rejected']);
  });
});
