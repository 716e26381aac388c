import { deliveryRecipient, registerCsv, registerRow } from '../../src/dsr';
import { wordsFor } from '../../src/i18n';
import { registerWording } from '../../src/storage/registerWording';
import { parseCsv } from '../support/csv';
import { APPROVER_A, requestFiledBy, sampleRequest } from './sampleRequest';

describe('whose chat the export link or receipt goes to', () => {
  it('sends a subject who filed for themselves their own', () => {
    expect(deliveryRecipient(sampleRequest(), true)).toBe('subject');
  });

  it('sends it to the subject an approver filed for, when the bot can reach them', () => {
    expect(deliveryRecipient(requestFiledBy(APPROVER_A), true)).toBe('subject');
  });

  it('sends it to the filing approver only when the subject has no chat with the bot', () => {
    expect(deliveryRecipient(requestFiledBy(APPROVER_A), false)).toBe('requester');
  });

  it('sends the receipt of an erasure that removed the subject\'s account to the filing approver', () => {
    const erased = requestFiledBy(APPROVER_A, { kind: 'erase', steps: { entra: { status: 'done', summary: 'soft-deleted', count: 1, at: '2026-11-23T10:00:00.000Z', attempts: 1 } } });
    expect(deliveryRecipient(erased, true)).toBe('requester');
  });

  it('writes who got it in the register\'s delivered_to column, empty until delivered', () => {
    const rows = [sampleRequest({ id: 'DSR-2026-0001', deliveredTo: 'subject' }), sampleRequest({ id: 'DSR-2026-0002', deliveredTo: 'requester' }), sampleRequest({ id: 'DSR-2026-0003' })]
      .map((r) => registerRow(r, { pseudonymKey: 'unit-test-key', now: new Date('2026-11-23T10:00:00.000Z') }));
    const [header, ...lines] = parseCsv(registerCsv(rows, registerWording(wordsFor('en'))));
    expect(lines.map((line) => line[header.indexOf('delivered_to')])).toEqual(['subject', 'requester', '']);
  });
});
