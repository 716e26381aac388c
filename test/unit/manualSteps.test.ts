import { closingEvent, confirmManualStep, DsrRequest, manualStepsOf, ManualStepSpec, pendingManualSteps } from '../../src/dsr';
import { APPROVER_A, APPROVER_B, SUBJECT_AS_ACTOR, requestFiledBy, sampleRequest } from './sampleRequest';

const AT = new Date('2026-11-24T10:00:00.000Z');
const RULES: ManualStepSpec = { key: 'iotCentral.alertRuleEmails', title: 'Remove the e-mail address from alert rules', instructions: 'Open Rules…' };
const OTHER_HUB: ManualStepSpec = { key: 'dps.devicesInOtherHubs', title: 'Delete 1 device from hub-b', instructions: 'Open the hub…' };

function erasure(overrides: Partial<DsrRequest> = {}): DsrRequest {
  return sampleRequest({
    kind: 'erase',
    state: 'executing',
    services: ['iotCentral', 'dps', 'botStore'],
    discovery: {
      iotCentral: { count: 1, items: ['1 app user'], manualSteps: [RULES] },
      dps: { count: 1, items: ['1 enrollment'], manualSteps: [OTHER_HUB, RULES] },
      botStore: { count: 1, items: [] },
    },
    ...overrides,
  });
}

const confirm = (request: DsrRequest, key: string, actor = APPROVER_A, actorIsApprover = true) =>
  confirmManualStep(request, { key, outcome: 'done', actor, actorIsApprover, at: AT });

describe('manual steps', () => {
  it('come from discovery in service order, each key once, with the service that asked', () => {
    expect(manualStepsOf(erasure()).map((s) => [s.service, s.key])).toEqual([
      ['iotCentral', 'iotCentral.alertRuleEmails'],
      ['dps', 'dps.devicesInOtherHubs'],
    ]);
  });

  it('are recorded with who confirmed them, how and when', () => {
    const outcome = confirm(erasure(), RULES.key);
    expect(outcome.result).toBe('recorded');
    const request = (outcome as { request: DsrRequest }).request;
    expect(request.manualSteps?.[RULES.key]).toEqual({ outcome: 'done', by: APPROVER_A, at: AT.toISOString() });
    expect(pendingManualSteps(request).map((s) => s.key)).toEqual([OTHER_HUB.key]);
  });

  it('are refused to non-approvers, the subject, the requester, twice, unknown keys and before approval', () => {
    const refusals = [
      confirm(erasure(), RULES.key, APPROVER_A, false),
      confirm(erasure(), RULES.key, SUBJECT_AS_ACTOR),
      confirm(requestFiledBy(APPROVER_A, { ...erasure(), requester: APPROVER_A }), RULES.key, APPROVER_A),
      confirm((confirm(erasure(), RULES.key) as { request: DsrRequest }).request, RULES.key, APPROVER_B),
      confirm(erasure(), 'nope'),
      confirm(erasure({ state: 'awaiting_approval' }), RULES.key),
      confirm(erasure({ state: 'completed' }), RULES.key),
    ];
    expect(refusals).toEqual([
      { result: 'refused', code: 'notApprover' },
      { result: 'refused', code: 'ownRequest' },
      { result: 'refused', code: 'ownRequest' },
      { result: 'refused', code: 'alreadyConfirmed', requestId: 'DSR-2026-0042', by: 'Adele Vance' },
      { result: 'refused', code: 'unknownStep', requestId: 'DSR-2026-0042' },
      { result: 'refused', code: 'notYetApproved', requestId: 'DSR-2026-0042', state: 'awaiting_approval' },
      { result: 'refused', code: 'nothingLeft', requestId: 'DSR-2026-0042', state: 'completed' },
    ]);
  });

  describe('closingEvent', () => {
    const done = { status: 'done' as const, summary: 's', count: 1, at: '2026-11-24T09:00:00.000Z', attempts: 1 };
    it('puts failed steps first, then pending manual steps, then the purge, then success', () => {
      expect(closingEvent(erasure({ steps: { iotCentral: { ...done, status: 'failed' } } }))).toBe('executionPartlyFailed');
      expect(closingEvent(erasure({ steps: { iotCentral: done } }))).toBe('manualStepsPending');
      const confirmedAll = { [RULES.key]: { outcome: 'done' as const, by: APPROVER_A, at: AT.toISOString() }, [OTHER_HUB.key]: { outcome: 'not_applicable' as const, by: APPROVER_B, at: AT.toISOString() } };
      expect(closingEvent(erasure({ manualSteps: confirmedAll, steps: { iotCentral: { ...done, awaitsPurge: true } } }))).toBe('accountSoftDeleted');
      expect(closingEvent(erasure({ manualSteps: confirmedAll, steps: { iotCentral: done } }))).toBe('executionSucceeded');
    });

    it('moves a request waiting for manual steps on only once none is left', () => {
      expect(closingEvent(erasure({ state: 'awaiting_manual_steps' }))).toBeUndefined();
      const all = { [RULES.key]: { outcome: 'done' as const, by: APPROVER_A, at: AT.toISOString() }, [OTHER_HUB.key]: { outcome: 'done' as const, by: APPROVER_A, at: AT.toISOString() } };
      expect(closingEvent(erasure({ state: 'awaiting_manual_steps', manualSteps: all }))).toBe('executionSucceeded');
    });
  });
});
