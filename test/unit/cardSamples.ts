import { approvalCard, queueCard } from '../../src/cards/approverCards';
import { complianceCard } from '../../src/cards/complianceCards';
import { exportReadyCard, helpCard, intakeCard, receiptCard, requestListCard, statusCard } from '../../src/cards/personCards';
import { Card } from '../../src/cards/render';
import { DsrRequest, REQUEST_KINDS, ServiceName, StepOutcome } from '../../src/dsr';
import { Words } from '../../src/i18n';
import { APPROVER_A, APPROVER_B, requestFiledBy, sampleRequest } from './sampleRequest';

/** Sample requests in the states that change what a card shows, and every card builder over them, in any language. */

export const NOW = new Date('2026-11-25T12:00:00.000Z');
export const AT = '2026-11-24T08:15:00.000Z';
export const OFFERED: ServiceName[] = ['entra', 'iotHub', 'botStore'];
export const FIELDS = [
  { name: 'displayName', label: 'My name' },
  { name: 'jobTitle', label: 'My job title' },
];
export const INTAKE = { regime: 'GDPR', services: OFFERED, graceDays: 14, fields: FIELDS };

export const done = (summary: string, count: number, extra: Partial<StepOutcome> = {}): StepOutcome => ({ status: 'done', summary, count, at: AT, attempts: 1, ...extra });
export const approvedBy = (...approvers: typeof APPROVER_A[]) => approvers.map((by) => ({ by, decision: 'approve' as const, at: '2026-11-23T14:05:00.000Z' }));

export const erasure = (overrides: Partial<DsrRequest> = {}) =>
  sampleRequest({
    kind: 'erase',
    services: OFFERED,
    discovery: { entra: { count: 1, items: ['1 user profile'] }, iotHub: { count: 2, items: ['2 devices'] }, botStore: { count: 1, items: ['1 request record (this one)'] } },
    ...overrides,
  });

export const failedPartially = erasure({
  state: 'failed_partially',
  decisions: approvedBy(APPROVER_A, APPROVER_B),
  steps: {
    entra: done('account soft-deleted', 1, { awaitsPurge: true }),
    iotHub: { status: 'failed', summary: '', count: 0, at: AT, attempts: 3, error: 'IoT Hub answered 503 (ServiceUnavailable)' },
    botStore: done('0 earlier request records pseudonymised', 0),
  },
});
export const softDeleted = erasure({
  state: 'soft_deleted',
  decisions: approvedBy(APPROVER_A, APPROVER_B),
  steps: { entra: done('account soft-deleted', 1, { awaitsPurge: true }), iotHub: done('2 devices deleted', 2), botStore: done('0 earlier request records pseudonymised', 0) },
  purgeAt: '2026-12-09T08:15:00.000Z',
});
export const ALERT_RULES_STEP = { key: 'iotCentral.alertRuleEmails', title: 'Remove the e-mail address from IoT Central alert rules', instructions: 'Open Rules, then each rule.\n1. Remove the subject’s e-mail address from its e-mail actions.' };
export const awaitingManualStep = erasure({
  state: 'awaiting_manual_steps',
  services: ['iotCentral', 'botStore'],
  discovery: { iotCentral: { count: 1, items: ['1 app user'], manualSteps: [ALERT_RULES_STEP] }, botStore: { count: 1, items: ['1 request record (this one)'] } },
  decisions: approvedBy(APPROVER_A, APPROVER_B),
  steps: { iotCentral: done('1 app user deleted', 1), botStore: done('0 earlier request records pseudonymised', 0) },
});
export const manualStepConfirmed = {
  ...awaitingManualStep,
  state: 'completed' as const,
  manualSteps: { [ALERT_RULES_STEP.key]: { outcome: 'done' as const, by: APPROVER_B, at: '2026-11-24T16:40:00.000Z' } },
};
export const rectification = requestFiledBy(APPROVER_A, { kind: 'rectify', services: ['entra'], corrections: { jobTitle: 'Chief Whistleblower' } });
export const rejected = sampleRequest({ state: 'rejected', decisions: [{ by: APPROVER_A, decision: 'reject', reason: 'Duplicate of DSR-2026-0041.', at: AT }] });
export const exported = sampleRequest({
  state: 'completed',
  decisions: approvedBy(APPROVER_A),
  steps: { entra: done('1 user profile exported', 1), botStore: done('1 request record exported', 1) },
  delivery: { blobName: 'DSR-2026-0042/export.zip', sha256: 'ab'.repeat(32), bytes: 48_213, writtenAt: AT },
  closedAt: AT,
});
export const EXTENSION_REASON = 'Waiting for the IoT Hub owner to confirm [devices](http://evil) *now*';
export const extension = (months: number, previousDueAt: string, newDueAt: string) => ({ by: APPROVER_A, at: AT, reason: EXTENSION_REASON, previousDueAt, newDueAt, months });
export const extendedOnce = sampleRequest({ dueAt: '2027-01-22', extensions: [extension(1, '2026-12-22', '2027-01-22')] });
export const extendedTwice = sampleRequest({ dueAt: '2027-02-22', extensions: [extension(1, '2026-12-22', '2027-01-22'), extension(1, '2027-01-22', '2027-02-22')] });
export const ccpa = sampleRequest({ regime: 'CCPA', dueAt: '2027-01-06' });
export const ccpaExtended = sampleRequest({ regime: 'CCPA', dueAt: '2027-02-20', extensions: [{ by: APPROVER_A, at: AT, reason: 'Several services to search', previousDueAt: '2027-01-06', newDueAt: '2027-02-20', days: 45 }] });
export const link = { url: 'https://127.0.0.1:10000/devstoreaccount1/exports/DSR-2026-0042.zip?sig=abc', expiresAt: new Date('2026-12-01T10:00:00.000Z') };

