import { DsrRequest, median, RegisterColumn, REGISTER_RESPONSES, pseudonymFor, pseudonymised, recipientsTold, REGISTER_COLUMNS, registerCsv, registerJson, RegisterRow, registerRow, registerRows, registerSummary, StepOutcome } from '../../src/dsr';
import { LOCALES, wordsFor } from '../../src/i18n';
import { registerWording } from '../../src/storage/registerWording';
import { parseCsv } from '../support/csv';
import { APPROVER_A, APPROVER_B, SUBJECT, SUBJECT_VALUES, requestFiledBy, sampleRequest } from './sampleRequest';

const KEY = 'unit-test-pseudonym-key-0001';
const NOW = new Date('2026-12-20T12:00:00.000Z');
const AT = '2026-11-24T08:15:00.000Z';
const CLOSED = '2026-11-25T10:00:00.000Z';

const done = (count: number, extra: Partial<StepOutcome> = {}): StepOutcome => ({ status: 'done', summary: `${count} handled`, count, at: AT, attempts: 1, ...extra });
const approvals = [APPROVER_A, APPROVER_B].map((by) => ({ by, decision: 'approve' as const, at: '2026-11-23T14:05:00.000Z' }));
const ALERT_STEP = { key: 'iotCentral.alertRuleEmails', title: 'Remove the e-mail address from alert rules', instructions: 'Open Rules.' };

/** One request in every end state the register must describe. */
const END_STATES: Record<string, DsrRequest> = {
  completed: sampleRequest({ id: 'DSR-2026-0001', state: 'completed', decisions: [approvals[0]], steps: { entra: done(1), botStore: done(1) }, closedAt: CLOSED }),
  rejected: sampleRequest({ id: 'DSR-2026-0002', kind: 'rectify', state: 'rejected', decisions: [{ by: APPROVER_A, decision: 'reject', reason: 'Job titles are set by HR.', at: AT }], closedAt: AT }),
  cancelled: sampleRequest({ id: 'DSR-2026-0003', kind: 'access', state: 'cancelled', closedAt: AT }),
  soft_deleted: sampleRequest({
    id: 'DSR-2026-0004', kind: 'erase', regime: 'CCPA', state: 'soft_deleted', services: ['entra', 'iotHub', 'botStore'], decisions: approvals,
    steps: { entra: done(1, { awaitsPurge: true }), iotHub: { status: 'skipped', summary: 'nothing to erase here', count: 0, at: AT, attempts: 1 }, botStore: done(0) },
    purgeAt: '2026-12-09T08:15:00.000Z', closedAt: CLOSED,
  }),
  purged: sampleRequest({ id: 'DSR-2026-0005', kind: 'erase', state: 'purged', services: ['entra', 'botStore'], decisions: approvals, steps: { entra: done(1), botStore: done(0) }, closedAt: CLOSED }),
  failed_partially: sampleRequest({
    id: 'DSR-2026-0006', kind: 'erase', state: 'failed_partially', services: ['entra', 'dps'], decisions: approvals,
    steps: { entra: done(1, { awaitsPurge: true }), dps: { status: 'failed', summary: 'failed', count: 0, at: AT, attempts: 3, error: 'Device Provisioning Service answered 500' } },
  }),
  awaiting_manual_steps: sampleRequest({
    id: 'DSR-2026-0007', kind: 'erase', state: 'awaiting_manual_steps', services: ['iotCentral', 'botStore'], decisions: approvals,
    discovery: { iotCentral: { count: 1, items: ['1 app user'], manualSteps: [ALERT_STEP] } },
    steps: { iotCentral: done(1), botStore: done(0) },
  }),
};

const rowOf = (request: DsrRequest, now = NOW) => registerRow(request, { pseudonymKey: KEY, now });

const ENGLISH = registerWording(wordsFor('en'));

