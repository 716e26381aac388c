import { decide, DsrRequest, extend, ExtensionInput } from '../../src/dsr';
import { decisionWords, extensionWords, inputWords, lifecycleWords, manualStepWords, OUTCOME_KEYS, retryWords } from '../../src/bot/outcomeWords';
import { parseCorrection } from '../../src/bot/cardInputs';
import { catalogOf, LOCALES, wordsFor } from '../../src/i18n';
import { APPROVER_A, APPROVER_B, sampleRequest } from './sampleRequest';

const en = wordsFor('en');
const de = wordsFor('de');
const REASON = 'Four services hold data about the subject.';
const extension = (overrides: Partial<ExtensionInput> = {}): ExtensionInput => ({ actor: APPROVER_A, actorIsApprover: true, reason: REASON, at: new Date('2026-11-30T10:00:00Z'), ...overrides });

/** The sample request (received 22 Nov 2026, GDPR) extended by `months`, one extension each. */
function extendedBy(request: DsrRequest, ...months: number[]): DsrRequest {
  return months.reduce((r, m) => {
    const outcome = extend(r, extension({ months: m, actor: APPROVER_B }));
    if (outcome.result !== 'extended') throw new Error(`expected an extension, got ${outcome.code}`);
    return outcome.request;
  }, request);
}

/** The refusal of a domain rule, as the service passes it on. */
function refused<O extends { result: string }>(outcome: O): Extract<O, { result: 'refused' }> {
  if (outcome.result !== 'refused') throw new Error(`expected a refusal, got ${outcome.result}`);
  return outcome as Extract<O, { result: 'refused' }>;
}

describe('the words of the domain outcomes', () => {
  it.each(LOCALES)('%s: every code of every outcome maps to a message the catalog holds', (locale) => {
    const catalog = catalogOf(locale);
    const missing = Object.entries(OUTCOME_KEYS).flatMap(([table, keys]) =>
      Object.entries(keys as Record<string, string>).filter(([, key]) => !catalog[key]?.trim()).map(([code, key]) => `${table}.${code} -> ${key}`));
    expect(missing).toEqual([]);
  });

  it('words an extension refused after the first month as it always read in English, the dates in the locale', () => {
    const late = refused(extend(sampleRequest(), extension({ at: new Date('2026-12-23T00:00:00Z') })));
    expect(extensionWords(en, late)).toBe('The requester has to be told of an extension within one month of receipt, which ended on 22 Dec 2026: DSR-2026-0042 can no longer be extended.');
    expect(extensionWords(de, late)).toBe(
      'Die antragstellende Person muss über eine Verlängerung innerhalb eines Monats nach Eingang unterrichtet werden; diese Frist endete am 22.12.2026: DSR-2026-0042 kann nicht mehr verlängert werden.',
    );
  });

  it('words the GDPR limit with what is left, and a CCPA second extension with its date', () => {
    expect(extensionWords(en, refused(extend(extendedBy(sampleRequest(), 1), extension({ months: 2 }))))).toBe(
      'GDPR allows at most two further months, so DSR-2026-0042 cannot be due later than 22 Feb 2027, three months from receipt. It can be extended by 1 month more.',
    );
    expect(extensionWords(en, refused(extend(extendedBy(sampleRequest(), 2), extension({ months: 1 }))))).toMatch(/It has been extended by two months already\.$/);
    const ccpa = sampleRequest({ regime: 'CCPA', dueAt: '2027-01-06' });
    expect(extensionWords(en, refused(extend(extendedBy(ccpa, 1), extension())))).toBe('CCPA allows one extension of 45 days, and DSR-2026-0042 was already extended to 20 Feb 2027.');
  });

  it('words a state in the reader language', () => {
    const closed = refused(decide(sampleRequest({ state: 'failed_partially' }), { actor: APPROVER_A, decision: 'approve', actorIsApprover: true, erasureApprovals: 2, at: new Date('2026-11-30T10:00:00Z') }));
    expect(decisionWords(en, closed)).toBe('DSR-2026-0042 is already failed partially: nothing to decide.');
    expect(decisionWords(de, closed)).toBe('DSR-2026-0042 hat bereits den Status „Teilweise fehlgeschlagen“: Es gibt nichts zu entscheiden.');
  });

  it('counts approvals still needed and those voided with plurals', () => {
    const request = sampleRequest({ kind: 'erase' });
    expect(decisionWords(en, { result: 'done', request, code: 'approvalRecorded', approvalsStillNeeded: 1, voided: 0 })).toBe('Approval recorded. An erasure needs 1 more privacy admin to approve.');
    expect(decisionWords(en, { result: 'done', request, code: 'approvalRecorded', approvalsStillNeeded: 2, voided: 1 })).toBe(
      'Approval recorded. 1 earlier approval no longer counts: its approver is no longer privacy admins. An erasure needs 2 more privacy admins to approve.',
    );
    expect(lifecycleWords(en, { result: 'done', request, code: 'approvalRecorded', approvalsStillNeeded: 1 })).toBe('Approval recorded. It needs 1 more privacy admin to approve.');
    expect(lifecycleWords(en, { result: 'done', request, code: 'purgeStarted', approvalsStillNeeded: 0 })).toBe('Approved. The account of DSR-2026-0042 is being purged for good now.');
  });

  it('words manual steps, retries and input problems', () => {
    const request = sampleRequest();
    expect(manualStepWords(en, { result: 'done', code: 'stepConfirmedAndComplete', outcome: 'not_applicable', requestId: request.id, request })).toBe('Step marked not applicable. DSR-2026-0042 is complete.');
    expect(manualStepWords(en, { result: 'refused', code: 'alreadyConfirmed', requestId: request.id, by: 'Adele Vance' })).toBe('That step of DSR-2026-0042 was already confirmed by Adele Vance.');
    expect(retryWords(wordsFor('fr'), { result: 'refused', code: 'nothingToRetry', requestId: request.id })).toBe("DSR-2026-0042 n'a aucune étape en échec à relancer.");
    const domain = parseCorrection('userPrincipalName', 'eve@elsewhere.example', { allowedDomains: ['contoso.com', 'fabrikam.com'] });
    if (domain.ok) throw new Error('expected the domain to be refused');
    expect(inputWords(en, domain.problem)).toBe('The sign-in name has to end in @contoso.com or @fabrikam.com. Nothing was filed.');
    expect(inputWords(wordsFor('es'), domain.problem)).toBe('El nombre de inicio de sesión debe terminar en @contoso.com o @fabrikam.com. No se ha presentado nada.');
  });
});
