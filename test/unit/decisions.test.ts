import { DecisionInput, DecisionOutcome, MAX_REASON_LENGTH, approvalsOf, decide } from '../../src/dsr/decisions';
import { Actor, DsrRequest, RequestState } from '../../src/dsr/types';
import { APPROVER_A, APPROVER_B, SUBJECT_AS_ACTOR, deepFrozen, requestFiledBy, sampleRequest } from './sampleRequest';

const AT = new Date('2026-11-23T14:05:00.000Z');

function input(actor: Actor, overrides: Partial<DecisionInput> = {}): DecisionInput {
  return { actor, decision: 'approve', actorIsApprover: true, erasureApprovals: 2, at: AT, ...overrides };
}

function recorded(outcome: DecisionOutcome) {
  if (outcome.result !== 'recorded') throw new Error(`expected the decision to be recorded, but: ${outcome.message}`);
  return outcome;
}

function refusal(outcome: DecisionOutcome): string {
  if (outcome.result !== 'refused') throw new Error('expected the decision to be refused');
  return outcome.message;
}

describe('who may decide', () => {
  it('refuses someone who is not a privacy admin', () => {
    expect(refusal(decide(sampleRequest(), input(APPROVER_A, { actorIsApprover: false })))).toMatch(/only privacy admins/i);
  });

  it('refuses an approver deciding a request about themselves', () => {
    const request = requestFiledBy(APPROVER_B, { subject: { aadObjectId: APPROVER_A.aadObjectId, upn: 'adele@x.example', email: 'adele@x.example', displayName: 'Adele Vance' } });
    expect(refusal(decide(request, input(APPROVER_A)))).toMatch(/about yourself/);
  });

  it('refuses an approver deciding a request they filed on someone’s behalf', () => {
    expect(refusal(decide(requestFiledBy(APPROVER_A), input(APPROVER_A)))).toMatch(/you filed this request/i);
  });

  it('lets another approver decide a request filed on someone’s behalf', () => {
    expect(recorded(decide(requestFiledBy(APPROVER_A), input(APPROVER_B))).transition).toBe('approve');
  });

  it('refuses a subject who is an approver deciding their own request', () => {
    expect(refusal(decide(sampleRequest(), input(SUBJECT_AS_ACTOR)))).toMatch(/about yourself/);
  });
});

describe('what a decision needs', () => {
  it.each(['', '   ', undefined])('refuses a rejection without a reason (%p)', (reason) => {
    expect(refusal(decide(sampleRequest(), input(APPROVER_A, { decision: 'reject', reason })))).toMatch(/needs a reason/);
  });

  it('refuses a reason over 500 characters', () => {
    const outcome = decide(sampleRequest(), input(APPROVER_A, { decision: 'reject', reason: 'x'.repeat(MAX_REASON_LENGTH + 1) }));
    expect(refusal(outcome)).toMatch(/500 characters/);
  });

  it('accepts a reason of exactly 500 characters', () => {
    const outcome = recorded(decide(sampleRequest(), input(APPROVER_A, { decision: 'reject', reason: 'x'.repeat(MAX_REASON_LENGTH) })));
    expect(outcome.transition).toBe('reject');
  });

  it('records a rejection with its trimmed reason, who decided and when', () => {
    const outcome = recorded(decide(sampleRequest(), input(APPROVER_A, { decision: 'reject', reason: '  Not an employee record.  ' })));
    expect(outcome).toMatchObject({ transition: 'reject', approvalsStillNeeded: 0 });
    expect(outcome.request.decisions).toEqual([{ by: APPROVER_A, decision: 'reject', reason: 'Not an employee record.', at: '2026-11-23T14:05:00.000Z' }]);
  });

  it('moves a non-erasure request on with one approval', () => {
    const outcome = recorded(decide(sampleRequest({ kind: 'export' }), input(APPROVER_A)));
    expect(outcome).toMatchObject({ transition: 'approve', approvalsStillNeeded: 0 });
    expect(outcome.request.decisions).toEqual([{ by: APPROVER_A, decision: 'approve', at: '2026-11-23T14:05:00.000Z' }]);
  });
});

describe('an erasure needs distinct approvers', () => {
  const erase = () => sampleRequest({ kind: 'erase', services: ['entra', 'botStore'] });

  it('records the first approval without moving the request on', () => {
    const outcome = recorded(decide(erase(), input(APPROVER_A)));
    expect(outcome.transition).toBeUndefined();
    expect(outcome.approvalsStillNeeded).toBe(1);
    expect(outcome.request.state).toBe('awaiting_approval');
    expect(approvalsOf(outcome.request)).toBe(1);
  });

  it('refuses the same approver approving twice', () => {
    const first = recorded(decide(erase(), input(APPROVER_A)));
    expect(refusal(decide(first.request, input(APPROVER_A)))).toMatch(/already approved/);
  });

  it('moves on once two distinct approvers have approved', () => {
    const first = recorded(decide(erase(), input(APPROVER_A)));
    const second = recorded(decide(first.request, input(APPROVER_B)));
    expect(second).toMatchObject({ transition: 'approve', approvalsStillNeeded: 0 });
    expect(second.request.decisions.map((d) => d.by.aadObjectId)).toEqual([APPROVER_A.aadObjectId, APPROVER_B.aadObjectId]);
  });

  it('follows the configured number of approvals', () => {
    expect(recorded(decide(erase(), input(APPROVER_A, { erasureApprovals: 1 }))).transition).toBe('approve');
    expect(recorded(decide(erase(), input(APPROVER_A, { erasureApprovals: 3 }))).approvalsStillNeeded).toBe(2);
  });

  it('lets a second approver reject an erasure that already has one approval', () => {
    const first = recorded(decide(erase(), input(APPROVER_A)));
    expect(recorded(decide(first.request, input(APPROVER_B, { decision: 'reject', reason: 'Legal hold.' }))).transition).toBe('reject');
  });
});

describe('a request that moved on', () => {
  it.each<[RequestState, string]>([
    ['approved', 'approved'],
    ['completed', 'completed'],
    ['rejected', 'rejected'],
    ['cancelled', 'cancelled'],
    ['executing', 'executing'],
    ['failed_partially', 'failed partially'],
    ['soft_deleted', 'soft deleted'],
  ])('refuses a decision once the request is %s, naming its state', (state, words) => {
    const message = refusal(decide(sampleRequest({ state }), input(APPROVER_A)));
    expect(message).toContain('DSR-2026-0042');
    expect(message).toContain(`already ${words}`);
  });

  it('refuses an approval while the privacy team waits for more information, but takes a rejection', () => {
    expect(refusal(decide(sampleRequest({ state: 'needs_info' }), input(APPROVER_A)))).toContain('needs info');
    expect(recorded(decide(sampleRequest({ state: 'needs_info' }), input(APPROVER_A, { decision: 'reject', reason: 'No reply.' }))).transition).toBe('reject');
  });
});

describe('the request passed in', () => {
  it('is left untouched: the outcome carries a new request', () => {
    const original: DsrRequest = deepFrozen(sampleRequest({ kind: 'erase', decisions: [{ by: APPROVER_B, decision: 'approve', at: '2026-11-23T10:00:00.000Z' }] }));
    const before = structuredClone(original);
    const outcome = recorded(decide(original, input(APPROVER_A)));
    expect(original).toEqual(before);
    expect(outcome.request).not.toBe(original);
    expect(outcome.request.decisions).toHaveLength(2);
    expect(original.decisions).toHaveLength(1);
  });
});
