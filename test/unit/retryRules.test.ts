import { type DsrRequest, Executor } from '../../src/dsr';
import { MemoryRequestStore } from '../support/memoryRequestStore';
import { APPROVER_A, SUBJECT_AS_ACTOR, sampleRequest } from './sampleRequest';
import { auditLogOf } from '../support/auditFakes';

/** Who may retry a request's failed steps: the not-about-yourself rule of decisions holds here too. */
function executorOver(request: DsrRequest) {
  const store = new MemoryRequestStore();
  const jobs: string[] = [];
  const executor = new Executor({
    store,
    adapters: new Map(),
    exports: { openPackage: () => Promise.reject(new Error('no exports here')) },
    queue: { enqueue: async (job) => void jobs.push(job.requestId) },
    audit: auditLogOf(async () => undefined),
    notifier: { notify: async () => undefined },
    clock: { now: () => new Date('2026-11-23T10:00:00.000Z') },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    purgeGraceDays: 30,
    workerId: 'test-worker',
    leaseMs: 30_000,
  });
  return { store, jobs, executor, ready: store.create(request) };
}

const failedPartially = (overrides: Partial<DsrRequest> = {}) =>
  sampleRequest({ state: 'failed_partially', steps: { entra: { status: 'failed', summary: 'failed', count: 0, at: '2026-11-23T09:00:00.000Z', attempts: 3 } }, ...overrides });

describe('retrying failed steps', () => {
  it('refuses an approver retrying a request about themselves, and changes nothing', async () => {
    const world = executorOver(failedPartially());
    await world.ready;
    const outcome = await world.executor.retryFailedSteps('DSR-2026-0042', SUBJECT_AS_ACTOR, true);
    expect(outcome).toEqual({ result: 'refused', code: 'ownRequest' });
    expect((await world.store.get('DSR-2026-0042'))!.request.state).toBe('failed_partially');
    expect(world.jobs).toEqual([]);
  });

  it('refuses the subject even when an approver filed the request for them', async () => {
    const world = executorOver(failedPartially({ requester: { ...APPROVER_A } }));
    await world.ready;
    expect((await world.executor.retryFailedSteps('DSR-2026-0042', SUBJECT_AS_ACTOR, true)).result).toBe('refused');
    expect(world.jobs).toEqual([]);
  });

  it('lets another approver retry, once', async () => {
    const world = executorOver(failedPartially());
    await world.ready;
    expect((await world.executor.retryFailedSteps('DSR-2026-0042', APPROVER_A, true)).result).toBe('done');
    expect((await world.store.get('DSR-2026-0042'))!.request.state).toBe('executing');
    expect(world.jobs).toEqual(['DSR-2026-0042']);
  });

  it('refuses someone outside the approvers group', async () => {
    const world = executorOver(failedPartially());
    await world.ready;
    expect((await world.executor.retryFailedSteps('DSR-2026-0042', APPROVER_A, false))).toEqual({ result: 'refused', code: 'notApprover' });
  });
});
