import { Card, plainText } from '../../src/cards/render';
import { approvalCard, queueCard } from '../../src/cards/approverCards';
import { complianceCard, reminderText } from '../../src/cards/complianceCards';
import { exportReadyCard, helpCard, intakeCard, receiptCard, requestListCard, statusCard } from '../../src/cards/personCards';
import { isRequestId, REQUEST_KINDS } from '../../src/dsr';
import { wordsFor } from '../../src/i18n';
import { TEAMS_MESSAGE_LIMIT_BYTES, byteSize, elementsOfType, parseEvents, textsOf } from './cardChecks';
import { NOW, AT, OFFERED, INTAKE, done, approvedBy, erasure, failedPartially, softDeleted, ALERT_RULES_STEP, awaitingManualStep, manualStepConfirmed, rectification, rejected, exported, EXTENSION_REASON, extendedOnce, extendedTwice, ccpa, ccpaExtended, link, COMPLIANCE_EVENTS, sampleCards } from './cardSamples';
import { APPROVER_A, APPROVER_B, SUBJECT_VALUES, requestFiledBy, sampleRequest } from './sampleRequest';

const en = wordsFor('en');
const CARDS = sampleCards(en);

const leaksIn = (value: unknown) => SUBJECT_VALUES.filter((v) => JSON.stringify(value).includes(v));
const actionsOf = (card: Card) => elementsOfType(card, 'Action.Execute');
const titlesOf = (card: Card) => [...elementsOfType(card, 'Action.Execute'), ...elementsOfType(card, 'Action.OpenUrl')].map((a) => a.title);
const factsOf = (card: Card) => Object.fromEntries(elementsOfType(card, 'FactSet').flatMap((f) => (f.facts as { title: string; value: string }[]).map((x) => [x.title, x.value])));

