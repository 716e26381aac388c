import { Actor, CCPA_EXTENSION_DAYS, DsrRequest, extend, extensionChoice, ExtensionInput, ExtensionOutcome, ExtensionRefusal, latestGdprDueAt, MAX_REASON_LENGTH, originalDueAt, RequestState } from '../../src/dsr';
import { APPROVER_A, APPROVER_B, SUBJECT_AS_ACTOR, deepFrozen, requestFiledBy, sampleRequest } from './sampleRequest';

/** The sample request is received 22 Nov 2026 and, under GDPR, due 22 Dec 2026. */
const AT = new Date('2026-11-30T10:00:00.000Z');
const REASON = 'Four services hold data about the subject; IoT Central needs a manual step.';

function input(actor: Actor, overrides: Partial<ExtensionInput> = {}): ExtensionInput {
  return { actor, actorIsApprover: true, reason: REASON, at: AT, ...overrides };
}

function extended(outcome: ExtensionOutcome) {
  if (outcome.result !== 'extended') throw new Error(`expected an extension, but: ${outcome.code}`);
  return outcome;
}

/** The refusal's code and facts: what the bot words. */
function refusal(outcome: ExtensionOutcome): ExtensionRefusal {
  if (outcome.result !== 'refused') throw new Error('expected the extension to be refused');
  const { result: _refused, ...why } = outcome;
  return why;
}

/** A request received at `receivedAt`, as filed: due by its regime's deadline. */
function received(receivedAt: string, regime: 'GDPR' | 'CCPA' = 'GDPR', overrides: Partial<DsrRequest> = {}): DsrRequest {
  const request = sampleRequest({ receivedAt, regime, ...overrides });
  return { ...request, dueAt: originalDueAt(request) };
}

/** `request` extended by APPROVER_A at `at`, step by step. */
function extendedBy(request: DsrRequest, ...months: number[]): DsrRequest {
  return months.reduce((r, m) => extended(extend(r, input(APPROVER_A, { months: m, at: new Date(r.receivedAt) }))).request, request);
}

describe('who may extend', () => {
  it('refuses someone who is not a privacy admin, whoever they are', () => {
    expect(refusal(extend(sampleRequest(), input(APPROVER_A, { actorIsApprover: false })))).toEqual({ code: 'notApprover' });
    expect(refusal(extend(sampleRequest(), input(SUBJECT_AS_ACTOR, { actorIsApprover: false })))).toEqual({ code: 'notApprover' });
  });

  it('refuses an approver extending a request about themselves', () => {
    expect(refusal(extend(sampleRequest(), input(SUBJECT_AS_ACTOR)))).toEqual({ code: 'aboutThemselves' });
  });

  it('refuses an approver extending a request they filed, and lets another one', () => {
    expect(refusal(extend(requestFiledBy(APPROVER_A), input(APPROVER_A)))).toEqual({ code: 'filedByThem' });
    expect(extended(extend(requestFiledBy(APPROVER_A), input(APPROVER_B))).extension.by).toEqual(APPROVER_B);
  });
});

describe('when a request can be extended', () => {
  it.each<RequestState>(['submitted', 'discovering', 'awaiting_approval', 'needs_info', 'approved', 'executing', 'failed_partially', 'awaiting_manual_steps'])(
    'extends a request that is %s (still open)',
    (state) => {
      expect(extended(extend(sampleRequest({ state }), input(APPROVER_A))).request.dueAt).toBe('2027-01-22');
    },
  );

  it.each<RequestState>(['completed', 'rejected', 'cancelled', 'soft_deleted', 'purged'])('refuses a request that is %s', (state) => {
    expect(refusal(extend(sampleRequest({ state }), input(APPROVER_A)))).toEqual({ code: 'notOpen', requestId: 'DSR-2026-0042', state });
  });

  it.each(['', '   ', undefined])('refuses an extension without a reason (%p)', (reason) => {
    expect(refusal(extend(sampleRequest(), input(APPROVER_A, { reason })))).toEqual({ code: 'reasonMissing' });
  });

  it('refuses a reason over the limit', () => {
    expect(refusal(extend(sampleRequest(), input(APPROVER_A, { reason: 'x'.repeat(MAX_REASON_LENGTH + 1) })))).toEqual({ code: 'reasonTooLong', maxLength: 500 });
  });

  it('takes an extension on the last day of the first month, and refuses it the day after (the requester must be told within it)', () => {
    expect(extended(extend(sampleRequest(), input(APPROVER_A, { at: new Date('2026-12-22T23:59:59.000Z') }))).request.dueAt).toBe('2027-01-22');
    expect(refusal(extend(sampleRequest(), input(APPROVER_A, { at: new Date('2026-12-23T00:00:00.000Z') })))).toEqual(
      { code: 'extensionPeriodOver', requestId: 'DSR-2026-0042', regime: 'GDPR', days: CCPA_EXTENSION_DAYS, firstPeriodEndedOn: '2026-12-22' },
    );
  });

  it('refuses a second GDPR month asked for after the first month, though months are left', () => {
    const once = extended(extend(sampleRequest(), input(APPROVER_A, { months: 1 }))).request;
    expect(refusal(extend(once, input(APPROVER_B, { months: 1, at: new Date('2027-01-05T09:00:00Z') })))).toMatchObject({ code: 'extensionPeriodOver', firstPeriodEndedOn: '2026-12-22' });
  });
});

