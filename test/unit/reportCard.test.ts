import { parseIntent } from '../../src/bot/intents';
import { reportCard } from '../../src/cards/complianceCards';
import { receiptCard } from '../../src/cards/personCards';
import { registerRows, registerSummary, StepOutcome } from '../../src/dsr';
import { wordsFor } from '../../src/i18n';
import { TEAMS_MESSAGE_LIMIT_BYTES, byteSize, elementsOfType, parseEvents, textsOf } from './cardChecks';
import { APPROVER_A, APPROVER_B, SUBJECT_VALUES, sampleRequest } from './sampleRequest';

const en = wordsFor('en');
const NOW = new Date('2026-12-20T12:00:00.000Z');
const AT = '2026-11-24T08:15:00.000Z';
const LINK = { url: 'http://127.0.0.1:10000/devstoreaccount1/exports/register/dsr-register.csv?sp=r&sig=abc', expiresAt: new Date('2026-12-27T12:00:00.000Z') };
const done = (count: number): StepOutcome => ({ status: 'done', summary: `${count} removed`, count, at: AT, attempts: 1 });
const approvals = [APPROVER_A, APPROVER_B].map((by) => ({ by, decision: 'approve' as const, at: AT }));

const requests = [
  sampleRequest({ id: 'DSR-2026-0001', state: 'completed', closedAt: '2026-11-25T10:00:00.000Z' }),
  sampleRequest({ id: 'DSR-2026-0002', kind: 'erase', regime: 'CCPA', state: 'awaiting_approval', dueAt: '2026-12-01' }),
  sampleRequest({ id: 'DSR-2026-0003', kind: 'rectify', state: 'rejected', closedAt: AT }),
];
const summary = registerSummary(registerRows(requests, { pseudonymKey: 'unit-test-pseudonym-key-0001', now: NOW }), NOW);
const card = reportCard(en, summary, LINK);
const fact = (title: string) => (elementsOfType(card, 'FactSet').flatMap((f) => f.facts as { title: string; value: string }[])).find((f) => f.title === title)?.value;

describe('the report card', () => {
  it('parses as an Adaptive Card and fits a Teams message', () => {
    expect(parseEvents(card)).toEqual([]);
    expect(byteSize(card)).toBeLessThan(TEAMS_MESSAGE_LIMIT_BYTES);
  });

  it('shows the summary’s counts', () => {
    expect(fact('Requests')).toBe('3');
    expect(fact('Open')).toBe('1');
    expect(fact('Overdue')).toBe('1');
    expect(fact('Closed in the last 30 days')).toBe('2');
    expect(fact('Median days to close (last 30 days)')).toBe('2.5');
    expect(fact('erase')).toBe('1 (1)');
    expect(fact('CCPA')).toBe('1 (1)');
    expect(fact('restrict')).toBe('0 (0)');
  });

  it('links to the register, read-only, and names no subject', () => {
    expect(elementsOfType(card, 'Action.OpenUrl').map((a) => a.url)).toEqual([LINK.url]);
    for (const value of SUBJECT_VALUES) expect(JSON.stringify(card)).not.toContain(value);
  });

  it('says when nothing closed lately instead of a median', () => {
    const quiet = reportCard(en, registerSummary([], NOW), LINK);
    expect(parseEvents(quiet)).toEqual([]);
    expect(textsOf(quiet)).toContain('none closed');
  });
});

describe('the receipt of a change', () => {
  it('lists the services told of an erasure (GDPR Art. 19), not the bot itself', () => {
    const erasure = sampleRequest({
      kind: 'erase', state: 'completed', services: ['entra', 'iotHub', 'dps', 'botStore'], decisions: approvals,
      steps: { entra: done(1), iotHub: done(2), dps: { status: 'skipped', summary: 'nothing to erase here', count: 0, at: AT, attempts: 1 }, botStore: done(0) },
    });
    const receipt = receiptCard(en, erasure);
    expect(parseEvents(receipt)).toEqual([]);
    const texts = textsOf(receipt);
    expect(texts).toContain('Services told of the change (GDPR Art. 19)');
    expect(texts).toContain('Entra ID, IoT Hub');
  });

  it('says so when no service held anything to change', () => {
    const nothing = sampleRequest({ kind: 'rectify', state: 'completed', services: ['entra'], steps: { entra: { status: 'skipped', summary: 'nothing', count: 0, at: AT, attempts: 1 } } });
    expect(textsOf(receiptCard(en, nothing))).toContain('None: no service held data to change.');
  });
});

describe('the report command', () => {
  it.each(['report', 'Report', 'compliance report', 'the report.'])('takes "%s" as the report', (text) => {
    expect(parseIntent(text)).toEqual({ type: 'report' });
  });

  it.each(['report my wrong job title', 'I want to report a problem with my data'])('does not take "%s" as the report', (text) => {
    expect(parseIntent(text).type).not.toBe('report');
  });
});
