import { Clock, DsrRequest, Executor, Job, JobDispatch, LeaseHeld, NoticeSender, Notifier, RequestNotice, RequestService } from '../../src/dsr';
import { MemoryRequestStore } from '../support/memoryRequestStore';
import { APPROVER_A, DISTINCT_APPROVERS, sampleRequest, SUBJECT, SUBJECT_AS_ACTOR } from './sampleRequest';
import { auditLogOf } from '../support/auditFakes';
import { waitFor } from '../support/waitFor';

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
    queue: { enqueue: options.enqueue ?? (async (job) => void jobs.push(job)), oldestWaiting: async () => undefined },
    audit: auditLogOf(async () => undefined),
    approvers: DISTINCT_APPROVERS,
  });
  const notices = new NoticeSender({ store, notifier, clock, log: quiet });
  const dispatch = new JobDispatch({
    requests, notices, lifter: { lift: async () => undefined },
    // An execution given the notices its job sent records them with its first write.
    executor: {
      execute: async (_id, sent) => {
        await sent?.record();
        told.push({ notice: 'completed', state: 'executed' });
      },
      purge: async () => undefined,
      abandon: async () => undefined,
    },
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
    // Held for the job the decision enqueued, by the decision's own write.
    const hold = jobs[0]?.hold;
    expect(hold).toEqual(expect.any(String));
    expect((await store.get(ID))!.request.outbox).toEqual({ notices: ['approved'], sendingSince: '2026-12-15T08:00:00.000Z', heldFor: hold });
    expect(jobs).toEqual([{ type: 'execute', requestId: ID, hold }]);

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
    expect(jobs).toEqual([{ type: 'notify', requestId: ID, hold: expect.any(String) }]);
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

describe('a submission', () => {
  it('is answered once the request and its audit entry are written, not after its job is queued; a job the queue lost is queued by the stalled sweep', async () => {
    const FILED = 'DSR-2026-0001';
    const store = new MemoryRequestStore();
    const { clock } = handClock();
    const audited: string[] = [];
    const warnings: string[] = [];
    const queued: Job[] = [];
    let loseJob!: (error: Error) => void;
    let sending = 0;
    const requests = new RequestService({
      store, clock, adapters: new Map(), erasureApprovals: 2, maxOpenRequests: 5, approvers: DISTINCT_APPROVERS,
      notifier: { notify: async () => undefined },
      log: { ...quiet, warn: (_fields, message) => void warnings.push(message) },
      audit: auditLogOf(async (_id, event) => void audited.push(event)),
      // The first job is still being sent when the click is answered, then its write fails.
      queue: {
        enqueue: (job) => (sending++ === 0 ? new Promise<void>((_sent, fail) => (loseJob = fail)) : Promise.resolve(void queued.push(job))),
        oldestWaiting: async () => undefined,
      },
    });
    store.listStalled = async () => [(await store.get(FILED))!.request];

    const outcome = await requests.submit({ kind: 'export', regime: 'GDPR', services: [] }, { aadObjectId: SUBJECT.aadObjectId, details: Promise.resolve(SUBJECT) }, SUBJECT_AS_ACTOR);
    expect(outcome).toMatchObject({ result: 'created', request: { id: FILED } });
    expect((await store.get(FILED))!.request).toMatchObject({ state: 'submitted', outbox: { notices: ['opened'] } });
    expect(audited).toEqual(['created']);
    expect(sending).toBe(1);

    loseJob(new Error('queue unreachable'));
    await waitFor('the lost job\'s warning', () => warnings.length > 0);
    expect(warnings).toEqual(['discovery job not queued, the stalled-request sweep will queue it']);
    expect(queued).toEqual([]);
    await requests.enqueueStalled();
    expect(queued).toEqual([{ type: 'discover', requestId: FILED }]);
  });
});

describe('a crash between the write and the notice', () => {
  it('loses no notice when the queue fails after the write: the stalled sweep sends it, once', async () => {
    let queueUp = false;
    const queued: Job[] = [];
    const { store, requests, dispatch, told, advance } = stack({
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
    // A request counts as stalled 2 minutes after its last write, long after the decision's hold
    // on its outbox (for the job that was lost) went stale.
    advance(120_000);
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

describe("the job's first write records the notices it sent", () => {
  /** The real discovery and execution, every write of the request kept in order. */
  function jobStack(openPackage: () => Promise<never> = () => Promise.reject(new Error('no exports here'))) {
    const store = new MemoryRequestStore();
    const written: DsrRequest[] = [];
    const replace = store.replace.bind(store);
    store.replace = async (request, etag) => {
      written.push(request);
      return replace(request, etag);
    };
    const { clock, advance } = handClock();
    const jobs: Job[] = [];
    const told: { notice: RequestNotice; state: string; cardsLeft?: true }[] = [];
    let duringNotice: (notice: RequestNotice) => Promise<void> = async () => undefined;
    const notifier: Notifier = {
      notify: async (notice, request, options) => {
        told.push({ notice, state: request.state, ...(options?.cardsRefreshedNext ? { cardsLeft: true as const } : {}) });
        await duringNotice(notice);
      },
    };
    const deps = { store, notifier, clock, log: quiet, adapters: new Map(), audit: auditLogOf(async () => undefined), queue: { enqueue: async (job: Job) => void jobs.push(job), oldestWaiting: async () => undefined } };
    const requests = new RequestService({ ...deps, erasureApprovals: 2, maxOpenRequests: 5, approvers: DISTINCT_APPROVERS });
    const executor = new Executor({ ...deps, exports: { openPackage }, purgeGraceDays: 30, workerId: 'this-worker', leaseMs: 30_000 });
    const notices = new NoticeSender({ store, notifier, clock, log: quiet });
    const dispatch = new JobDispatch({ requests, executor, notices, lifter: { lift: async () => undefined } });
    /** Another process's change: a notice decided while this worker sends. */
    const decideElsewhere = async (notice: RequestNotice) => {
      const { request, etag } = (await store.get(ID))!;
      await replace({ ...request, outbox: { ...request.outbox, notices: [...(request.outbox?.notices ?? []), notice] } }, etag);
    };
    return { store, written, told, dispatch, executor, requests, notices, jobs, advance, decideElsewhere, onNotice: (f: typeof duringNotice) => void (duringNotice = f) };
  }

  it('writes the sent notice away with the start of discovery: one write fewer than sending alone', async () => {
    const { store, written, told, dispatch } = jobStack();
    await store.create(sampleRequest({ state: 'submitted', discovery: {}, outbox: { notices: ['opened'] } }));
    await dispatch.run({ type: 'discover', requestId: ID });
    expect(told.map((t) => t.notice)).toEqual(['opened', 'awaitingApproval']);
    expect(written.map((w) => [w.state, w.outbox])).toEqual([
      ['submitted', { notices: ['opened'], sendingSince: '2026-12-15T08:00:00.000Z' }],
      ['discovering', undefined],
      ['awaiting_approval', undefined],
    ]);
  });

  it('sends a notice decided while it sent before discovery goes on, once', async () => {
    const { store, told, dispatch, decideElsewhere, onNotice } = jobStack();
    onNotice(async (notice) => {
      if (notice === 'opened') await decideElsewhere('progress');
    });
    await store.create(sampleRequest({ state: 'submitted', discovery: {}, outbox: { notices: ['opened'] } }));
    await dispatch.run({ type: 'discover', requestId: ID });
    expect(told).toEqual([
      { notice: 'opened', state: 'submitted' },
      { notice: 'progress', state: 'discovering' },
      { notice: 'awaitingApproval', state: 'awaiting_approval' },
    ]);
    expect((await store.get(ID))!.request.outbox).toBeUndefined();
  });

  it('sends the outbox a decision held for the job it enqueued without a write to take it', async () => {
    const { store, written, told, dispatch, requests, jobs } = jobStack();
    await store.create(sampleRequest());
    await requests.decide(ID, APPROVER_A, 'approve', true);
    await expect(dispatch.run(jobs[0])).rejects.toThrow('no exports here');
    expect(told).toEqual([{ notice: 'approved', state: 'approved', cardsLeft: true }, { notice: 'progress', state: 'executing' }]);
    // The decision's write, then the run's first: none of the job's own to take the outbox.
    expect(written.map((w) => [w.state, w.outbox])).toEqual([
      ['approved', { notices: ['approved'], sendingSince: '2026-12-15T08:00:00.000Z', heldFor: jobs[0].hold }],
      ['executing', undefined],
    ]);
  });

  it('leaves an outbox held for another job to it until the hold is stale, then takes it with a write', async () => {
    const { store, written, told, dispatch, advance } = jobStack();
    await store.create(sampleRequest({ state: 'rejected', outbox: { notices: ['rejected'], sendingSince: '2026-12-15T08:00:00.000Z', heldFor: 'hold-a' } }));
    await dispatch.run({ type: 'notify', requestId: ID, hold: 'hold-b' });
    await dispatch.run({ type: 'notify', requestId: ID });
    expect(told).toEqual([]);
    expect(written).toEqual([]);
    advance(61_000);
    await dispatch.run({ type: 'notify', requestId: ID, hold: 'hold-a' });
    expect(told.map((t) => t.notice)).toEqual(['rejected']);
    expect(written.map((w) => w.outbox)).toEqual([{ notices: ['rejected'], sendingSince: '2026-12-15T08:01:01.000Z' }, undefined]);
  });

  it('a worker that stalled past its hold leaves the outbox to the one that took it over, and loses no notice decided since', async () => {
    const { store, told, notices, advance, decideElsewhere } = jobStack();
    await store.create(sampleRequest({ state: 'approved', outbox: { notices: ['approved'], sendingSince: '2026-12-15T08:00:00.000Z', heldFor: 'hold-a' } }));
    const stalled = (await notices.sendLeavingRecord(ID, 'hold-a'))!;
    advance(61_000);
    await notices.sendPending(ID);
    await decideElsewhere('extended');
    await stalled.record();
    expect(told.map((t) => t.notice)).toEqual(['approved', 'approved', 'extended']);
    expect((await store.get(ID))!.request.outbox).toBeUndefined();
  });

  it("sends an approval's notice without the card refresh that the run makes right after its first write", async () => {
    const { store, written, told, dispatch } = jobStack();
    await store.create(sampleRequest({ state: 'approved', outbox: { notices: ['approved'] } }));
    await expect(dispatch.run({ type: 'execute', requestId: ID })).rejects.toThrow('no exports here');
    expect(told).toEqual([{ notice: 'approved', state: 'approved', cardsLeft: true }, { notice: 'progress', state: 'executing' }]);
    expect(written.map((w) => [w.state, w.outbox])).toEqual([
      ['approved', { notices: ['approved'], sendingSince: '2026-12-15T08:00:00.000Z' }],
      ['executing', undefined],
    ]);
  });

  it('refreshes the cards itself when the request is not to be run any more', async () => {
    const { store, told, dispatch } = jobStack();
    await store.create(sampleRequest({ state: 'completed', outbox: { notices: ['extended'] } }));
    await dispatch.run({ type: 'execute', requestId: ID });
    expect(told).toEqual([{ notice: 'extended', state: 'completed', cardsLeft: true }, { notice: 'progress', state: 'completed' }]);
    expect((await store.get(ID))!.request.outbox).toBeUndefined();
  });

  it('records the sent notice when another worker holds the run, and leaves the run to it', async () => {
    const { store, written, told, dispatch } = jobStack();
    const lease = { owner: 'other-worker', expiresAt: '2026-12-15T08:00:20.000Z' };
    await store.create(sampleRequest({ state: 'executing', lease, outbox: { notices: ['progress'] } }));
    await expect(dispatch.run({ type: 'execute', requestId: ID })).rejects.toBeInstanceOf(LeaseHeld);
    // The notice left the cards to a run that this job does not make: it refreshes them itself.
    expect(told).toEqual([{ notice: 'progress', state: 'executing', cardsLeft: true }, { notice: 'progress', state: 'executing' }]);
    expect(written).toHaveLength(2);
    expect((await store.get(ID))!.request).toMatchObject({ state: 'executing', lease });
    expect((await store.get(ID))!.request.outbox).toBeUndefined();
  });

  it('records the sent notice when this process runs the request already', async () => {
    let opened!: () => void;
    const running = new Promise<void>((resolve) => (opened = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { store, told, dispatch, executor, decideElsewhere } = jobStack(() => {
      opened();
      return gate.then(() => Promise.reject(new Error('no exports here')));
    });
    await store.create(sampleRequest({ state: 'approved' }));
    const first = executor.execute(ID);
    await running;
    await decideElsewhere('approvalRecorded');
    await expect(dispatch.run({ type: 'execute', requestId: ID })).rejects.toBeInstanceOf(LeaseHeld);
    expect(told.filter((t) => t.notice === 'approvalRecorded')).toEqual([{ notice: 'approvalRecorded', state: 'executing', cardsLeft: true }]);
    expect(told.at(-1)).toEqual({ notice: 'progress', state: 'executing' });
    expect((await store.get(ID))!.request.outbox).toBeUndefined();
    // The first run goes on undisturbed (here to a package store that refuses it).
    release();
    await expect(first).rejects.toThrow('no exports here');
  });
});
