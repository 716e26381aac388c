import { Clock, ConcurrencyConflict, daysLeft, DsrRequest, ExclusiveLock, isOpen, Notifier, reminderDue, ReminderStage, ReminderSweep, RequestNotice, RequestState, RequestStore, stageFor, StoredRequest, withReminder } from '../../src/dsr';
import { sampleRequest } from './sampleRequest';
import { auditLogOf } from '../support/auditFakes';

/** The sample request is due 22 Dec 2026. */
const at = (iso: string) => new Date(iso);

describe('which reminder a request is owed', () => {
  it.each<[number, ReminderStage | undefined]>([
    [30, undefined],
    [8, undefined],
    [7, 'dueIn7Days'],
    [2, 'dueIn7Days'],
    [1, 'dueIn1Day'],
    [0, 'dueIn1Day'],
    [-1, 'overdue'],
    [-40, 'overdue'],
  ])('with %p days left: %p', (left, stage) => {
    expect(stageFor(left)).toBe(stage);
  });

  it('counts days left by calendar date in UTC', () => {
    expect(daysLeft(sampleRequest(), at('2026-12-15T23:59:00Z'))).toBe(7);
    expect(daysLeft(sampleRequest(), at('2026-12-22T23:59:00Z'))).toBe(0);
    expect(daysLeft(sampleRequest(), at('2026-12-23T00:00:00Z'))).toBe(-1);
  });

  it('owes each stage once for a due date', () => {
    const now = at('2026-12-15T08:00:00Z');
    const request = sampleRequest();
    expect(reminderDue(request, now)).toBe('dueIn7Days');
    expect(reminderDue(withReminder(request, 'dueIn7Days', now), now)).toBeUndefined();
    expect(reminderDue(withReminder(request, 'dueIn7Days', now), at('2026-12-21T08:00:00Z'))).toBe('dueIn1Day');
  });

  it('owes only the most urgent stage after a gap, and nothing less urgent afterwards', () => {
    const request = sampleRequest();
    expect(reminderDue(request, at('2026-12-24T08:00:00Z'))).toBe('overdue');
    const escalated = withReminder(request, 'overdue', at('2026-12-24T08:00:00Z'));
    expect(reminderDue(escalated, at('2026-12-25T08:00:00Z'))).toBeUndefined();
  });

  it('starts the stages again for a new due date after an extension', () => {
    const reminded = withReminder(sampleRequest(), 'dueIn7Days', at('2026-12-15T08:00:00Z'));
    const extended = { ...reminded, dueAt: '2027-01-22' };
    expect(reminderDue(extended, at('2026-12-16T08:00:00Z'))).toBeUndefined();
    expect(reminderDue(extended, at('2027-01-15T08:00:00Z'))).toBe('dueIn7Days');
  });

  it.each<RequestState>(['completed', 'rejected', 'cancelled', 'soft_deleted', 'purged'])('owes a %s request nothing', (state) => {
    expect(reminderDue(sampleRequest({ state }), at('2027-01-15T08:00:00Z'))).toBeUndefined();
  });
});

/** A request store with ETags, whose reads and writes yield, so concurrent sweeps interleave. The sweep needs only these. */
class MemoryStore implements Pick<RequestStore, 'create' | 'get' | 'replace' | 'listOpen'> {
  private readonly rows = new Map<string, { json: string; etag: number }>();
  conflicts = 0;

  async create(request: DsrRequest): Promise<void> {
    this.rows.set(request.id, { json: JSON.stringify(request), etag: 1 });
  }
  async get(id: string): Promise<StoredRequest | undefined> {
    await new Promise((resolve) => setImmediate(resolve));
    const row = this.rows.get(id);
    return row && { request: JSON.parse(row.json) as DsrRequest, etag: String(row.etag) };
  }
  async replace(request: DsrRequest, etag: string): Promise<string> {
    await new Promise((resolve) => setImmediate(resolve));
    const row = this.rows.get(request.id);
    if (!row || String(row.etag) !== etag) {
      this.conflicts++;
      throw new ConcurrencyConflict(request.id);
    }
    this.rows.set(request.id, { json: JSON.stringify(request), etag: row.etag + 1 });
    return String(row.etag + 1);
  }
  async listOpen(): Promise<DsrRequest[]> {
    await new Promise((resolve) => setImmediate(resolve));
    return [...this.rows.values()].map((r) => JSON.parse(r.json) as DsrRequest).filter((r) => isOpen(r.state));
  }
}