describe('GDPR: up to two further months, never beyond three months from receipt', () => {
  it('extends by one month by default, counted from receipt, and records who, when, why and the dates', () => {
    const request = deepFrozen(sampleRequest());
    const outcome = extended(extend(request, input(APPROVER_A, { reason: `  ${REASON}  ` })));
    const record = { by: APPROVER_A, at: AT.toISOString(), reason: REASON, previousDueAt: '2026-12-22', newDueAt: '2027-01-22', months: 1 };
    expect(outcome.extension).toEqual(record);
    expect(outcome.request.dueAt).toBe('2027-01-22');
    expect(outcome.request.extensions).toEqual([record]);
    expect(request.dueAt).toBe('2026-12-22');
  });

  it('extends by two months at once', () => {
    expect(extended(extend(sampleRequest(), input(APPROVER_A, { months: 2 }))).request.dueAt).toBe('2027-02-22');
  });

  it('adds a second month to a first one, up to three months from receipt', () => {
    const twice = extendedBy(sampleRequest(), 1, 1);
    expect(twice.dueAt).toBe('2027-02-22');
    expect(twice.extensions!.map((e) => [e.previousDueAt, e.newDueAt])).toEqual([['2026-12-22', '2027-01-22'], ['2027-01-22', '2027-02-22']]);
  });

  it('refuses two more months after one, naming the limit and what is left', () => {
    const once = extendedBy(sampleRequest(), 1);
    expect(refusal(extend(once, input(APPROVER_B, { months: 2 })))).toEqual(
      { code: 'gdprLimitReached', requestId: 'DSR-2026-0042', latestDueAt: '2027-02-22', monthsLeft: 1 },
    );
  });

  it.each([[[2]], [[1, 1]]])('refuses any further month after %j', (months) => {
    const full = extendedBy(sampleRequest(), ...months);
    expect(refusal(extend(full, input(APPROVER_B, { months: 1 })))).toEqual({ code: 'gdprLimitReached', requestId: 'DSR-2026-0042', latestDueAt: '2027-02-22', monthsLeft: 0 });
  });

  it.each([0, 3, 1.5, -1])('refuses %p months', (months) => {
    expect(refusal(extend(sampleRequest(), input(APPROVER_A, { months })))).toEqual({ code: 'monthsOutOfRange' });
  });

  it.each([
    ['2026-01-31T10:00:00Z', '2026-02-28', [1], '2026-03-31', 'received 31 Jan: the end of March, not 28 March'],
    ['2026-01-31T10:00:00Z', '2026-02-28', [2], '2026-04-30', 'received 31 Jan, two months: the last day of April'],
    ['2026-01-31T10:00:00Z', '2026-02-28', [1, 1], '2026-04-30', 'month by month, still from receipt'],
    ['2027-11-30T10:00:00Z', '2027-12-30', [2], '2028-02-29', 'into a leap February'],
    ['2028-01-31T10:00:00Z', '2028-02-29', [1], '2028-03-31', 'from a leap February'],
    ['2026-12-31T23:59:00Z', '2027-01-31', [1], '2027-02-28', 'across the year end'],
  ])('received %s, due %s, extended by %j: due %s (%s)', (receivedAt, due, months, extendedDue) => {
    const request = received(receivedAt);
    expect(request.dueAt).toBe(due);
    expect(extendedBy(request, ...months).dueAt).toBe(extendedDue);
    expect(latestGdprDueAt(request) >= extendedDue).toBe(true);
  });
});

describe('CCPA: once, by 45 days', () => {
  it('extends by 45 days from the original due date, whatever months the card sent', () => {
    const request = received('2026-11-22T09:30:00Z', 'CCPA');
    expect(request.dueAt).toBe('2027-01-06');
    const outcome = extended(extend(request, input(APPROVER_A, { months: 2 })));
    expect(outcome.request.dueAt).toBe('2027-02-20');
    expect(outcome.extension).toMatchObject({ previousDueAt: '2027-01-06', newDueAt: '2027-02-20', days: CCPA_EXTENSION_DAYS });
    expect(outcome.extension.months).toBeUndefined();
  });

  it('counts the leap day', () => {
    const request = received('2028-01-01T08:00:00Z', 'CCPA');
    expect(request.dueAt).toBe('2028-02-15');
    expect(extended(extend(request, input(APPROVER_A, { at: new Date('2028-01-10T08:00:00Z') }))).request.dueAt).toBe('2028-03-31');
  });

  it('refuses a second extension', () => {
    const request = received('2026-11-22T09:30:00Z', 'CCPA');
    const once = extended(extend(request, input(APPROVER_A))).request;
    expect(refusal(extend(once, input(APPROVER_B)))).toEqual({ code: 'ccpaExtendedAlready', requestId: 'DSR-2026-0042', days: 45, dueAt: '2027-02-20' });
  });

  it('refuses an extension after the first 45 days', () => {
    const request = received('2026-11-22T09:30:00Z', 'CCPA');
    expect(refusal(extend(request, input(APPROVER_A, { at: new Date('2027-01-07T00:00:00Z') })))).toEqual({ code: 'extensionPeriodOver', requestId: 'DSR-2026-0042', regime: 'CCPA', days: 45, firstPeriodEndedOn: '2027-01-06' });
  });
});

describe('what the card may offer', () => {
  it('offers GDPR the months left, CCPA its one extension, a closed request nothing', () => {
    expect(extensionChoice(sampleRequest())).toEqual({ unit: 'months', choices: [1, 2] });
    expect(extensionChoice(extendedBy(sampleRequest(), 1))).toEqual({ unit: 'months', choices: [1] });
    expect(extensionChoice(extendedBy(sampleRequest(), 2))).toBeUndefined();
    const ccpa = received('2026-11-22T09:30:00Z', 'CCPA');
    expect(extensionChoice(ccpa)).toEqual({ unit: 'days', days: 45 });
    expect(extensionChoice(extended(extend(ccpa, input(APPROVER_A))).request)).toBeUndefined();
    expect(extensionChoice(sampleRequest({ state: 'completed' }))).toBeUndefined();
  });
});
