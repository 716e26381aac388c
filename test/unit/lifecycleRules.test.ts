import { Actor, approveFollowUp, ApproverStanding, DsrRequest, followUpApprovalsNeeded, FollowUpOutcome, LifecycleInput, liftAwaitingJob, liftRetryable, restoreRefusal, restrictedItems, servicesToLift } from '../../src/dsr';
import { APPROVER_A, APPROVER_B, SUBJECT_AS_ACTOR, deepFrozen, requestFiledBy, sampleRequest } from './sampleRequest';

const AT = new Date('2026-11-30T10:00:00.000Z');
const APPROVER_A_ADMIN: Actor = { aadObjectId: 'a1a1a1a1-0000-4000-8000-0000000000aa', displayName: 'Adele Vance (admin)' };
const SHARED_ACCOUNT: Actor = { aadObjectId: 'c3c3c3c3-0000-4000-8000-00000000000c', displayName: 'Privacy Desk' };

const STANDINGS = new Map<string, ApproverStanding>([
  [APPROVER_A.aadObjectId, { isApprover: true, personKey: 'E-1' }],
  [APPROVER_A_ADMIN.aadObjectId, { isApprover: true, personKey: 'E-1' }],
  [APPROVER_B.aadObjectId, { isApprover: true, personKey: 'E-2' }],
  [SHARED_ACCOUNT.aadObjectId, { isApprover: true }],
  [SUBJECT_AS_ACTOR.aadObjectId, { isApprover: true, personKey: 'E-9' }],
]);

const input = (actor: Actor, overrides: Partial<LifecycleInput> = {}): LifecycleInput => ({ actor, actorIsApprover: true, at: AT, erasureApprovals: 2, approvers: STANDINGS, ...overrides });

const softDeleted = (overrides: Partial<DsrRequest> = {}) => deepFrozen(sampleRequest({
  kind: 'erase', state: 'soft_deleted', purgeAt: '2026-12-14T10:00:00.000Z',
  steps: { entra: { status: 'done', summary: 'account soft-deleted', count: 1, at: '2026-11-30T09:00:00.000Z', attempts: 1, awaitsPurge: true } },
  ...overrides,
}));

const restricted = (overrides: Partial<DsrRequest> = {}) => deepFrozen(sampleRequest({
  kind: 'restrict', state: 'completed', services: ['entra', 'dps', 'botStore'],
  steps: {
    entra: { status: 'done', summary: 'sign-in blocked', count: 1, at: '2026-11-30T09:00:00.000Z', attempts: 1, items: [{ type: 'user', id: 'u1', result: 'changed' }] },
    dps: {
      status: 'done', summary: 'disabled', count: 1, at: '2026-11-30T09:00:00.000Z', attempts: 1,
      items: [{ type: 'enrollment', id: 'e1', result: 'changed' }, { type: 'enrollment', id: 'e2', result: 'kept' }, { type: 'registration', id: 'e1', result: 'kept' }],
    },
  },
  ...overrides,
}));

function recorded(outcome: FollowUpOutcome) {
  if (outcome.result !== 'recorded') throw new Error(`expected the approval to be recorded, but: ${outcome.code}`);
  return outcome;
}

describe('restore', () => {
  it('is for any approver but the subject, while the account waits out its grace period', () => {
    expect(restoreRefusal(softDeleted(), { actor: APPROVER_A, actorIsApprover: true })).toBeUndefined();
    expect(restoreRefusal(softDeleted(), { actor: APPROVER_A, actorIsApprover: false })).toBe('notApprover');
    expect(restoreRefusal(softDeleted(), { actor: SUBJECT_AS_ACTOR, actorIsApprover: true })).toBe('aboutThemselves');
  });

  it('is refused once the account is purged or restored, and on any other request', () => {
    for (const request of [softDeleted({ state: 'purged' }), softDeleted({ state: 'account_restored' }), restricted(), sampleRequest({ kind: 'export', state: 'completed' })]) {
      expect(restoreRefusal(request, { actor: APPROVER_A, actorIsApprover: true })).toBe('notSoftDeleted');
    }
  });
});