export const COMPLIANCE_EVENTS = ['opened', 'approved', 'rejected', 'cancelled', 'completed', 'failed', 'purged'] as const;

/** Every card builder, with sample requests in the states that change what it shows. Channel cards are marked. */
export const sampleCards = (en: Words): [string, Card, 'channel' | 'chat'][] => [
  ['help', helpCard(en), 'chat'],
  ...REQUEST_KINDS.map((kind) => [`intake for ${kind}`, intakeCard(en, kind, INTAKE), 'chat'] as [string, Card, 'chat']),
  ['status, just submitted', statusCard(en, sampleRequest({ state: 'submitted', discovery: {} })), 'chat'],
  ['status, awaiting approval with a notice', statusCard(en, sampleRequest(), { text: 'Your request was sent to the privacy team.', color: 'Good' }), 'chat'],
  ['status, executing, filed on the subject’s behalf', statusCard(en, requestFiledBy(APPROVER_A, { state: 'executing' })), 'chat'],
  ['status, failed in part', statusCard(en, failedPartially), 'chat'],
  ['approval, awaiting a second approval', approvalCard(en, erasure({ decisions: approvedBy(APPROVER_A) }), { erasureApprovals: 2 }), 'channel'],
  ['approval, failed in part with a failed step', approvalCard(en, failedPartially, { erasureApprovals: 2, notice: { text: 'IoT Hub failed: retry when it is back.', color: 'Attention' } }), 'channel'],
  ['approval, rejected with a reason', approvalCard(en, rejected, { erasureApprovals: 2 }), 'channel'],
  ['approval, rectification filed on the subject’s behalf', approvalCard(en, rectification, { erasureApprovals: 2 }), 'channel'],
  ['approval, soft-deleted', approvalCard(en, softDeleted, { erasureApprovals: 2 }), 'channel'],
  ['approval, a manual step to confirm', approvalCard(en, awaitingManualStep, { erasureApprovals: 2 }), 'channel'],
  ['approval, manual step confirmed', approvalCard(en, manualStepConfirmed, { erasureApprovals: 2 }), 'channel'],
  ['erasure receipt with a manual step', receiptCard(en, manualStepConfirmed), 'chat'],
  ['approval, GDPR, extended by one month', approvalCard(en, extendedOnce, { erasureApprovals: 2 }), 'channel'],
  ['approval, GDPR, extended to the limit', approvalCard(en, extendedTwice, { erasureApprovals: 2 }), 'channel'],
  ['approval, CCPA, not extended yet', approvalCard(en, ccpa, { erasureApprovals: 2 }), 'channel'],
  ['compliance, extended', complianceCard(en, extendedOnce, 'extended', NOW), 'channel'],
  ['queue of open requests', queueCard(en, [failedPartially, extendedOnce, ccpa], NOW), 'chat'],
  ['queue, empty', queueCard(en, [], NOW), 'chat'],
  ['approval, still discovering', approvalCard(en, sampleRequest({ state: 'discovering', discovery: {} }), { erasureApprovals: 2 }), 'channel'],
  ['export ready', exportReadyCard(en, exported, link), 'chat'],
  ['erasure receipt with a purge date', receiptCard(en, softDeleted), 'chat'],
  ['erasure receipt with its audit record', receiptCard(en, softDeleted, { count: 7, hash: 'cd'.repeat(32) }), 'chat'],
  ['correction receipt', receiptCard(en, { ...rectification, state: 'completed', decisions: approvedBy(APPROVER_B), steps: { entra: done('corrected jobTitle', 1) } }), 'chat'],
  ['request list, empty', requestListCard(en, []), 'chat'],
  ['request list, full', requestListCard(en, [sampleRequest(), failedPartially, softDeleted, exported, rejected]), 'chat'],
  ...COMPLIANCE_EVENTS.map((event) => [`compliance, ${event}`, complianceCard(en, event === 'failed' ? failedPartially : softDeleted, event, NOW), 'channel'] as [string, Card, 'channel']),
];
