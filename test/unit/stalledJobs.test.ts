import { type DsrRequest, type Job, RequestService } from '../../src/dsr';
import { MemoryRequestStore } from '../support/memoryRequestStore';
import { DISTINCT_APPROVERS, sampleRequest } from './sampleRequest';
import { auditLogOf } from '../support/auditFakes';

/** The stalled-request sweep puts back the job each kind of stalled request waits for. */

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const NOW = new Date('2026-12-01T10:00:00.000Z');

/** `oldestWaiting`: when the job at the front of the queue was queued; none waits by default. */
function sweepOver(stalled: DsrRequest[], oldestWaiting?: Date): { service: RequestService; jobs: Job[]; asked: Date[] } {
  const jobs: Job[] = [];
  const asked: Date[] = [];
  const store = new MemoryRequestStore();
  store.listStalled = async (before: Date) => {
    asked.push(before);
    return stalled;
  };
  const service = new RequestService({
    store,
    queue: { enqueue: async (job) => void jobs.push(job), oldestWaiting: async () => oldestWaiting },
    audit: auditLogOf(async () => undefined),
    notifier: { notify: async () => undefined },
    adapters: new Map(),
    clock: { now: () => NOW },
    log: quiet,
    erasureApprovals: 2,
    maxOpenRequests: 5,
    approvers: DISTINCT_APPROVERS,
  });
  return { service, jobs, asked };
}

describe('the stalled-request sweep', () => {
  it('puts back discovery, execution, and the lift two approvers asked for whose job was lost', async () => {
    const lift = { approvals: [], approvedAt: '2026-12-01T09:00:00.000Z', steps: {} };
    const { service, jobs, asked } = sweepOver([
      sampleRequest({ id: 'DSR-2026-0301', state: 'submitted' }),
      sampleRequest({ id: 'DSR-2026-0302', state: 'approved' }),
      sampleRequest({ id: 'DSR-2026-0303', kind: 'restrict', state: 'completed', lift }),
    ]);

    expect(await service.enqueueStalled()).toBe(3);
    expect(jobs).toEqual([
      { type: 'discover', requestId: 'DSR-2026-0301' },
      { type: 'execute', requestId: 'DSR-2026-0302' },
      { type: 'lift', requestId: 'DSR-2026-0303' },
    ]);
    // Only what has not been written to for two minutes: a job that is merely slow is left to finish.
    expect(asked).toEqual([new Date(NOW.getTime() - 2 * 60_000)]);
  });

  it('takes a request whose job still waits in a long line for waiting, not for lost', async () => {
    // The front of the line was queued 10 minutes ago: a job queued since is behind it, still waiting.
    const { service, asked } = sweepOver([], new Date(NOW.getTime() - 10 * 60_000));
    await service.enqueueStalled();
    expect(asked).toEqual([new Date(NOW.getTime() - 12 * 60_000)]);
  });
});