describe('purge now and lift: two distinct people', () => {
  it('records a first approval and asks for one more; the second completes it', () => {
    const first = recorded(approveFollowUp(softDeleted(), 'purgeNow', input(APPROVER_A)));
    expect(first.approvalsStillNeeded).toBe(1);
    expect(first.request.purgeNow).toEqual([{ by: APPROVER_A, decision: 'approve', at: AT.toISOString() }]);
    const second = recorded(approveFollowUp(first.request, 'purgeNow', input(APPROVER_B)));
    expect(second.approvalsStillNeeded).toBe(0);
    expect(second.request.purgeNow?.map((d) => d.by)).toEqual([APPROVER_A, APPROVER_B]);
  });

  it('sets lift.approvedAt only on the last approval needed', () => {
    const first = recorded(approveFollowUp(restricted(), 'liftRestriction', input(APPROVER_A)));
    expect(first.request.lift).toEqual({ steps: {}, approvals: [expect.objectContaining({ by: APPROVER_A })] });
    const second = recorded(approveFollowUp(first.request, 'liftRestriction', input(APPROVER_B)));
    expect(second.request.lift?.approvedAt).toBe(AT.toISOString());
    expect(approveFollowUp(second.request, 'liftRestriction', input(APPROVER_A_ADMIN))).toEqual({ result: 'refused', code: 'liftUnderway' });
  });

  it('needs two people even where an erasure needs one', () => {
    expect(followUpApprovalsNeeded(1)).toBe(2);
    expect(followUpApprovalsNeeded(3)).toBe(3);
    expect(recorded(approveFollowUp(softDeleted(), 'purgeNow', input(APPROVER_A, { erasureApprovals: 1 }))).approvalsStillNeeded).toBe(1);
  });

  it.each([
    ['a non-approver', APPROVER_B, { actorIsApprover: false }, 'notApprover'],
    ['the subject', SUBJECT_AS_ACTOR, {}, 'aboutThemselves'],
    ['an account without a person key', SHARED_ACCOUNT, {}, 'approverWithoutPersonKey'],
  ] as const)('refuses %s', (_who, actor, overrides, code) => {
    expect(approveFollowUp(softDeleted(), 'purgeNow', input(actor, overrides))).toEqual({ result: 'refused', code });
    expect(approveFollowUp(restricted(), 'liftRestriction', input(actor, overrides))).toEqual({ result: 'refused', code });
  });

  it('refuses the privacy admin who filed the request', () => {
    expect(approveFollowUp(restricted({ requester: APPROVER_A }), 'liftRestriction', input(APPROVER_A))).toEqual({ result: 'refused', code: 'filedByThem' });
    expect(requestFiledBy(APPROVER_B).requester).toEqual(APPROVER_B);
  });

  it('refuses a second approval by the same account or by another account of the same person', () => {
    const first = recorded(approveFollowUp(softDeleted(), 'purgeNow', input(APPROVER_A))).request;
    expect(approveFollowUp(first, 'purgeNow', input(APPROVER_A))).toEqual({ result: 'refused', code: 'alreadyApproved' });
    expect(approveFollowUp(first, 'purgeNow', input(APPROVER_A_ADMIN))).toEqual({ result: 'refused', code: 'samePersonApproved' });
  });

  it('voids an earlier approval whose approver left the group', () => {
    const first = recorded(approveFollowUp(softDeleted(), 'purgeNow', input(APPROVER_A))).request;
    const left = new Map(STANDINGS).set(APPROVER_A.aadObjectId, { isApprover: false, personKey: 'E-1' });
    const outcome = recorded(approveFollowUp(first, 'purgeNow', input(APPROVER_B, { approvers: left })));
    expect(outcome.voided).toEqual([APPROVER_A]);
    expect(outcome.approvalsStillNeeded).toBe(1);
  });

  it('purges only a soft-deleted erasure and lifts only a completed restriction', () => {
    expect(approveFollowUp(softDeleted({ state: 'purged' }), 'purgeNow', input(APPROVER_A))).toEqual({ result: 'refused', code: 'notSoftDeleted' });
    expect(approveFollowUp(restricted(), 'purgeNow', input(APPROVER_A))).toEqual({ result: 'refused', code: 'notSoftDeleted' });
    expect(approveFollowUp(softDeleted(), 'liftRestriction', input(APPROVER_A))).toEqual({ result: 'refused', code: 'notRestricted' });
    expect(approveFollowUp(restricted({ state: 'restriction_lifted' }), 'liftRestriction', input(APPROVER_A))).toEqual({ result: 'refused', code: 'notRestricted' });
    expect(approveFollowUp(restricted({ state: 'failed_partially' }), 'liftRestriction', input(APPROVER_A))).toEqual({ result: 'refused', code: 'notRestricted' });
  });
});

describe('what a lift puts back', () => {
  it('passes each service only what its restriction changed or removed', () => {
    expect(restrictedItems(restricted(), 'dps')).toEqual([{ type: 'enrollment', id: 'e1', result: 'changed' }]);
    expect(restrictedItems(restricted(), 'botStore')).toEqual([]);
    expect(servicesToLift(restricted())).toEqual(['entra', 'dps']);
  });

  it('runs again only the services whose lift failed, and offers a retry only then', () => {
    const step = { summary: 's', count: 1, at: AT.toISOString(), attempts: 1 };
    const lift = { approvals: [], approvedAt: AT.toISOString(), steps: { entra: { ...step, status: 'done' as const }, dps: { ...step, status: 'failed' as const } } };
    expect(servicesToLift(restricted({ lift }))).toEqual(['dps']);
    expect(liftRetryable(lift)).toBe(true);
    expect(liftRetryable({ ...lift, steps: { entra: lift.steps.entra } })).toBe(false);
    expect(liftRetryable({ ...lift, approvedAt: undefined })).toBe(false);
  });

  it('counts a lift as waiting for its job while approved and no service has run: the stalled sweep puts that job back', () => {
    const approved = { approvals: [], approvedAt: AT.toISOString(), steps: {} };
    expect(liftAwaitingJob(restricted({ lift: approved }))).toBe(true);
    expect(liftAwaitingJob(restricted({ lift: { ...approved, approvedAt: undefined } }))).toBe(false);
    const step = { status: 'failed' as const, summary: 's', count: 0, at: AT.toISOString(), attempts: 1 };
    expect(liftAwaitingJob(restricted({ lift: { ...approved, steps: { dps: step } } }))).toBe(false);
    expect(liftAwaitingJob(restricted({ state: 'restriction_lifted', lift: approved }))).toBe(false);
  });
});
