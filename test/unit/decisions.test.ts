import { Actor, approvalsOf, ApproverStanding, approversToCheck, decide, DecisionInput, DecisionOutcome, DecisionRefusal, DsrRequest, MAX_REASON_LENGTH, RequestState } from '../../src/dsr';
import { APPROVER_A, APPROVER_B, SUBJECT_AS_ACTOR, deepFrozen, requestFiledBy, sampleRequest } from './sampleRequest';

const AT = new Date('2026-11-23T14:05:00.000Z');

/** Adele's second account (an `adm-` one): the same person key as APPROVER_A. */
const APPROVER_A_ADMIN: Actor = { aadObjectId: 'a1a1a1a1-0000-4000-8000-0000000000aa', displayName: 'Adele Vance (admin)' };
/** A shared mailbox in the approvers group, with no person key. */
const SHARED_ACCOUNT: Actor = { aadObjectId: 'c3c3c3c3-0000-4000-8000-00000000000c', displayName: 'Privacy Desk' };
const APPROVER_C: Actor = { aadObjectId: 'd4d4d4d4-0000-4000-8000-00000000000d', displayName: 'Grady Archie' };

/** Everyone's standing as the directory tells it now. */
function standings(changes: Record<string, ApproverStanding> = {}): Map<string, ApproverStanding> {
  return new Map(Object.entries({
    [APPROVER_A.aadObjectId]: { isApprover: true, personKey: 'E-1' },
    [APPROVER_A_ADMIN.aadObjectId]: { isApprover: true, personKey: 'E-1' },
    [APPROVER_B.aadObjectId]: { isApprover: true, personKey: 'E-2' },
    [APPROVER_C.aadObjectId]: { isApprover: true, personKey: 'E-3' },
    [SHARED_ACCOUNT.aadObjectId]: { isApprover: true },
    ...changes,
  }));
}

function input(actor: Actor, overrides: Partial<DecisionInput> = {}): DecisionInput {
  return { actor, decision: 'approve', actorIsApprover: true, erasureApprovals: 2, at: AT, approvers: standings(), ...overrides };
}

function recorded(outcome: DecisionOutcome) {
  if (outcome.result !== 'recorded') throw new Error(`expected the decision to be recorded, but: ${outcome.code}`);
  return outcome;
}

/** The refusal's code and facts: what the bot words. */
function refusal(outcome: DecisionOutcome): DecisionRefusal {
  if (outcome.result !== 'refused') throw new Error('expected the decision to be refused');
  const { result: _refused, ...why } = outcome;
  return why;
}

describe('who may decide', () => {
  it('refuses someone who is not a privacy admin', () => {
    expect(refusal(decide(sampleRequest(), input(APPROVER_A, { actorIsApprover: false })))).toEqual({ code: 'notApprover' });
  });

  it('refuses an approver deciding a request about themselves', () => {
    const request = requestFiledBy(APPROVER_B, { subject: { aadObjectId: APPROVER_A.aadObjectId, upn: 'adele@x.example', email: 'adele@x.example', displayName: 'Adele Vance' } });
    expect(refusal(decide(request, input(APPROVER_A)))).toEqual({ code: 'aboutThemselves' });
  });

  it('refuses an approver deciding a request they filed on someone’s behalf', () => {
    expect(refusal(decide(requestFiledBy(APPROVER_A), input(APPROVER_A)))).toEqual({ code: 'filedByThem' });
  });

  it('lets another approver decide a request filed on someone’s behalf', () => {
    expect(recorded(decide(requestFiledBy(APPROVER_A), input(APPROVER_B))).transition).toBe('approve');
  });

  it('refuses a subject who is an approver deciding their own request', () => {
    expect(refusal(decide(sampleRequest(), input(SUBJECT_AS_ACTOR)))).toEqual({ code: 'aboutThemselves' });
  });
});

