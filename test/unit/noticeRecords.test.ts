import { Clock, DsrRequest, ExclusiveLock, NoticeOutcome, Notifier, ReminderSweep } from '../../src/dsr';
import { MemoryRequestStore } from '../support/memoryRequestStore';
import { sampleRequest } from './sampleRequest';
import { auditLogOf } from '../support/auditFakes';

/**
 * The notifier only reports what it posted; the domain records it in the request. Driven through
 * the reminder sweep, one of the workflows that tell people (all go through the same step).
 */
/** The memory store, listing what it holds as open (the sweep reminds only open requests). */
class OpenRequests extends MemoryRequestStore {
  private readonly ids: string[] = [];
  override async create(request: DsrRequest): Promise<void> {
    await super.create(request);
    this.ids.push(request.id);
  }
  override listOpen = async () => (await Promise.all(this.ids.map((id) => this.get(id)))).flatMap((stored) => (stored ? [stored.request] : []));
}

describe('what a notice posted, as the domain records it', () => {
  const openLock: ExclusiveLock = { runExclusive: async (work) => ({ ran: true, result: await work() }) };
  const clock: Clock = { now: () => new Date('2026-12-15T08:00:00Z') };

  function sweepWith(outcome: NoticeOutcome | (() => Promise<never>)) {
    const store = new OpenRequests();
    const warnings: unknown[] = [];
    const notifier: Notifier = { notify: async () => (typeof outcome === 'function' ? outcome() : outcome) };
    const log = { info: () => undefined, warn: (fields: unknown) => void warnings.push(fields), error: () => undefined };
    const sweep = new ReminderSweep({ store, notifier, lock: openLock, clock, log, audit: auditLogOf(async () => undefined) });
    return { store, warnings, sweep: () => sweep.sweep() };
  }

  it('keeps the approvers’ new card and who got the package, and logs a failed send by its code', async () => {
    const { store, warnings, sweep } = sweepWith({
      approvalCard: { card: { conversationKey: 'channel:approvals', activityId: 'activity-7' }, deltaRound: 1 },
      deliveredTo: 'requester',
      failures: [Object.assign(new Error('blocked'), { statusCode: 403 })],
    });
    await store.create(sampleRequest());
    await sweep();
    const { request } = (await store.get('DSR-2026-0042'))!;
    expect(request.cards).toMatchObject({ approval: { conversationKey: 'channel:approvals', activityId: 'activity-7' }, deltaRound: 1 });
    expect(request.deliveredTo).toBe('requester');
    expect(warnings).toEqual([expect.objectContaining({ requestId: 'DSR-2026-0042', notice: 'reminder' })]);
  });

  it('records nothing when nothing was posted, and a notifier that throws does not stop the sweep', async () => {
    const quiet = sweepWith({ failures: [] });
    await quiet.store.create(sampleRequest());
    await quiet.sweep();
    const { request } = (await quiet.store.get('DSR-2026-0042'))!;
    expect(request.cards.approval).toBeUndefined();
    expect(request.deliveredTo).toBeUndefined();

    const broken = sweepWith(() => Promise.reject(new Error('Teams is down')));
    await broken.store.create(sampleRequest());
    await expect(broken.sweep()).resolves.toMatchObject({ posted: 1 });
    expect(broken.warnings).toHaveLength(1);
  });
});
