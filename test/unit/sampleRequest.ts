import { Actor, ApproverDirectory, DsrRequest, Subject } from '../../src/dsr';

/** The person the sample request is about. Every value is distinctive, so a leak is easy to spot. */
export const SUBJECT: Subject = {
  aadObjectId: '5d0c2f1e-7a3b-4c2d-9e8f-1a2b3c4d5e6f',
  upn: 'mbowen@contoso.onmicrosoft.example',
  email: 'megan.bowen@contoso.example',
  displayName: 'Megan Bowen',
};

/** The subject's personal values: none of them may reach a channel. */
export const SUBJECT_VALUES: readonly string[] = [SUBJECT.aadObjectId, SUBJECT.upn, SUBJECT.email, SUBJECT.displayName];

export const SUBJECT_AS_ACTOR: Actor = { aadObjectId: SUBJECT.aadObjectId, displayName: SUBJECT.displayName };

export const APPROVER_A: Actor = { aadObjectId: 'a1a1a1a1-0000-4000-8000-00000000000a', displayName: 'Adele Vance' };
export const APPROVER_B: Actor = { aadObjectId: 'b2b2b2b2-0000-4000-8000-00000000000b', displayName: 'Alex Wilber' };

/** A directory where everyone is an approver and each account is a person of its own. */
export const DISTINCT_APPROVERS: ApproverDirectory = { isApprover: async () => true, personKey: async (id) => `person-${id}` };

/**
 * A request filed by the subject in their own chat, waiting for approval, with discovery done.
 * Dates are fixed: received 22 Nov 2026 09:30 UTC, due 22 Dec 2026 (GDPR).
 */
export function sampleRequest(overrides: Partial<DsrRequest> = {}): DsrRequest {
  return {
    id: 'DSR-2026-0042',
    kind: 'export',
    regime: 'GDPR',
    state: 'awaiting_approval',
    subject: { ...SUBJECT },
    requester: { ...SUBJECT_AS_ACTOR },
    channel: 'teams-chat',
    services: ['entra', 'botStore'],
    receivedAt: '2026-11-22T09:30:00.000Z',
    dueAt: '2026-12-22',
    discovery: {
      entra: { count: 1, items: ['1 user profile'] },
      botStore: { count: 1, items: ['0 earlier requests', '1 request record (this one)'] },
    },
    decisions: [],
    steps: {},
    cards: {},
    ...overrides,
  };
}

/** A request about the subject that a privacy admin filed on their behalf. */
export function requestFiledBy(requester: Actor, overrides: Partial<DsrRequest> = {}): DsrRequest {
  return sampleRequest({ requester: { ...requester }, ...overrides });
}

/** Freezes `value` and everything inside it, so any mutation throws in strict mode. */
export function deepFrozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFrozen(inner);
    Object.freeze(value);
  }
  return value;
}