describe('what a decision needs', () => {
  it.each(['', '   ', undefined])('refuses a rejection without a reason (%p)', (reason) => {
    expect(refusal(decide(sampleRequest(), input(APPROVER_A, { decision: 'reject', reason })))).toEqual({ code: 'reasonMissing' });
  });

  it('refuses a reason over 500 characters', () => {
    const outcome = decide(sampleRequest(), input(APPROVER_A, { decision: 'reject', reason: 'x'.repeat(MAX_REASON_LENGTH + 1) }));
    expect(refusal(outcome)).toEqual({ code: 'reasonTooLong', maxLength: 500 });
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
    expect(refusal(decide(first.request, input(APPROVER_A)))).toEqual({ code: 'alreadyApproved' });
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

describe('an erasure counts people who are still approvers', () => {
  const erase = () => sampleRequest({ kind: 'erase', services: ['entra', 'botStore'] });

  it('refuses a second account of the same person: their two approvals are one', () => {
    const first = recorded(decide(erase(), input(APPROVER_A)));
    const second = decide(first.request, input(APPROVER_A_ADMIN));
    expect(refusal(second)).toEqual({ code: 'samePersonApproved' });
  });

  it('refuses an erasure approval from an account without a person key, but not an export approval', () => {
    const refused = decide(erase(), input(SHARED_ACCOUNT));
    expect(refusal(refused)).toEqual({ code: 'approverWithoutPersonKey' });
    expect(refusal(decide(erase(), input(APPROVER_A, { approvers: undefined })))).toEqual({ code: 'approverWithoutPersonKey' });
    expect(recorded(decide(sampleRequest({ kind: 'export' }), input(SHARED_ACCOUNT))).transition).toBe('approve');
  });

  it('no longer counts an earlier approval whose approver left the group: the request waits for another', () => {
    const first = recorded(decide(erase(), input(APPROVER_A)));
    const second = recorded(decide(first.request, input(APPROVER_B, { approvers: standings({ [APPROVER_A.aadObjectId]: { isApprover: false, personKey: 'E-1' } }) })));
    expect(second).toMatchObject({ approvalsStillNeeded: 1, voided: [APPROVER_A] });
    expect(second.transition).toBeUndefined();
    expect(second.request.decisions.map((d) => d.by)).toEqual([APPROVER_B]);
    expect(approvalsOf(second.request)).toBe(1);
    const third = recorded(decide(second.request, input(APPROVER_C)));
    expect(third).toMatchObject({ transition: 'approve', voided: [] });
  });

  it('no longer counts an earlier approval whose account lost its person key, nor one the directory no longer knows', () => {
    const first = recorded(decide(erase(), input(APPROVER_A)));
    const lostKey = recorded(decide(first.request, input(APPROVER_B, { approvers: standings({ [APPROVER_A.aadObjectId]: { isApprover: true } }) })));
    expect(lostKey.voided).toEqual([APPROVER_A]);
    const gone = new Map([...standings()].filter(([id]) => id !== APPROVER_A.aadObjectId));
    expect(recorded(decide(first.request, input(APPROVER_B, { approvers: gone }))).voided).toEqual([APPROVER_A]);
  });

  it('lets the other account of a person approve once their first account no longer counts', () => {
    const first = recorded(decide(erase(), input(APPROVER_A)));
    const other = recorded(decide(first.request, input(APPROVER_A_ADMIN, { approvers: standings({ [APPROVER_A.aadObjectId]: { isApprover: false, personKey: 'E-1' } }) })));
    expect(other).toMatchObject({ approvalsStillNeeded: 1, voided: [APPROVER_A] });
  });

  it('applies the same rules to a delta round', () => {
    const delta = { planHash: 'd'.repeat(64), plan: {}, foundAt: AT.toISOString(), decisions: [{ by: APPROVER_A, decision: 'approve' as const, at: AT.toISOString() }] };
    const request = sampleRequest({ kind: 'erase', state: 'awaiting_delta_approval', deltas: [delta] as DsrRequest['deltas'] });
    expect(approversToCheck(request, APPROVER_B.aadObjectId)).toEqual([APPROVER_B.aadObjectId, APPROVER_A.aadObjectId]);
    expect(decide(request, input(APPROVER_A_ADMIN))).toMatchObject({ result: 'refused', code: 'samePersonApproved' });
    const outcome = recorded(decide(request, input(APPROVER_B, { approvers: standings({ [APPROVER_A.aadObjectId]: { isApprover: false } }) })));
    expect(outcome).toMatchObject({ approvalsStillNeeded: 1, voided: [APPROVER_A] });
    expect(outcome.transition).toBeUndefined();
  });

  it('asks the directory about nobody for kinds that need one approval', () => {
    expect(approversToCheck(sampleRequest({ kind: 'export' }), APPROVER_A.aadObjectId)).toEqual([]);
  });
});

describe('a request that moved on', () => {
  it.each<RequestState>(['approved', 'completed', 'rejected', 'cancelled', 'executing', 'failed_partially', 'soft_deleted'])('refuses a decision once the request is %s, naming its state', (state) => {
    expect(refusal(decide(sampleRequest({ state }), input(APPROVER_A)))).toEqual({ code: 'alreadyDecided', requestId: 'DSR-2026-0042', state });
  });

  it('refuses an approval while the privacy team waits for more information, but takes a rejection', () => {
    expect(refusal(decide(sampleRequest({ state: 'needs_info' }), input(APPROVER_A)))).toEqual({ code: 'alreadyDecided', requestId: 'DSR-2026-0042', state: 'needs_info' });
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