describe('the DSR register', () => {
  it.each(Object.entries(END_STATES))('keeps what 11 CCR §7101 asks for a request that is %s', (state, request) => {
    const row = rowOf(request);
    expect(row).toMatchObject({ requestId: request.id, receivedAt: request.receivedAt, kind: request.kind, regime: request.regime, channel: 'teams-chat', state });
    expect(row.subjectPseudonym).toBe(pseudonymFor(SUBJECT.aadObjectId, KEY));
    expect(row.filedBy).toBe('subject');
    expect(row.identityVerifiedBy).toBe('teamsSignIn');
    expect(REGISTER_RESPONSES).toContain(row.response);
    expect(row.serviceOutcomes.map((s) => s.service)).toEqual(request.services);
    if (row.open) {
      expect(row.respondedAt).toBe('');
      expect(row.daysToRespond).toBeNull();
      expect(['retryPending', 'manualStepsPending', 'deltaPending', 'serviceExportFollows', 'notAnswered']).toContain(row.response);
    } else {
      expect(row.respondedAt).toBe(request.closedAt);
      expect(row.daysToRespond).toBeGreaterThanOrEqual(0);
    }
    const written = registerCsv([row], ENGLISH) + registerJson([row], NOW);
    for (const value of SUBJECT_VALUES) expect(written).not.toContain(value);
  });

  it('answers open for the failed and manual-step states, closed for the others', () => {
    const open = Object.entries(END_STATES).filter(([, r]) => rowOf(r).open).map(([state]) => state);
    expect(open.sort()).toEqual(['awaiting_manual_steps', 'failed_partially']);
  });

  it('names the basis of a denial and who denied it', () => {
    const row = rowOf(END_STATES.rejected);
    expect(row.denialBasis).toBe('Job titles are set by HR.');
    expect(row.rejectedBy).toEqual([{ name: APPROVER_A.displayName, at: AT }]);
    expect(row.response).toBe('denied');
  });

  it('names the approvers, the outcome per service and the manual steps confirmed', () => {
    const confirmed = { ...END_STATES.awaiting_manual_steps, state: 'completed' as const, closedAt: CLOSED, manualSteps: { [ALERT_STEP.key]: { outcome: 'done' as const, by: APPROVER_B, at: CLOSED } } };
    const row = rowOf(confirmed);
    expect(row.approvedBy.map((a) => a.name)).toEqual([APPROVER_A.displayName, APPROVER_B.displayName]);
    expect(row.manualSteps).toEqual([{ step: ALERT_STEP.key, outcome: 'done', name: APPROVER_B.displayName, at: CLOSED }]);
    expect(rowOf(END_STATES.failed_partially).serviceOutcomes).toEqual([
      { service: 'entra', status: 'done', count: 1, at: AT },
      { service: 'dps', status: 'failed', count: 0, at: AT },
    ]);
  });

  it('records the recipients told of an erasure (Art. 19): the services whose step ran, not the bot itself', () => {
    expect(rowOf(END_STATES.soft_deleted).recipientsTold).toEqual(['entra']);
    expect(recipientsTold(END_STATES.awaiting_manual_steps)).toEqual(['iotCentral']);
    expect(recipientsTold(END_STATES.failed_partially)).toEqual(['entra']);
    expect(recipientsTold(END_STATES.completed)).toEqual([]);
  });

  it('records extensions with the due date before and after', () => {
    const extended = sampleRequest({ dueAt: '2027-01-22', extensions: [{ by: APPROVER_A, at: AT, reason: 'Several services to search', previousDueAt: '2026-12-22', newDueAt: '2027-01-22', months: 1 }] });
    const row = rowOf(extended);
    expect(row).toMatchObject({ originalDueAt: '2026-12-22', dueAt: '2027-01-22' });
    expect(row.extensions).toEqual([{ name: APPROVER_A.displayName, at: AT, newDueAt: '2027-01-22', reason: 'Several services to search' }]);
  });

  it('names a privacy admin who filed on the subject’s behalf, and the subject only by pseudonym', () => {
    const row = rowOf(requestFiledBy(APPROVER_A, { state: 'completed', closedAt: CLOSED }));
    expect(row).toMatchObject({ filedBy: 'privacyAdmin', filedByName: APPROVER_A.displayName, identityVerifiedBy: 'privacyAdminAgainstDirectory' });
    const [header, line] = parseCsv(registerCsv([row], ENGLISH));
    expect(line[header.indexOf('filed_by')]).toBe(`privacy admin ${APPROVER_A.displayName}`);
    expect(line[header.indexOf('identity_verified_by')]).toBe(`${APPROVER_A.displayName}, privacy admin, against the Entra directory`);
  });

  it('words the response, who filed and the services told in the reader\'s language, codes in the JSON', () => {
    const rows = [END_STATES.soft_deleted, END_STATES.completed].map((request) => rowOf(request));
    const cells = (wording: ReturnType<typeof registerWording>, column: RegisterColumn) => {
      const [, ...lines] = parseCsv(registerCsv(rows, wording));
      return lines.map((line) => line[REGISTER_COLUMNS.indexOf(column)]);
    };
    expect(cells(ENGLISH, 'response')[0]).toMatch(/^data erased; receipt sent; account restorable until the purge( on \d{4}-\d\d-\d\d)?$/);
    expect(cells(ENGLISH, 'recipients_told')[0]).toBe('Entra ID');
    expect(cells(ENGLISH, 'filed_by')).toEqual(['the subject', 'the subject']);
    const german = registerWording(wordsFor('de'));
    expect(cells(german, 'response')[0]).toMatch(/^Daten gelöscht; Löschbestätigung übermittelt/);
    expect(cells(german, 'filed_by')).toEqual(['die betroffene Person', 'die betroffene Person']);
    expect(JSON.parse(registerJson(rows, NOW)).requests[0]).toMatchObject({ response: 'erasedRestorable', filedBy: 'subject', recipientsTold: ['entra'] });
  });

  it('gives the same pseudonym before and after retention pseudonymised the request', () => {
    const request = END_STATES.completed;
    expect(rowOf(pseudonymised(request, KEY)).subjectPseudonym).toBe(rowOf(request).subjectPseudonym);
  });

  it('marks an open request past its due date as overdue, and not on the due date itself', () => {
    const open = sampleRequest({ dueAt: '2026-12-22' });
    expect(rowOf(open, new Date('2026-12-22T23:00:00Z')).overdue).toBe(false);
    expect(rowOf(open, new Date('2026-12-23T00:30:00Z')).overdue).toBe(true);
    expect(rowOf({ ...END_STATES.completed, dueAt: '2026-12-01' }, new Date('2027-01-01T00:00:00Z')).overdue).toBe(false);
  });

  it('writes CSV that reads back field for field, quoting and disarming free text', () => {
    const tricky = sampleRequest({ id: 'DSR-2026-0009', state: 'rejected', closedAt: AT, decisions: [{ by: APPROVER_A, decision: 'reject', reason: '=HYPERLINK("http://x"), "quoted"\nsecond line', at: AT }] });
    const rows = registerRows([END_STATES.completed, tricky], { pseudonymKey: KEY, now: NOW });
    const [header, ...lines] = parseCsv(registerCsv(rows, ENGLISH));
    expect(header).toEqual(REGISTER_COLUMNS);
    expect(lines).toHaveLength(2);
    const denial = lines[1][header.indexOf('denial_basis')];
    expect(denial).toBe('\'=HYPERLINK("http://x"), "quoted"\nsecond line');
    expect(lines[0][header.indexOf('request_id')]).toBe('DSR-2026-0001');
    expect(lines[0][header.indexOf('approved_by')]).toBe(`${APPROVER_A.displayName} (2026-11-23T14:05:00.000Z)`);
  });

  it('titles the columns in the tenant\'s language and leaves the data as it is: codes and ISO dates', () => {
    const rows = registerRows([END_STATES.completed], { pseudonymKey: KEY, now: NOW });
    const [english, englishLine] = parseCsv(registerCsv(rows, registerWording(wordsFor('en'))));
    const [german, germanLine] = parseCsv(registerCsv(rows, registerWording(wordsFor('de'))));

    expect(english).toEqual(REGISTER_COLUMNS);
    expect(german.slice(0, 5)).toEqual(['Antrags-ID', 'Pseudonym der betroffenen Person', 'Eingegangen am', 'Art des Antrags', 'Rechtsrahmen']);
    expect(german[REGISTER_COLUMNS.indexOf('denial_basis')]).toBe('Grund der Ablehnung');
    const worded = ['filed_by', 'identity_verified_by', 'response', 'recipients_told', 'extensions', 'manual_steps'];
    const codes = (line: string[]) => line.filter((_, i) => !worded.includes(REGISTER_COLUMNS[i]));
    expect(codes(germanLine)).toEqual(codes(englishLine));
    expect(germanLine[REGISTER_COLUMNS.indexOf('received_at')]).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it.each(LOCALES.filter((l) => l !== 'en'))('titles every column in %s, each differently', (locale) => {
    const titles = Object.values(registerWording(wordsFor(locale)).headers);

    expect(new Set(titles).size).toBe(REGISTER_COLUMNS.length);
    expect(titles.filter((title) => (REGISTER_COLUMNS as readonly string[]).includes(title))).toEqual([]);
  });

  it('lists the register oldest first', () => {
    const later = sampleRequest({ id: 'DSR-2026-0100', receivedAt: '2026-12-01T08:00:00.000Z' });
    const earlier = sampleRequest({ id: 'DSR-2026-0099', receivedAt: '2026-11-01T08:00:00.000Z' });
    expect(registerRows([later, earlier], { pseudonymKey: KEY, now: NOW }).map((r) => r.requestId)).toEqual(['DSR-2026-0099', 'DSR-2026-0100']);
  });
});

describe('the register summary', () => {
  const rows: RegisterRow[] = registerRows(Object.values(END_STATES), { pseudonymKey: KEY, now: NOW });

  it('counts open, overdue and recently closed requests from the rows', () => {
    const overdueOpen = registerRows([...Object.values(END_STATES), sampleRequest({ id: 'DSR-2026-0010', dueAt: '2026-12-01' })], { pseudonymKey: KEY, now: NOW });
    const summary = registerSummary(overdueOpen, NOW);
    expect(summary).toMatchObject({ total: 8, open: 3, overdue: 1, closedRecently: 5 });
  });

  it('takes the median days to close over the requests closed in the last 30 days', () => {
    // Received 22 Nov: closed 24 Nov (2 days) twice, 25 Nov (3 days) three times.
    expect(registerSummary(rows, NOW).medianDaysToClose).toBe(3);
    expect(registerSummary(rows, new Date('2027-02-01T00:00:00Z'))).toMatchObject({ closedRecently: 0, medianDaysToClose: null });
  });

  it('counts by kind and by law, with how many of each are open', () => {
    const summary = registerSummary(rows, NOW);
    expect(summary.byKind).toEqual({ access: { total: 1, open: 0 }, export: { total: 1, open: 0 }, rectify: { total: 1, open: 0 }, restrict: { total: 0, open: 0 }, erase: { total: 4, open: 2 } });
    expect(summary.byRegime).toEqual({ GDPR: { total: 6, open: 2 }, CCPA: { total: 1, open: 0 } });
  });

  it('takes the middle of an even count as the mean of the two middle values', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});
