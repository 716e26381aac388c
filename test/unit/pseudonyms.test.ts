import { pseudonymFor, pseudonymised } from '../../src/dsr';
import { APPROVER_A, SUBJECT, SUBJECT_VALUES, deepFrozen, requestFiledBy, sampleRequest } from './sampleRequest';

const KEY = 'unit-test-pseudonym-key-0001';

const leaks = (value: unknown) => SUBJECT_VALUES.filter((v) => JSON.stringify(value).includes(v));

describe('pseudonyms', () => {
  it('gives the same pseudonym for the same person and key', () => {
    expect(pseudonymFor(SUBJECT.aadObjectId, KEY)).toBe(pseudonymFor(SUBJECT.aadObjectId, KEY));
    expect(pseudonymFor(SUBJECT.aadObjectId, KEY)).toMatch(/^subj-[0-9a-f]{16}$/);
  });

  it('gives a different pseudonym under a different key', () => {
    expect(pseudonymFor(SUBJECT.aadObjectId, KEY)).not.toBe(pseudonymFor(SUBJECT.aadObjectId, `${KEY}-rotated`));
  });

  it('gives different people different pseudonyms', () => {
    expect(pseudonymFor(SUBJECT.aadObjectId, KEY)).not.toBe(pseudonymFor(APPROVER_A.aadObjectId, KEY));
  });

  it('does not contain the object id it stands for', () => {
    expect(pseudonymFor(SUBJECT.aadObjectId, KEY)).not.toContain(SUBJECT.aadObjectId.slice(0, 8));
  });
});

describe('a pseudonymised request', () => {
  it('replaces every subject field with the pseudonym', () => {
    const p = pseudonymFor(SUBJECT.aadObjectId, KEY);
    expect(pseudonymised(requestFiledBy(APPROVER_A), KEY).subject).toEqual({ aadObjectId: p, upn: p, email: p, displayName: p });
  });

  it('drops the corrections of a rectification', () => {
    const result = pseudonymised(requestFiledBy(APPROVER_A, { kind: 'rectify', corrections: { displayName: 'Megan B. Bowen' } }), KEY);
    expect(result).not.toHaveProperty('corrections');
    expect(JSON.stringify(result)).not.toContain('Megan B. Bowen');
  });

  it('keeps the id, kind, dates and decisions the register needs', () => {
    const original = requestFiledBy(APPROVER_A, { state: 'completed', closedAt: '2026-12-01T10:00:00.000Z' });
    const result = pseudonymised(original, KEY);
    expect(result).toMatchObject({ id: original.id, kind: original.kind, regime: original.regime, state: 'completed', receivedAt: original.receivedAt, dueAt: original.dueAt, closedAt: original.closedAt });
    expect(result.requester).toEqual(APPROVER_A);
  });

  it('keeps no personal value of a subject who filed the request themselves', () => {
    // The subject filed it in their own chat, so the requester is the subject.
    expect(leaks(pseudonymised(sampleRequest({ state: 'completed' }), KEY))).toEqual([]);
  });

  it('keeps no personal value in the remembered card of the subject’s own chat', () => {
    const request = requestFiledBy(APPROVER_A, { state: 'completed', cards: { status: { conversationKey: `user:${SUBJECT.aadObjectId}`, activityId: '1:abc' } } });
    expect(leaks(pseudonymised(request, KEY))).toEqual([]);
  });

  it('leaves the request passed in untouched', () => {
    const original = deepFrozen(requestFiledBy(APPROVER_A, { corrections: { jobTitle: 'Engineer' } }));
    const before = structuredClone(original);
    pseudonymised(original, KEY);
    expect(original).toEqual(before);
  });
});
