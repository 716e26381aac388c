import { pendingDelta } from './plan';
import { canTake } from './stateMachine';
import { ApproverStanding } from '../ports';
import { Actor, Decision, DeltaRound, DsrRequest, RequestState } from './types';

export interface DecisionInput {
  actor: Actor;
  decision: 'approve' | 'reject';
  reason?: string;
  /** Decided on the server from the approvers group, never from card data. */
  actorIsApprover: boolean;
  /** Distinct approvals an erasure needs. */
  erasureApprovals: number;
  at: Date;
  /** The plan hash the approver's card showed; absent on cards posted before plans existed. */
  planHash?: string;
  /**
   * For an erasure's approval: the actor's and every earlier approver's standing, read from the
   * directory for this decision (see `approversToCheck`). An approver missing here counts as none.
   */
  approvers?: ReadonlyMap<string, ApproverStanding>;
}

/** Why an erasure approval was refused, beyond the rules every decision follows. */
export type ApprovalRefusal =
  /** The approving account has no person key, so nobody can tell whose second account it might be. */
  | 'approverWithoutPersonKey'
  /** Another account of the same person (same person key) has already approved. */
  | 'samePersonApproved';

/** Why a decision was refused, with the facts its wording needs: codes, not words (the bot words them). */
export type DecisionRefusal =
  | { code: 'notApprover' }
  | { code: 'aboutThemselves' }
  | { code: 'filedByThem' }
  | { code: 'alreadyDecided'; requestId: string; state: RequestState }
  /** What the request would touch changed since the approver's card showed it. */
  | { code: 'planChanged'; requestId: string }
  | { code: 'reasonMissing' }
  | { code: 'reasonTooLong'; maxLength: number }
  | { code: 'alreadyApproved' }
  | { code: ApprovalRefusal };

export type DecisionOutcome =
  | ({ result: 'refused' } & DecisionRefusal)
  /**
   * Recorded; the request moves on when `transition` is set. `deltaDecided`: the pending delta
   * round was approved or rejected (its `outcome` says which).
   */
  | {
      result: 'recorded';
      request: DsrRequest;
      transition?: 'approve' | 'reject' | 'deltaDecided';
      approvalsStillNeeded: number;
      /** Earlier approvals that no longer count (their approver left the group or lost the person key): dropped from the round. */
      voided: Actor[];
    };

export const MAX_REASON_LENGTH = 500;

/** The approvals so far, counted once per approver: of the plan, or of the round given. */
export function approvalsOf(request: DsrRequest, decisions: readonly Decision[] = request.decisions): number {
  return new Set(decisions.filter((d) => d.decision === 'approve').map((d) => d.by.aadObjectId)).size;
}

export function approvalsNeeded(request: DsrRequest, erasureApprovals: number): number {
  return request.kind === 'erase' ? erasureApprovals : 1;
}

/** The decisions an approver would now decide on: the pending delta round's, else the plan's. */
function roundOf(request: DsrRequest): readonly Decision[] {
  const delta = request.state === 'awaiting_delta_approval' ? pendingDelta(request) : undefined;
  return delta ? delta.decisions : request.decisions;
}

/**
 * Whose standing an approval of `request` by `actorId` needs read from the directory: for an
 * erasure, the actor and every earlier approver of the round (each re-checked, as they may have
 * left the group since); none for other kinds, whose one approval is the clicker's own.
 */
export function approversToCheck(request: DsrRequest, actorId: string): string[] {
  if (request.kind !== 'erase') return [];
  return [...new Set([actorId, ...roundOf(request).filter((d) => d.decision === 'approve').map((d) => d.by.aadObjectId)])];
}

const stands = (standing: ApproverStanding | undefined): boolean => Boolean(standing?.isApprover && standing.personKey);

