import { approvalCard, approvalView, queueCard, queueView, requestDetailsCard, requestDetailsView } from '../../src/cards/approverCards';
import { complianceCard, complianceView, reportCard, reportView } from '../../src/cards/complianceCards';
import { exportReadyCard, exportReadyView, helpCard, helpView, intakeCard, intakeView, receiptCard, receiptView, requestListCard, requestListView, statusCard, statusView } from '../../src/cards/personCards';
import { Card } from '../../src/cards/render';
import { DsrRequest, registerRows, registerSummary, REQUEST_KINDS } from '../../src/dsr';
import { LOCALES, Locale, wordsFor } from '../../src/i18n';
import { templatedCard } from '../support/templatedCard';
import { textsOf } from './cardChecks';
import {
  approvedBy, AT, awaitingManualStep, ccpa, ccpaExtended, COMPLIANCE_EVENTS, done, erasure, exported, extendedOnce, extendedTwice, failedPartially, INTAKE, link, manualStepConfirmed, NOW, rectification, rejected, softDeleted,
} from './cardSamples';
import { APPROVER_A, APPROVER_B, requestFiledBy, sampleRequest } from './sampleRequest';

/**
 * The cards are built by typed layouts (src/cards/*Layouts.ts). They replaced JSON templates
 * expanded by adaptivecards-templating, kept in test/fixtures/cardTemplates: for every card and
 * the states that change it, in every language, with template syntax and markdown in what people
 * typed, the layout must give exactly the card the template gave from the same values.
 */

const templated = templatedCard;

/** Text a person typed that template syntax or markdown would act on if it were expanded or rendered. */
const TYPED = '${id} ${$root.w.approve} ${count(facts)} [x](http://evil) **bold** {"$when": "${false}"}';
const typist = { aadObjectId: 'c3c3c3c3-0000-4000-8000-00000000000c', displayName: `Eve ${TYPED}` };

const planItem = (id: string) => ({ type: 'device', id, reason: `tag ${TYPED}` });
const withDelta = erasure({
  state: 'awaiting_delta_approval',
  decisions: approvedBy(APPROVER_A, APPROVER_B),
  planHash: 'ef'.repeat(32),
  steps: { entra: done('account soft-deleted', 1, { awaitsPurge: true }) },
  deltas: [{ plan: { iotHub: [planItem('dev-${id}'), planItem('dev-2')] }, planHash: 'd'.repeat(64), foundAt: AT, decisions: [{ by: typist, decision: 'reject', reason: TYPED, at: AT }] }],
});
const restriction = sampleRequest({ kind: 'restrict', state: 'completed', decisions: approvedBy(APPROVER_A), steps: { entra: done('sign-in blocked', 1) } });
const liftFailed = {
  ...restriction,
  lift: { approvals: approvedBy(APPROVER_A, APPROVER_B), approvedAt: AT, steps: { entra: { status: 'failed' as const, summary: '', count: 0, at: AT, attempts: 1, error: 'Microsoft Graph answered 503' } } },
};
const restored = { ...softDeleted, state: 'account_restored' as const, restored: { by: typist, at: AT }, purgeNow: approvedBy(APPROVER_A) };
const rejectedByTypist = sampleRequest({ state: 'rejected', decisions: [{ by: typist, decision: 'reject', reason: TYPED, at: AT }] });
const extendedByTypist = sampleRequest({ dueAt: '2027-01-22', extensions: [{ by: typist, at: AT, reason: TYPED, previousDueAt: '2026-12-22', newDueAt: '2027-01-22', months: 1 }] });
const aboutTypist = requestFiledBy(APPROVER_A, { subject: { ...typist, upn: 'eve@contoso.example', email: 'eve@contoso.example' } });

const APPROVAL_REQUESTS: [string, DsrRequest][] = [
  ['awaiting a second approval', erasure({ decisions: approvedBy(APPROVER_A) })],
  ['failed in part', failedPartially],
  ['rejected with a reason', rejected],
  ['rejected with typed syntax', rejectedByTypist],
  ['rectification on behalf', rectification],
  ['soft-deleted', softDeleted],
  ['restored, purge now asked', restored],
  ['a manual step to confirm', awaitingManualStep],
  ['manual step confirmed', manualStepConfirmed],
  ['extended once', extendedOnce],
  ['extended twice', extendedTwice],
  ['extended with typed syntax', extendedByTypist],
  ['CCPA', ccpa],
  ['CCPA extended', ccpaExtended],
  ['discovering', sampleRequest({ state: 'discovering', discovery: {} })],
  ['a delta round', withDelta],
  ['restriction liftable', restriction],
  ['lift failed', liftFailed],
];