/** A lock that always lets in: what every instance sees when the lease has expired under a slow sweep. */
const openLock: ExclusiveLock = { runExclusive: async (work) => ({ ran: true, result: await work() }) };
const heldElsewhere: ExclusiveLock = { runExclusive: async () => ({ ran: false }) };

function setUp(lock: ExclusiveLock = openLock, notify?: (notice: RequestNotice, request: DsrRequest) => Promise<void>) {
  const store = new MemoryStore();
  const posted: { id: string; stage: ReminderStage | undefined }[] = [];
  const notifier: Notifier = {
    notify: notify ?? (async (notice, request) => {
      if (notice === 'reminder') posted.push({ id: request.id, stage: request.reminders?.at(-1)?.stage });
    }),
  };
  const audit: { id: string; event: string; detail: Record<string, unknown> }[] = [];
  const warnings: string[] = [];
  const clock = { time: at('2026-12-01T08:00:00Z'), now() { return this.time; } } satisfies Clock & { time: Date };
  const log = { info: () => undefined, warn: (_: unknown, message: string) => void warnings.push(message), error: () => undefined };
  const sweep = () =>
    new ReminderSweep({ store: store as unknown as RequestStore, notifier, lock, clock, log, audit: auditLogOf(async (id, event, detail) => void audit.push({ id, event, detail })) }).sweep();
  return { store, posted, audit, warnings, clock, sweep };
}

describe('the reminder sweep', () => {
  it('reminds once per stage across concurrent sweeps, even without a lock', async () => {
    const { store, posted, audit, clock, sweep } = setUp();
    await store.create(sampleRequest());
    await store.create(sampleRequest({ id: 'DSR-2026-0043', dueAt: '2027-01-30' }));
    await store.create(sampleRequest({ id: 'DSR-2026-0044', state: 'completed' }));

    await Promise.all([sweep(), sweep(), sweep()]);
    expect(posted).toEqual([]);

    for (const [now, stage] of [['2026-12-15T08:00:00Z', 'dueIn7Days'], ['2026-12-21T08:00:00Z', 'dueIn1Day'], ['2026-12-23T08:00:00Z', 'overdue']] as const) {
      clock.time = at(now);
      const results = await Promise.all([sweep(), sweep(), sweep()]);
      expect(results.reduce((n, r) => n + r.posted, 0)).toBe(1);
      expect(posted.at(-1)).toEqual({ id: 'DSR-2026-0042', stage });
    }
    expect(posted).toHaveLength(3);
    expect(store.conflicts).toBeGreaterThan(0);
    expect(audit.map((a) => [a.event, a.detail])).toEqual([
      ['reminded', { stage: 'dueIn7Days', dueAt: '2026-12-22' }],
      ['reminded', { stage: 'dueIn1Day', dueAt: '2026-12-22' }],
      ['escalated', { stage: 'overdue', dueAt: '2026-12-22' }],
    ]);
  });

  it('does nothing while another instance holds the lock', async () => {
    const { store, posted, clock, sweep } = setUp(heldElsewhere);
    await store.create(sampleRequest());
    clock.time = at('2026-12-23T08:00:00Z');
    expect(await sweep()).toEqual({ swept: false, posted: 0 });
    expect(posted).toEqual([]);
    expect((await store.get('DSR-2026-0042'))!.request.reminders).toBeUndefined();
  });

  it('never posts a claimed reminder again, even when posting it failed', async () => {
    let attempts = 0;
    const { store, warnings, clock, sweep } = setUp(openLock, async () => {
      attempts++;
      throw new Error('connector down');
    });
    await store.create(sampleRequest());
    clock.time = at('2026-12-15T08:00:00Z');
    await sweep();
    await sweep();
    expect(attempts).toBe(1);
    expect(warnings).toContain('notification failed');
    expect((await store.get('DSR-2026-0042'))!.request.reminders).toEqual([{ stage: 'dueIn7Days', dueAt: '2026-12-22', at: '2026-12-15T08:00:00.000Z' }]);
  });
});