/** Applies the approval rules to `request`: who may decide, what a decision needs, what it changes. */
export function decide(request: DsrRequest, input: DecisionInput): DecisionOutcome {
  const { actor, decision } = input;
  if (!input.actorIsApprover) {
    return { result: 'refused', code: 'notApprover' };
  }
  if (actor.aadObjectId === request.subject.aadObjectId) {
    return { result: 'refused', code: 'aboutThemselves' };
  }
  if (actor.aadObjectId === request.requester.aadObjectId) {
    return { result: 'refused', code: 'filedByThem' };
  }
  const delta = request.state === 'awaiting_delta_approval' ? pendingDelta(request) : undefined;
  if (!delta && !canTake(request.state, decision)) {
    return { result: 'refused', code: 'alreadyDecided', requestId: request.id, state: request.state };
  }
  // What the approver decides on: the pending delta round, else the plan discovery made.
  const target = delta ? { decisions: delta.decisions, planHash: delta.planHash } : { decisions: request.decisions, planHash: request.planHash };
  if (input.planHash && target.planHash && input.planHash !== target.planHash) {
    return { result: 'refused', code: 'planChanged', requestId: request.id };
  }
  const reason = input.reason?.trim();
  if (decision === 'reject' && !reason) {
    return { result: 'refused', code: 'reasonMissing' };
  }
  if (reason && reason.length > MAX_REASON_LENGTH) {
    return { result: 'refused', code: 'reasonTooLong', maxLength: MAX_REASON_LENGTH };
  }
  if (decision === 'approve' && target.decisions.some((d) => d.decision === 'approve' && d.by.aadObjectId === actor.aadObjectId)) {
    return { result: 'refused', code: 'alreadyApproved' };
  }
  // An erasure's approvals are people, not accounts, and only those still approvers count.
  let earlier = target.decisions;
  let voided: Actor[] = [];
  if (request.kind === 'erase' && decision === 'approve') {
    const counted = countedApprovals(target.decisions, actor, input.approvers);
    if ('refused' in counted) return { result: 'refused', code: counted.refused };
    ({ earlier, voided } = counted);
  }

  const recorded: Decision = {
    by: actor,
    decision,
    ...(reason ? { reason } : {}),
    at: input.at.toISOString(),
    ...(target.planHash ? { planHash: target.planHash } : {}),
  };
  const decisions = [...earlier, recorded];
  const stillNeeded = decision === 'reject' ? 0 : approvalsNeeded(request, input.erasureApprovals) - approvalsOf(request, decisions);
  if (!delta) {
    const decided: DsrRequest = { ...request, decisions };
    return { result: 'recorded', request: decided, approvalsStillNeeded: Math.max(stillNeeded, 0), voided, ...(stillNeeded > 0 ? {} : { transition: decision }) };
  }
  const outcome: DeltaRound['outcome'] = decision === 'reject' ? 'rejected' : stillNeeded > 0 ? undefined : 'approved';
  const round: DeltaRound = { ...delta, decisions, ...(outcome ? { outcome } : {}) };
  const decided: DsrRequest = { ...request, deltas: [...request.deltas!.slice(0, -1), round] };
  return { result: 'recorded', request: decided, approvalsStillNeeded: Math.max(stillNeeded, 0), voided, ...(outcome ? { transition: 'deltaDecided' } : {}) };
}

/**
 * The two-person rule of an erasure, for any round of approvals that needs distinct people: the
 * earlier decisions that still count (their approver still stands), those voided, or why `actor`'s
 * approval cannot count (no person key, or another account of the same person approved).
 */
export function countedApprovals(
  decisions: readonly Decision[],
  actor: Actor,
  approvers: ReadonlyMap<string, ApproverStanding> | undefined,
): { earlier: Decision[]; voided: Actor[] } | { refused: ApprovalRefusal } {
  const standingOf = (id: string) => approvers?.get(id);
  const personKey = standingOf(actor.aadObjectId)?.personKey;
  if (!personKey) return { refused: 'approverWithoutPersonKey' };
  const earlier = decisions.filter((d) => d.decision !== 'approve' || stands(standingOf(d.by.aadObjectId)));
  const voided = decisions.filter((d) => !earlier.includes(d)).map((d) => d.by);
  if (earlier.some((d) => d.decision === 'approve' && standingOf(d.by.aadObjectId)?.personKey === personKey)) return { refused: 'samePersonApproved' };
  return { earlier, voided };
}