describe.each(CARDS)('the %s card', (_name, card, audience) => {
  it('parses in the Adaptive Cards library without a single warning', () => {
    expect(parseEvents(card)).toEqual([]);
  });

  it('is an Adaptive Card 1.5 well under Teams’ message limit', () => {
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    expect(byteSize(card)).toBeLessThan(TEAMS_MESSAGE_LIMIT_BYTES);
  });

  it('leaves no template expression unbound', () => {
    expect(JSON.stringify(card)).not.toMatch(/\$\{|"\$when"|"\$data"/);
  });

  it('puts only ids in the hidden data of its buttons', () => {
    for (const action of actionsOf(card)) {
      const data = (action.data ?? {}) as Record<string, unknown>;
      for (const [key, value] of Object.entries(data)) {
        expect(['requestId', 'kind', 'step', 'outcome', 'onBehalfOf', 'planHash']).toContain(key);
        // The plan an approver decides on, by its SHA-256 (empty for requests filed before plans).
        if (key === 'planHash') expect(value).toMatch(/^$|^[0-9a-f]{64}$/);
        // An approver's intake card names the subject by object id, in the approver's own chat.
        if (key === 'onBehalfOf') expect(value).toMatch(/^$|^[0-9a-f-]{36}$/);
        if (key === 'requestId') expect(isRequestId(String(value))).toBe(true);
        if (key === 'kind') expect(REQUEST_KINDS).toContain(value);
        if (key === 'step') expect(value).toMatch(/^[A-Za-z]+\.[A-Za-z]+$/);
        if (key === 'outcome') expect(['done', 'not_applicable']).toContain(value);
      }
      expect(leaksIn(data)).toEqual([]);
    }
  });

  if (audience === 'channel') {
    it('shows none of the subject’s personal values in a channel', () => {
      expect(leaksIn(card)).toEqual([]);
    });
  }
});

describe('what the cards show', () => {
  it('offers a start button for every kind of request, and the list of requests', () => {
    const data = actionsOf(helpCard(en)).map((a) => a.data);
    expect(data).toEqual([...REQUEST_KINDS.map((kind) => ({ kind })), undefined]);
    expect(titlesOf(helpCard(en))).toContain('My requests');
  });

  it('warns before an erasure that it cannot be undone, with the grace period', () => {
    const card = intakeCard(en, 'erase', INTAKE);
    expect(textsOf(card).join(' ')).toMatch(/cannot be undone.*restored for 14 days/s);
    expect(actionsOf(card)[0]).toMatchObject({ title: 'Delete my data', style: 'destructive', verb: 'dsr.submit', data: { kind: 'erase' } });
  });

  it('asks a rectification which field is wrong and its correct value, and no one else', () => {
    const ids = (card: Card) => [...elementsOfType(card, 'Input.ChoiceSet'), ...elementsOfType(card, 'Input.Text')].map((i) => i.id);
    expect(ids(intakeCard(en, 'rectify', INTAKE))).toEqual(['regime', 'services', 'field', 'value']);
    expect(ids(intakeCard(en, 'export', INTAKE))).toEqual(['regime', 'services']);
  });

  it('offers exactly the configured services, all ticked', () => {
    const [services] = elementsOfType(intakeCard(en, 'export', INTAKE), 'Input.ChoiceSet').filter((i) => i.id === 'services');
    expect((services.choices as { value: string }[]).map((c) => c.value)).toEqual(OFFERED);
    expect(services.value).toBe('entra,iotHub,botStore');
  });

  it('lets the requester cancel only while the request can still be cancelled', () => {
    expect(actionsOf(statusCard(en, sampleRequest())).map((a) => a.verb)).toEqual(['dsr.cancel']);
    expect(actionsOf(statusCard(en, requestFiledBy(APPROVER_A, { state: 'executing' })))).toEqual([]);
  });

  it('shows approvers the approvals so far and both decision buttons while awaiting approval', () => {
    const card = approvalCard(en, erasure({ decisions: approvedBy(APPROVER_A) }), { erasureApprovals: 2 });
    expect(factsOf(card).Approvals).toBe('1 of 2');
    expect(actionsOf(card).map((a) => a.verb)).toEqual(['dsr.refresh', 'dsr.approve', 'dsr.reject', 'dsr.extend']);
  });

  it('shows a failed step and offers a retry, not a decision, when execution failed in part', () => {
    const card = approvalCard(en, failedPartially, { erasureApprovals: 2 });
    expect(factsOf(card)['IoT Hub']).toBe('failed: IoT Hub answered 503 (ServiceUnavailable)');
    expect(factsOf(card)['Approved by Adele Vance']).toMatch(/^23 Nov 2026, 14:05 UTC$/);
    expect(actionsOf(card).map((a) => a.verb)).toEqual(['dsr.refresh', 'dsr.retry', 'dsr.extend']);
  });

  it('shows the reason of a rejection and no buttons but refresh', () => {
    const card = approvalCard(en, rejected, { erasureApprovals: 2 });
    expect(factsOf(card)['Rejected by Adele Vance']).toBe(`24 Nov 2026, 08:15 UTC: ${plainText('Duplicate of DSR-2026-0041.')}`);
    expect(actionsOf(card).map((a) => a.verb)).toEqual(['dsr.refresh']);
  });

  it('lists a manual step with its instructions and both buttons, carrying only ids', () => {
    const card = approvalCard(en, awaitingManualStep, { erasureApprovals: 2 });
    expect(textsOf(card)).toEqual(expect.arrayContaining([
      `${plainText(ALERT_RULES_STEP.title)} (IoT Central)`,
      plainText(ALERT_RULES_STEP.instructions.split('\n')[0]),
      plainText(ALERT_RULES_STEP.instructions.split('\n')[1]),
      'Not confirmed yet.',
    ]));
    const manual = actionsOf(card).filter((a) => a.verb === 'dsr.manual');
    expect(manual.map((a) => [a.title, a.data])).toEqual([
      ['Mark done', { requestId: 'DSR-2026-0042', step: 'iotCentral.alertRuleEmails', outcome: 'done' }],
      ['Not applicable', { requestId: 'DSR-2026-0042', step: 'iotCentral.alertRuleEmails', outcome: 'not_applicable' }],
    ]);
  });

  it('shows who confirmed a manual step, and offers no button for it any more', () => {
    const card = approvalCard(en, manualStepConfirmed, { erasureApprovals: 2 });
    expect(textsOf(card)).toContain('Done, confirmed by Alex Wilber on 24 Nov 2026, 16:40 UTC.');
    expect(actionsOf(card).map((a) => a.verb)).toEqual(['dsr.refresh']);
    expect(factsOf(receiptCard(en, manualStepConfirmed))[plainText(ALERT_RULES_STEP.title)]).toBe('done, 24 Nov 2026, 16:40 UTC');
  });

  it('shows a read-only card without a single button but refresh', () => {
    for (const request of [erasure(), failedPartially, awaitingManualStep]) {
      expect(actionsOf(approvalCard(en, request, { erasureApprovals: 2, readOnly: true })).map((a) => a.verb)).toEqual(['dsr.refresh']);
    }
  });

  it('names the field to correct but never the corrected value in the approvers’ channel', () => {
    const card = approvalCard(en, rectification, { erasureApprovals: 2 });
    expect(factsOf(card)['To correct']).toBe('jobTitle');
    expect(JSON.stringify(card)).not.toContain('Chief Whistleblower');
  });

  it('gives the download link and when it expires', () => {
    const card = exportReadyCard(en, exported, link);
    expect(elementsOfType(card, 'Action.OpenUrl')).toEqual([expect.objectContaining({ url: link.url })]);
    expect(factsOf(card)).toMatchObject({ 'Link expires': '1 Dec 2026, 10:00 UTC', Size: '47 KB', 'SHA-256': 'ab'.repeat(32) });
  });

  it('tells the subject until when an erased account can be restored, and names no approver', () => {
    const card = receiptCard(en, softDeleted);
    expect(textsOf(card)).toContain('Your account can be restored until 9 Dec 2026; after that it is deleted for good. A restore brings back the Entra account only: what the other services erased stays erased.');
    expect(factsOf(card)).toMatchObject({ 'Approval 1': 'a privacy admin, 23 Nov 2026, 14:05 UTC', 'Approval 2': 'a privacy admin, 23 Nov 2026, 14:05 UTC' });
    expect(JSON.stringify(card)).not.toMatch(/Adele|Alex/);
  });

  it('tells the requester on their status card until when the erased account can be restored', () => {
    expect(factsOf(statusCard(en, softDeleted))).toMatchObject({ 'Restorable until': '9 Dec 2026, then purged for good' });
    expect(factsOf(statusCard(en, { ...softDeleted, state: 'purged' }))['Restorable until']).toBeUndefined();
  });

  it('offers approvers Restore and Purge now on a soft-deleted erasure, saying until when and what a restore brings back', () => {
    const card = approvalCard(en, { ...softDeleted, purgeNow: approvedBy(APPROVER_A) }, { erasureApprovals: 2 });
    expect(actionsOf(card).map((a) => a.verb)).toEqual(expect.arrayContaining(['dsr.restore', 'dsr.purgeNow']));
    expect(factsOf(card)).toMatchObject({ 'Restorable until': '9 Dec 2026, then purged for good', 'Purge now': '1 of 2 approvals: Adele Vance' });
    expect(textsOf(card)).toContain('Restore brings back the Entra account only: what the other services erased stays erased.');
    const purged = approvalCard(en, { ...softDeleted, state: 'purged' }, { erasureApprovals: 2 });
    expect(actionsOf(purged).map((a) => a.verb)).not.toEqual(expect.arrayContaining(['dsr.restore']));
    expect(actionsOf(purged).map((a) => a.verb)).not.toEqual(expect.arrayContaining(['dsr.purgeNow']));
  });

  it('offers Lift restriction on a completed restriction, then Retry once a lift failed in a service', () => {
    const restriction = sampleRequest({ kind: 'restrict', state: 'completed', decisions: approvedBy(APPROVER_A), steps: { entra: done('sign-in blocked', 1) } });
    expect(actionsOf(approvalCard(en, restriction, { erasureApprovals: 2 })).find((a) => a.verb === 'dsr.lift')?.title).toBe('Lift restriction');
    const failed = { ...restriction, lift: { approvals: approvedBy(APPROVER_A, APPROVER_B), approvedAt: AT, steps: { entra: { status: 'failed' as const, summary: '', count: 0, at: AT, attempts: 1, error: 'Microsoft Graph answered 503' } } } };
    const card = approvalCard(en, failed, { erasureApprovals: 2 });
    expect(actionsOf(card).find((a) => a.verb === 'dsr.lift')?.title).toBe('Retry lifting the restriction');
    expect(factsOf(card)).toMatchObject({ 'Lift restriction': '2 of 2 approvals: Adele Vance, Alex Wilber', 'Lifted in Entra ID': 'failed: Microsoft Graph answered 503' });
    const underway = approvalCard(en, { ...failed, lift: { ...failed.lift, steps: {} } }, { erasureApprovals: 2 });
    expect(actionsOf(underway).some((a) => a.verb === 'dsr.lift')).toBe(false);
  });

  it('gives the requester the head of the request\'s audit chain to keep, when known', () => {
    expect(textsOf(receiptCard(en, softDeleted, { count: 7, hash: 'cd'.repeat(32) }))).toContain(
      `Audit record: 7 entries so far, the last with hash ${'cd'.repeat(32)}. Keep this receipt: an auditor can check the bot's record of your request against it.`,
    );
    expect(JSON.stringify(receiptCard(en, softDeleted))).not.toContain('Audit record');
  });

  it('says so when there are no requests, and lists each one when there are', () => {
    expect(textsOf(requestListCard(en, []))).toContain('You have no requests yet. Type help to start one.');
    const card = requestListCard(en, [sampleRequest(), failedPartially]);
    expect(elementsOfType(card, 'FactSet')[0].facts).toEqual([
      { title: 'DSR-2026-0042', value: 'Export my data, awaiting approval, due 22 Dec 2026' },
      { title: 'DSR-2026-0042', value: 'Delete my data, failed partially, due 22 Dec 2026' },
    ]);
  });

  it.each<[(typeof COMPLIANCE_EVENTS)[number], string]>([
    ['opened', 'DSR-2026-0042 opened, due 22 Dec 2026'],
    ['completed', 'DSR-2026-0042 completed in 3 days'],
    ['failed', 'DSR-2026-0042 failed in part: approvers can retry'],
  ])('heads the compliance post for %s with %p', (event, headline) => {
    expect(textsOf(complianceCard(en, event === 'failed' ? failedPartially : softDeleted, event, NOW))[0]).toBe(headline);
  });

  it('counts items handled and services failed in the compliance post', () => {
    expect(factsOf(complianceCard(en, failedPartially, 'failed', NOW))).toMatchObject({ Kind: 'erase', Law: 'GDPR', Services: '3', 'Items handled': '1', 'Services failed': '1' });
  });
});

describe('deadline extensions, the queue and reminders', () => {
  const choicesOf = (card: Card) => elementsOfType(card, 'Input.ChoiceSet').filter((i) => i.id === 'extendMonths').flatMap((i) => (i.choices as { value: string }[]).map((c) => c.value));
  const inputIds = (card: Card) => [...elementsOfType(card, 'Input.ChoiceSet'), ...elementsOfType(card, 'Input.Text')].map((i) => i.id);

  it('offers a GDPR request an extension of 1 or 2 months, with the reason input, carrying only the request id', () => {
    const card = approvalCard(en, sampleRequest(), { erasureApprovals: 2 });
    expect(choicesOf(card)).toEqual(['1', '2']);
    expect(actionsOf(card).find((a) => a.verb === 'dsr.extend')).toMatchObject({ title: 'Extend deadline', data: { requestId: 'DSR-2026-0042' } });
    expect(inputIds(card).sort()).toEqual(['extendMonths', 'reason']);
    expect(elementsOfType(card, 'Input.Text')[0].label).toMatch(/to extend/);
  });

  it('shows an extension on the approvers’ card with the reason escaped, and offers only what is left', () => {
    const card = approvalCard(en, extendedOnce, { erasureApprovals: 2 });
    expect(factsOf(card)['Due by']).toBe('22 Jan 2027 (extended)');
    expect(factsOf(card)['Extended by Adele Vance']).toBe(`24 Nov 2026, 08:15 UTC: from 22 Dec 2026 to 22 Jan 2027. Reason: ${plainText(EXTENSION_REASON)}`);
    expect(JSON.stringify(card)).not.toContain('[devices](http://evil)');
    expect(choicesOf(card)).toEqual(['1']);
  });

  it('offers no extension once GDPR’s two further months are used, nor on a closed request', () => {
    for (const card of [approvalCard(en, extendedTwice, { erasureApprovals: 2 }), approvalCard(en, rejected, { erasureApprovals: 2 }), approvalCard(en, ccpaExtended, { erasureApprovals: 2 })]) {
      expect(actionsOf(card).map((a) => a.verb)).not.toContain('dsr.extend');
      expect(choicesOf(card)).toEqual([]);
    }
    // Both extensions are listed (the same approver twice: one fact title, two rows).
    const rows = elementsOfType(approvalCard(en, extendedTwice, { erasureApprovals: 2 }), 'FactSet').flatMap((f) => f.facts as { title: string }[]);
    expect(rows.filter((r) => r.title === 'Extended by Adele Vance')).toHaveLength(2);
  });

  it('offers a CCPA request its one extension of 45 days, without a choice', () => {
    const card = approvalCard(en, ccpa, { erasureApprovals: 2 });
    expect(actionsOf(card).find((a) => a.verb === 'dsr.extend')?.title).toBe('Extend by 45 days');
    expect(choicesOf(card)).toEqual([]);
  });

  it('keeps the reason input for an extension while the request is carried out', () => {
    const card = approvalCard(en, sampleRequest({ state: 'executing', decisions: approvedBy(APPROVER_A) }), { erasureApprovals: 2 });
    expect(actionsOf(card).map((a) => a.verb)).toEqual(['dsr.refresh', 'dsr.extend']);
    expect(inputIds(card).sort()).toEqual(['extendMonths', 'reason']);
    expect(elementsOfType(card, 'Input.Text')[0].label).toBe('Reason for an extension (the requester is told it)');
  });

  it('shows the extended due date to the requester, in lists and to compliance', () => {
    expect(factsOf(statusCard(en, extendedOnce))['Due by']).toBe('22 Jan 2027 (extended)');
    expect(elementsOfType(requestListCard(en, [extendedOnce]), 'FactSet')[0].facts).toEqual([{ title: 'DSR-2026-0042', value: 'Export my data, awaiting approval, due 22 Jan 2027 (extended)' }]);
    expect(textsOf(complianceCard(en, extendedOnce, 'extended', NOW))[0]).toBe('DSR-2026-0042 deadline extended to 22 Jan 2027');
  });

  it('lists the queue in the order given, marking overdue requests, with ids, kinds and dates only', () => {
    const overdue = sampleRequest({ id: 'DSR-2026-0007', dueAt: '2026-11-20' });
    const today = sampleRequest({ id: 'DSR-2026-0008', kind: 'erase', dueAt: '2026-11-25' });
    const card = queueCard(en, [overdue, today, extendedOnce, ccpa], NOW);
    expect(elementsOfType(card, 'FactSet')[0].facts).toEqual([
      { title: 'DSR-2026-0007', value: 'export (GDPR), awaiting approval, due 20 Nov 2026: OVERDUE by 5 days' },
      { title: 'DSR-2026-0008', value: 'erase (GDPR), awaiting approval, due 25 Nov 2026: due today' },
      { title: 'DSR-2026-0042', value: 'export (GDPR), awaiting approval, due 22 Jan 2027 (extended): due in 58 days' },
      { title: 'DSR-2026-0042', value: 'export (CCPA), awaiting approval, due 6 Jan 2027: due in 42 days' },
    ]);
    expect(leaksIn(card)).toEqual([]);
    expect(textsOf(queueCard(en, [], NOW))).toContain('No requests are open.');
  });

  it.each([
    ['dueIn7Days', '2026-12-15T08:00:00Z', 'Reminder: DSR-2026-0042 (export, GDPR) is due in 7 days, 22 Dec 2026, and is still open (awaiting approval).'],
    ['dueIn1Day', '2026-12-21T23:00:00Z', 'Reminder: DSR-2026-0042 (export, GDPR) is due tomorrow, 22 Dec 2026, and is still open (awaiting approval).'],
    ['dueIn1Day', '2026-12-22T06:00:00Z', 'Reminder: DSR-2026-0042 (export, GDPR) is due today, 22 Dec 2026, and is still open (awaiting approval).'],
    ['overdue', '2026-12-23T00:00:00Z', 'Overdue: DSR-2026-0042 (export, GDPR) was due on 22 Dec 2026 and is still open (awaiting approval), 1 day late.'],
  ] as const)('words the %s reminder at %s with ids, kinds and dates only', (stage, now, text) => {
    expect(reminderText(en, sampleRequest(), stage, new Date(now))).toBe(text);
    expect(leaksIn(reminderText(en, sampleRequest(), stage, new Date(now)))).toEqual([]);
  });
});

describe('text a person typed, on a card', () => {
  const nasty = '${id} [x](http://evil) \u202Egnp.exe';

  it('shows a subject’s name literally on the status card of a request filed on their behalf', () => {
    const request = requestFiledBy(APPROVER_A, { subject: { aadObjectId: 'c3c3c3c3-0000-4000-8000-00000000000c', upn: 'n@x.example', email: 'n@x.example', displayName: nasty } });
    const about = factsOf(statusCard(en, request)).About;
    expect(about).toBe(plainText(nasty));
    expect(about).not.toContain('DSR-2026-0042');
    expect(about).not.toContain('\u202E');
    expect(about).not.toMatch(/(^|[^\\])[[\]()]/);
  });

  it('shows a rejection reason literally on the approval card', () => {
    const card = approvalCard(en, sampleRequest({ state: 'rejected', decisions: [{ by: APPROVER_A, decision: 'reject', reason: nasty, at: AT }] }), { erasureApprovals: 2 });
    const value = factsOf(card)['Rejected by Adele Vance'];
    expect(value).toBe(`24 Nov 2026, 08:15 UTC: ${plainText(nasty)}`);
    expect(value).not.toContain('DSR-2026-0042');
    expect(parseEvents(card)).toEqual([]);
  });

  it('escapes an approver’s display name before it becomes a fact title', () => {
    const card = approvalCard(en, sampleRequest({ decisions: [{ by: { aadObjectId: APPROVER_A.aadObjectId, displayName: '[Admin](http://evil)' }, decision: 'approve', at: AT }] }), { erasureApprovals: 2 });
    expect(Object.keys(factsOf(card))).toContain(`Approved by ${plainText('[Admin](http://evil)')}`);
  });
});