/** Each card as built, beside what its template gave from the same values. */
function cardsIn(locale: Locale): [string, Card, Card][] {
  const words = wordsFor(locale, 'Europe/Berlin');
  const summary = registerSummary(registerRows([softDeleted, extendedOnce, restored], { pseudonymKey: 'unit-test-pseudonym-key-0001', now: NOW }), NOW);
  const notice = { text: `Note ${TYPED}`, color: 'Warning' as const };
  const onBehalfOf = typist;
  return [
    ['help', helpCard(words), templated('help', helpView(words))],
    ...REQUEST_KINDS.flatMap((kind): [string, Card, Card][] => [
      [`intake for ${kind}`, intakeCard(words, kind, INTAKE), templated('intake', intakeView(words, kind, INTAKE))],
      [`intake for ${kind} on behalf`, intakeCard(words, kind, { ...INTAKE, onBehalfOf }), templated('intake', intakeView(words, kind, { ...INTAKE, onBehalfOf }))],
    ]),
    ...[sampleRequest({ state: 'submitted', discovery: {} }), failedPartially, softDeleted, aboutTypist, exported].flatMap((request): [string, Card, Card][] => [
      [`status, ${request.state}`, statusCard(words, request), templated('status', statusView(words, request))],
      [`status, ${request.state}, with a notice`, statusCard(words, request, notice), templated('status', statusView(words, request, notice))],
    ]),
    ...APPROVAL_REQUESTS.flatMap(([name, request]): [string, Card, Card][] =>
      [{ erasureApprovals: 2 }, { erasureApprovals: 1, notice }, { erasureApprovals: 2, readOnly: true }].map((options) => [
        `approval, ${name}, ${JSON.stringify(options)}`,
        approvalCard(words, request, options),
        templated('approval', approvalView(words, request, options)),
      ]),
    ),
    ...[softDeleted, { ...softDeleted, planHash: 'ef'.repeat(32) }, withDelta, aboutTypist].map((request): [string, Card, Card] => [
      `details, ${request.state}`,
      requestDetailsCard(words, request),
      templated('requestDetails', requestDetailsView(words, request)),
    ]),
    ...[[], [failedPartially, extendedOnce, ccpa, sampleRequest({ dueAt: '2026-11-25' }), sampleRequest({ dueAt: '2026-11-20' })]].flatMap((requests): [string, Card, Card][] => [
      [`queue of ${requests.length}`, queueCard(words, requests, NOW), templated('requestList', queueView(words, requests, NOW))],
      [`request list of ${requests.length}`, requestListCard(words, requests), templated('requestList', requestListView(words, requests))],
    ]),
    ['export ready', exportReadyCard(words, exported, link), templated('exportReady', exportReadyView(words, exported, link))],
    ['export ready, no delivery', exportReadyCard(words, exported, link, undefined), templated('exportReady', exportReadyView(words, exported, link, undefined))],
    ...[
      [softDeleted],
      [softDeleted, { count: 7, hash: 'cd'.repeat(32) }],
      [manualStepConfirmed],
      [{ ...rectification, state: 'completed', decisions: approvedBy(APPROVER_B), steps: { entra: done('corrected jobTitle', 1) } }],
      [{ ...withDelta, state: 'completed', planHash: 'ef'.repeat(32), decisions: [{ ...approvedBy(APPROVER_A)[0], planHash: 'ef'.repeat(32) }] }],
      [exported],
    ].map(([request, head], i): [string, Card, Card] => [`receipt ${i}`, receiptCard(words, request as DsrRequest, head as never), templated('receipt', receiptView(words, request as DsrRequest, head as never))]),
    ...[...COMPLIANCE_EVENTS, 'extended', 'restored', 'restrictionLifted', 'liftFailed'].flatMap((event) =>
      [failedPartially, softDeleted, exported].map((request): [string, Card, Card] => [
        `compliance, ${event}, ${request.state}`,
        complianceCard(words, request, event as never, NOW),
        templated('compliance', complianceView(words, request, event as never, NOW)),
      ]),
    ),
    ['register report', reportCard(words, summary, link), templated('report', reportView(words, summary, link))],
  ];
}

describe.each(LOCALES.map((locale) => [locale]))('cards in %s', (locale: Locale) => {
  it.each(cardsIn(locale))('builds the %s card exactly as its template did', (_name, built, fromTemplate) => {
    expect(built).toStrictEqual(fromTemplate);
  });
});

describe('text people typed', () => {
  it('stays text on the cards: escaped for markdown, never read as template syntax', () => {
    const texts = textsOf(approvalCard(wordsFor('en'), rejectedByTypist, { erasureApprovals: 2 }));
    expect(texts).toContain('24 Nov 2026, 08:15 UTC: $\\{id\\} $\\{$root\\.w\\.approve\\} $\\{count\\(facts\\)\\} \\[x\\]\\(http://evil\\) \\*\\*bold\\*\\* \\{"$when": "$\\{false\\}"\\}');
  });
});
