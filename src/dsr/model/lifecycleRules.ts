import { ApprovalRefusal, approvalsOf, countedApprovals } from './decisions';
import { ApproverStanding } from '../ports';
import { canTake } from './stateMachine';
import { Actor, Decision, DsrRequest, ItemOutcome, RestrictionLift, SERVICE_NAMES, ServiceName } from './types';

/**
 * Who may act on a request after it closed, and what their click records: restoring a
 * soft-deleted Entra account, purging it at once, lifting a restriction. Codes, not words: the
 * bot words them.
 */

/** The actions on a closed request that need two people: a purge cannot be undone, a lift undoes a restriction. */
export type FollowUpAction = 'purgeNow' | 'liftRestriction';

export type LifecycleRefusal =
  | 'notApprover'
  | 'aboutThemselves'
  | 'filedByThem'
  /** Not an erasure whose Entra account waits out its grace period (restored, purged, or never soft-deleted). */
  | 'notSoftDeleted'
  /** Not a completed restriction (not a restriction, not completed, or lifted already). */
  | 'notRestricted'
  | 'alreadyApproved'
  /** The lift is approved and running, with no failed step to retry. */
  | 'liftUnderway'
  | ApprovalRefusal;

/** Purge now and lift never rest on one person, whatever DSR_ERASE_APPROVALS says. */
const MIN_FOLLOW_UP_APPROVALS = 2;

export interface LifecycleInput {
  actor: Actor;
  /** Decided on the server from the approvers group, never from card data. */
  actorIsApprover: boolean;
  at: Date;
  /** Distinct approvals an erasure needs (DSR_ERASE_APPROVALS): a follow-up needs as many, and at least two. */
  erasureApprovals: number;
  /** Standings of the actor and every earlier approver of the action, read for this click. */
  approvers?: ReadonlyMap<string, ApproverStanding>;
}

export type FollowUpOutcome =
  | { result: 'refused'; code: LifecycleRefusal }
  | { result: 'recorded'; request: DsrRequest; approvalsStillNeeded: number; voided: Actor[] };

export function followUpApprovalsNeeded(erasureApprovals: number): number {
  return Math.max(MIN_FOLLOW_UP_APPROVALS, erasureApprovals);
}

/** Whether `request` is an erasure whose Entra account can still be restored or purged now. */
export function isSoftDeleted(request: DsrRequest): boolean {
  return request.kind === 'erase' && request.state === 'soft_deleted';
}

/** Whether `request` is a completed restriction that can be lifted. */
export function isLiftable(request: DsrRequest): boolean {
  return request.kind === 'restrict' && canTake(request.state, 'restrictionLifted');
}

/**
 * A lift approved by everyone it needs whose job has not recorded a single service yet: a crash
 * between the last approval and the queue loses that job, so the stalled-request sweep puts it back.
 */
export function liftAwaitingJob(request: DsrRequest): boolean {
  return isLiftable(request) && Boolean(request.lift?.approvedAt) && Object.keys(request.lift!.steps).length === 0;
}

/** Why `actor` may not restore the account of `request`, or undefined when they may. One approver suffices: a restore loses nothing. */
export function restoreRefusal(request: DsrRequest, input: Pick<LifecycleInput, 'actor' | 'actorIsApprover'>): LifecycleRefusal | undefined {
  if (!input.actorIsApprover) return 'notApprover';
  if (input.actor.aadObjectId === request.subject.aadObjectId) return 'aboutThemselves';
  return isSoftDeleted(request) ? undefined : 'notSoftDeleted';
}

/** The approvals recorded so far for `action`. */
export function followUpApprovals(request: DsrRequest, action: FollowUpAction): readonly Decision[] {
  return (action === 'purgeNow' ? request.purgeNow : request.lift?.approvals) ?? [];
}

/** The approvers whose standing a `action` approval by `actorId` needs read: the actor and each earlier approver. */
export function followUpApproversToCheck(request: DsrRequest, action: FollowUpAction, actorId: string): string[] {
  return [...new Set([actorId, ...followUpApprovals(request, action).map((d) => d.by.aadObjectId)])];
}

/**
 * Records an approver's approval of purging at once or lifting a restriction, under the rules of
 * an erasure's approval (src/dsr/model/decisions.ts): an approver, neither the subject nor the requester,
 * one approval per person. The last approval needed sets `lift.approvedAt` (or completes
 * `purgeNow`): the caller then starts the job.
 */
export function approveFollowUp(request: DsrRequest, action: FollowUpAction, input: LifecycleInput): FollowUpOutcome {
  const { actor } = input;
  if (!input.actorIsApprover) return { result: 'refused', code: 'notApprover' };
  if (actor.aadObjectId === request.subject.aadObjectId) return { result: 'refused', code: 'aboutThemselves' };
  if (actor.aadObjectId === request.requester.aadObjectId) return { result: 'refused', code: 'filedByThem' };
  if (action === 'purgeNow' && !isSoftDeleted(request)) return { result: 'refused', code: 'notSoftDeleted' };
  if (action === 'liftRestriction' && !isLiftable(request)) return { result: 'refused', code: 'notRestricted' };
  const needed = followUpApprovalsNeeded(input.erasureApprovals);
  const before = followUpApprovals(request, action);
  if (approvalsOf(request, before) >= needed) return { result: 'refused', code: action === 'liftRestriction' ? 'liftUnderway' : 'alreadyApproved' };
  if (before.some((d) => d.by.aadObjectId === actor.aadObjectId)) return { result: 'refused', code: 'alreadyApproved' };
  const counted = countedApprovals(before, actor, input.approvers);
  if ('refused' in counted) return { result: 'refused', code: counted.refused };

  const approvals = [...counted.earlier, { by: actor, decision: 'approve' as const, at: input.at.toISOString() }];
  const stillNeeded = Math.max(needed - approvalsOf(request, approvals), 0);
  const recorded: DsrRequest = action === 'purgeNow'
    ? { ...request, purgeNow: approvals }
    : { ...request, lift: { steps: {}, ...request.lift, approvals, ...(stillNeeded === 0 ? { approvedAt: input.at.toISOString() } : {}) } };
  return { result: 'recorded', request: recorded, approvalsStillNeeded: stillNeeded, voided: counted.voided };
}

/** What `service`'s restrict step changed or removed: what lifting it puts back. */
export function restrictedItems(request: DsrRequest, service: ServiceName): ItemOutcome[] {
  return (request.steps[service]?.items ?? []).filter((item) => item.result === 'changed' || item.result === 'removed');
}

/**
 * The services a lift still has to run: each whose restriction changed something and whose lift
 * step has not ended (done, or skipped where the service cannot put anything back).
 */
export function servicesToLift(request: DsrRequest): ServiceName[] {
  return SERVICE_NAMES.filter((service) => request.services.includes(service)
    && restrictedItems(request, service).length > 0
    && (request.lift?.steps[service]?.status ?? 'failed') === 'failed');
}

/** An approved lift that ended with failed steps: an approver can run it again; what was put back stands. */
export function liftRetryable(lift: RestrictionLift | undefined): boolean {
  return Boolean(lift?.approvedAt) && Object.values(lift!.steps).some((step) => step?.status === 'failed');
}
