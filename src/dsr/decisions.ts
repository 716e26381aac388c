import { pendingDelta } from './plan';
import { canTake } from './stateMachine';
import { Actor, Decision, DeltaRound, DsrRequest } from './types';

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
}

export type DecisionOutcome =
  | { result: 'refused'; message: string }
  /**
   * Recorded; the request moves on when `transition` is set. `deltaDecided`: the pending delta
   * round was approved or rejected (its `outcome` says which).
   */
  | { result: 'recorded'; request: DsrRequest; transition?: 'approve' | 'reject' | 'deltaDecided'; approvalsStillNeeded: number };

export const MAX_REASON_LENGTH = 500;

/** The approvals so far, counted once per approver: of the plan, or of the round given. */
export function approvalsOf(request: DsrRequest, decisions: readonly Decision[] = request.decisions): number {
  return new Set(decisions.filter((d) => d.decision === 'approve').map((d) => d.by.aadObjectId)).size;
}

export function approvalsNeeded(request: DsrRequest, erasureApprovals: number): number {
  return request.kind === 'erase' ? erasureApprovals : 1;
}

/** Applies the approval rules to `request`: who may decide, what a decision needs, what it changes. */
export function decide(request: DsrRequest, input: DecisionInput): DecisionOutcome {
  const { actor, decision } = input;
  if (!input.actorIsApprover) {
    return { result: 'refused', message: 'Only privacy admins (members of the DSR approvers group) can decide requests.' };
  }
  if (actor.aadObjectId === request.subject.aadObjectId) {
    return { result: 'refused', message: 'You cannot decide a request about yourself: another privacy admin has to.' };
  }
  if (actor.aadObjectId === request.requester.aadObjectId) {
    return { result: 'refused', message: 'You filed this request, so another privacy admin has to decide it.' };
  }
  const delta = request.state === 'awaiting_delta_approval' ? pendingDelta(request) : undefined;
  if (!delta && !canTake(request.state, decision)) {
    return { result: 'refused', message: `${request.id} is already ${request.state.replace(/_/g, ' ')}: nothing to decide.` };
  }
  // What the approver decides on: the pending delta round, else the plan discovery made.
  const target = delta ? { decisions: delta.decisions, planHash: delta.planHash } : { decisions: request.decisions, planHash: request.planHash };
  if (input.planHash && target.planHash && input.planHash !== target.planHash) {
    return { result: 'refused', message: `What ${request.id} would touch has changed since this card was shown: refresh it and decide on what it shows now.` };
  }
  const reason = input.reason?.trim();
  if (decision === 'reject' && !reason) {
    return { result: 'refused', message: 'A rejection needs a reason: the requester is told it.' };
  }
  if (reason && reason.length > MAX_REASON_LENGTH) {
    return { result: 'refused', message: `Please keep the reason under ${MAX_REASON_LENGTH} characters.` };
  }
  if (decision === 'approve' && target.decisions.some((d) => d.decision === 'approve' && d.by.aadObjectId === actor.aadObjectId)) {
    return { result: 'refused', message: 'You have already approved this request: it needs another privacy admin.' };
  }

  const recorded: Decision = {
    by: actor,
    decision,
    ...(reason ? { reason } : {}),
    at: input.at.toISOString(),
    ...(target.planHash ? { planHash: target.planHash } : {}),
  };
  const decisions = [...target.decisions, recorded];
  const stillNeeded = decision === 'reject' ? 0 : approvalsNeeded(request, input.erasureApprovals) - approvalsOf(request, decisions);
  if (!delta) {
    const decided: DsrRequest = { ...request, decisions };
    return { result: 'recorded', request: decided, approvalsStillNeeded: Math.max(stillNeeded, 0), ...(stillNeeded > 0 ? {} : { transition: decision }) };
  }
  const outcome: DeltaRound['outcome'] = decision === 'reject' ? 'rejected' : stillNeeded > 0 ? undefined : 'approved';
  const round: DeltaRound = { ...delta, decisions, ...(outcome ? { outcome } : {}) };
  const decided: DsrRequest = { ...request, deltas: [...request.deltas!.slice(0, -1), round] };
  return { result: 'recorded', request: decided, approvalsStillNeeded: Math.max(stillNeeded, 0), ...(outcome ? { transition: 'deltaDecided' } : {}) };
}
