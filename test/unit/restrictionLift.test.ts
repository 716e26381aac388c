import { DsrRequest, ItemOutcome, RequestNotice, RestrictionLifter, ServiceAdapter, ServiceError, ServiceName } from '../../src/dsr';
import { MemoryRequestStore } from '../support/memoryRequestStore';
import { APPROVER_A, APPROVER_B, sampleRequest } from './sampleRequest';
import { auditLogOf } from '../support/auditFakes';

const AT = new Date('2026-12-01T08:00:00.000Z');
const STEP = { status: 'done' as const, summary: 's', count: 1, at: '2026-11-30T09:00:00.000Z', attempts: 1 };

/** A service whose lift records what it was given, failing while `failing` says so. */
function liftingAdapter(service: ServiceName, state: { failing: boolean; calls: ItemOutcome[][] }): ServiceAdapter {
  return {
    service,
    discover: async () => ({ count: 0, items: [] }),
    export: async function* () {},
    erase: async () => ({ summary: { code: 'roleAssignments.deleted', assignments: 0 }, count: 0 }),
    liftRestriction: async (_subject, restricted) => {
      state.calls.push([...restricted]);
      if (state.failing) throw new ServiceError(service, 'the service refused', 500, 'InternalServerError');
      return { summary: { code: 'roleAssignments.putBack', assignments: restricted.length }, count: restricted.length, items: restricted.map((item) => ({ ...item, result: 'changed' as const })) };
    },
  };
}

async function setUp(request: DsrRequest) {
  const store = new MemoryRequestStore();
  await store.create(request);
  const entra = { failing: false, calls: [] as ItemOutcome[][] };
  const dps = { failing: true, calls: [] as ItemOutcome[][] };
  const audit: string[] = [];
  const notices: RequestNotice[] = [];
  const lifter = new RestrictionLifter({
    store,
    audit: auditLogOf(async (_id, event) => void audit.push(event)),
    notifier: { notify: async (notice) => void notices.push(notice) },
    adapters: new Map<ServiceName, ServiceAdapter>([['entra', liftingAdapter('entra', entra)], ['dps', liftingAdapter('dps', dps)]]),
    clock: { now: () => AT },
    log: { info() {}, warn() {}, error() {} },
  });
  return { store, entra, dps, audit, notices, lifter };
}

const approvedLift = () => sampleRequest({
  kind: 'restrict', state: 'completed', services: ['entra', 'dps'], closedAt: '2026-11-30T09:00:00.000Z',
  steps: {
    entra: { ...STEP, items: [{ type: 'user', id: 'u1', result: 'changed' }] },
    dps: { ...STEP, items: [{ type: 'enrollment', id: 'e1', result: 'changed' }, { type: 'enrollment', id: 'e0', result: 'kept' }] },
  },
  lift: { approvals: [APPROVER_A, APPROVER_B].map((by) => ({ by, decision: 'approve' as const, at: AT.toISOString() })), approvedAt: AT.toISOString(), steps: {} },
});

describe('the lift job', () => {
  it('passes each service what its restriction changed, and a retry after a failure redoes only the failed service', async () => {
    const { store, entra, dps, audit, notices, lifter } = await setUp(approvedLift());

    await lifter.lift('DSR-2026-0042');

    let request = (await store.get('DSR-2026-0042'))!.request;
    expect(request.state).toBe('completed');
    expect(request.lift?.steps).toMatchObject({ entra: { status: 'done', count: 1 }, dps: { status: 'failed', attempts: 1 } });
    expect(entra.calls).toEqual([[{ type: 'user', id: 'u1', result: 'changed' }]]);
    expect(dps.calls).toEqual([[{ type: 'enrollment', id: 'e1', result: 'changed' }]]);
    expect(notices).toEqual(['liftFailed']);

    dps.failing = false;
    await lifter.lift('DSR-2026-0042');

    request = (await store.get('DSR-2026-0042'))!.request;
    expect(request.state).toBe('restriction_lifted');
    expect(request.lift?.steps).toMatchObject({ entra: { status: 'done', attempts: 1 }, dps: { status: 'done', attempts: 2 } });
    expect(entra.calls).toHaveLength(1);
    expect(dps.calls).toHaveLength(2);
    expect(notices).toEqual(['liftFailed', 'restrictionLifted']);
    expect(audit).toEqual(['lift step done', 'lift step failed', 'lift failed partially', 'lift step done', 'restriction lifted']);
  });

  it('does nothing for a lift not yet approved', async () => {
    const { store, entra, lifter } = await setUp({ ...approvedLift(), lift: { approvals: [], steps: {} } });
    await lifter.lift('DSR-2026-0042');
    expect(entra.calls).toEqual([]);
    expect((await store.get('DSR-2026-0042'))!.request.state).toBe('completed');
  });
});
