import { createHmac } from 'node:crypto';
import { DeltaRound, DsrRequest, ItemOutcome, Plan, PlanItem, StepOutcome } from './types';

/** A stable stand-in for a person: the same input and key always give the same pseudonym. */
export function pseudonymFor(aadObjectId: string, key: string): string {
  return `subj-${createHmac('sha256', key).update(aadObjectId).digest('hex').slice(0, 16)}`;
}

/** Whether `id` is already a pseudonym (as the subject id of a pseudonymised request is). */
export function isPseudonym(id: string): boolean {
  return /^subj-[0-9a-f]{16}$/.test(id);
}

/** The subject of `request` as a pseudonym, whether or not the request has been pseudonymised yet: the same either way. */
export function subjectPseudonym(request: DsrRequest, key: string): string {
  const id = request.subject.aadObjectId;
  return isPseudonym(id) ? id : pseudonymFor(id, key);
}

/** A plan item's id as a stable pseudonym: ids can name the subject (their object id, a device called after them). */
function itemPseudonym(id: string, key: string): string {
  return /^item-[0-9a-f]{16}$/.test(id) ? id : `item-${createHmac('sha256', key).update(id).digest('hex').slice(0, 16)}`;
}

function withPseudonymousIds<T extends PlanItem | ItemOutcome>(items: T[] | undefined, key: string): T[] | undefined {
  return items?.map((item) => ({ ...item, id: itemPseudonym(item.id, key) }));
}

function pseudonymousPlan(plan: Plan, key: string): Plan {
  return Object.fromEntries(Object.entries(plan).map(([service, items]) => [service, withPseudonymousIds(items, key)]));
}

/**
 * The plan, the per-item outcomes and the delta rounds with every item id pseudonymised: counts,
 * types, reasons and the hashes the approvals bound to stay as evidence.
 */
function pseudonymousItems(request: DsrRequest, key: string): Pick<DsrRequest, 'discovery' | 'steps' | 'deltas'> {
  const discovery = Object.fromEntries(Object.entries(request.discovery).map(([service, found]) => [service, found && (found.plan ? { ...found, plan: withPseudonymousIds(found.plan, key) } : found)]));
  const steps = Object.fromEntries(Object.entries(request.steps).map(([service, step]) => [service, step && pseudonymousStep(step, key)]));
  const deltas = request.deltas?.map((round): DeltaRound => ({
    ...round,
    plan: pseudonymousPlan(round.plan, key),
    ...(round.stepsBefore ? { stepsBefore: Object.fromEntries(Object.entries(round.stepsBefore).map(([s, step]) => [s, step && pseudonymousStep(step, key)])) } : {}),
  }));
  return { discovery, steps, ...(deltas ? { deltas } : {}) };
}

function pseudonymousStep(step: StepOutcome, key: string): StepOutcome {
  return { ...step, ...(step.items ? { items: withPseudonymousIds(step.items, key) } : {}), ...(step.delta ? { delta: withPseudonymousIds(step.delta, key) } : {}) };
}

/**
 * The closed request with the subject's personal fields replaced by their pseudonym: as subject,
 * as requester where they filed it themselves, in the cards kept to reach their chat, and in the
 * ids of what the plan listed.
 */
export function pseudonymised(request: DsrRequest, key: string): DsrRequest {
  // Idempotent: an erasure pseudonymises the subject's earlier requests, and retention may come to them again.
  const pseudonym = subjectPseudonym(request, key);
  const { corrections: _corrections, cards: _cards, ...rest } = request;
  const filedBySubject = request.requester.aadObjectId === request.subject.aadObjectId;
  return {
    ...rest,
    ...pseudonymousItems(request, key),
    cards: {},
    subject: { aadObjectId: pseudonym, upn: pseudonym, email: pseudonym, displayName: pseudonym },
    requester: filedBySubject ? { aadObjectId: pseudonym, displayName: pseudonym } : request.requester,
  };
}
