import { loadConfig } from '../../src/config';
import { dueForPseudonymisation, keptRecordHash, pseudonymised, RequestState, retentionEndsAt } from '../../src/dsr';
import { SUBJECT_VALUES, sampleRequest } from './sampleRequest';

const closed = (state: RequestState, closedAt = '2026-01-31T15:00:00.000Z') => sampleRequest({ state, closedAt });

describe('retention', () => {
  it('ends on the same calendar day months later, or the month’s last day', () => {
    expect(retentionEndsAt('2026-01-31T15:00:00.000Z', 24).toISOString()).toBe('2028-01-31T00:00:00.000Z');
    expect(retentionEndsAt('2026-01-31T15:00:00.000Z', 1).toISOString()).toBe('2026-02-28T00:00:00.000Z');
  });

  it('is due once the period is over, not a day before', () => {
    expect(dueForPseudonymisation(closed('completed'), new Date('2028-01-30T23:59:59Z'), 24)).toBe(false);
    expect(dueForPseudonymisation(closed('completed'), new Date('2028-01-31T00:00:00Z'), 24)).toBe(true);
  });

  it('waits for the purge of a soft-deleted account, and never touches an open request', () => {
    const later = new Date('2030-01-01T00:00:00Z');
    for (const state of ['completed', 'purged', 'rejected', 'cancelled'] as const) expect(dueForPseudonymisation(closed(state), later, 24)).toBe(true);
    for (const state of ['soft_deleted', 'failed_partially', 'awaiting_manual_steps', 'awaiting_approval'] as const) {
      expect(dueForPseudonymisation(sampleRequest({ state, closedAt: '2026-01-31T15:00:00.000Z' }), later, 24)).toBe(false);
    }
  });

  it('does not pseudonymise twice', () => {
    const done = { ...pseudonymised(closed('completed'), 'unit-test-pseudonym-key-0001'), pseudonymisedAt: '2028-02-01T00:00:00.000Z' };
    expect(dueForPseudonymisation(done, new Date('2030-01-01T00:00:00Z'), 24)).toBe(false);
    expect(SUBJECT_VALUES.filter((v) => JSON.stringify(done).includes(v))).toEqual([]);
  });

  it('pseudonymises a request an erasure already pseudonymised to the same pseudonym', () => {
    const once = pseudonymised(closed('completed'), 'unit-test-pseudonym-key-0001');
    expect(pseudonymised(once, 'unit-test-pseudonym-key-0001')).toEqual(once);
  });

  it('hashes the kept record as stored, so any later change shows', () => {
    const kept = closed('completed');
    expect(keptRecordHash(JSON.parse(JSON.stringify(kept)))).toBe(keptRecordHash(kept));
    expect(keptRecordHash({ ...kept, kind: 'erase' })).not.toBe(keptRecordHash(kept));
  });
});

describe('DSR_RETENTION_MONTHS', () => {
  const env = { DSR_SANDBOX: 'on', DSR_APPROVER_GROUP_ID: 'group' };

  it('defaults to 24 months', () => {
    expect(loadConfig(env).retentionMonths).toBe(24);
    expect(loadConfig({ ...env, DSR_RETENTION_MONTHS: '36' }).retentionMonths).toBe(36);
  });

  it.each(['0', '-1', '1.5', 'two years', '121'])('refuses %s with the setting named', (value) => {
    expect(() => loadConfig({ ...env, DSR_RETENTION_MONTHS: value })).toThrow(/DSR_RETENTION_MONTHS must be a whole number from 1 to 120/);
  });
});
