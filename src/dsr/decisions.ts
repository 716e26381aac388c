import { canTake } from './stateMachine';
import { Actor, DsrRequest } from './types';

export interface DecisionInput {
  actor: Actor;
  decision: 'approve' | 'reject';
  reason?: string;
  /** Decided on the server from the approvers group, never from card data. */
  actorIsApprover: boolean;
  /** Distinct approvals an erasure needs. */
  erasureApprovals: number;
  at: Date;
}

export type DecisionOutcome =
  | { result: 'refused'; message: string }
  /** Recorded; the request moves on when `transition` is set. */
  | { result: 'recorded'; request: DsrRequest; transition?: 'approve' | 'reject'; approvalsStillNeeded: number };

export const MAX_REASON_LENGTH = 500;

/** The approvals an erasure has so far, counted once per approver. */
export function approvalsOf(request: DsrRequest): number {
  return new Set(request.decisions.filter((d) => d.decision === 'approve').map((d) => d.by.aadObjectId)).size;
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
  if (!canTake(request.state, decision)) {
    return { result: 'refused', message: `${request.id} is already ${request.state.replace(/_/g, ' ')}: nothing to decide.` };
  }
  const reason = input.reason?.trim();
  if (decision === 'reject' && !reason) {
    return { result: 'refused', message: 'A rejection needs a reason: the requester is told it.' };
  }
  if (reason && reason.length > MAX_REASON_LENGTH) {
    return { result: 'refused', message: `Please keep the reason under ${MAX_REASON_LENGTH} characters.` };
  }
  if (decision === 'approve' && request.decisions.some((d) => d.decision === 'approve' && d.by.aadObjectId === actor.aadObjectId)) {
    return { result: 'refused', message: 'You have already approved this request: it needs another privacy admin.' };
  }

  const decided: DsrRequest = {
    ...request,
    decisions: [...request.decisions, { by: actor, decision, ...(reason ? { reason } : {}), at: input.at.toISOString() }],
  };
  if (decision === 'reject') {
    return { result: 'recorded', request: decided, transition: 'reject', approvalsStillNeeded: 0 };
  }
  const stillNeeded = approvalsNeeded(request, input.erasureApprovals) - approvalsOf(decided);
  return stillNeeded > 0
    ? { result: 'recorded', request: decided, approvalsStillNeeded: stillNeeded }
    : { result: 'recorded', request: decided, transition: 'approve', approvalsStillNeeded: 0 };
}
