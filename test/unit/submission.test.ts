import { type Clock, type Job, type NewRequest, RequestService, type Subject } from '../../src/dsr';
import { MemoryRequestStore } from '../support/memoryRequestStore';
import { auditLogOf } from '../support/auditFakes';
import { DISTINCT_APPROVERS, SUBJECT, SUBJECT_AS_ACTOR } from './sampleRequest';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const EXPORT: NewRequest = { kind: 'export', regime: 'GDPR', services: [] };

function stack() {
  const store = new MemoryRequestStore();
  const clock: Clock = { now: () => new Date('2026-12-15T08:00:00Z') };
  const audited: string[] = [];
  const jobs: Job[] = [];
  const requests = new RequestService({
    store, clock, log: quiet, adapters: new Map(), erasureApprovals: 2, maxOpenRequests: 5, approvers: DISTINCT_APPROVERS,
    notifier: { notify: async () => undefined },
    queue: { enqueue: async (job) => void jobs.push(job), oldestWaiting: async () => undefined },
    audit: auditLogOf(async (_id, event) => void audited.push(event)),
  });
  return { store, requests, audited, jobs };
}

/** A directory read the test answers by hand. */
function pendingDetails() {
  let answer!: (subject: Subject | undefined) => void;
  const details = new Promise<Subject | undefined>((resolve) => (answer = resolve));
  return { details, answer };
}

describe('filing a request', () => {
  it("looks up the subject's requests while their details are still being read, and files once both are in", async () => {
    const { store, requests } = stack();
    const lookup = jest.spyOn(store, 'listForPerson');
    const read = pendingDetails();
    const filing = requests.submit(EXPORT, { aadObjectId: SUBJECT.aadObjectId, details: read.details }, SUBJECT_AS_ACTOR);

    expect(lookup.mock.calls).toEqual([[SUBJECT.aadObjectId]]);
    read.answer(SUBJECT);
    const outcome = await filing;
    expect(outcome).toMatchObject({ result: 'created', request: { subject: SUBJECT, state: 'submitted' } });
  });

  it('files nothing, audits nothing and queues nothing when the details come back undefined', async () => {
    const { store, requests, audited, jobs } = stack();
    const read = pendingDetails();
    const filing = requests.submit(EXPORT, { aadObjectId: SUBJECT.aadObjectId, details: read.details }, SUBJECT_AS_ACTOR);
    read.answer(undefined);

    expect(await filing).toEqual({ result: 'notFiled' });
    expect(await store.get('DSR-2026-0001')).toBeUndefined();
    expect(audited).toEqual([]);
    expect(jobs).toEqual([]);
  });
});
