import { hasUnresolvedDelta } from './plan';
import { canTake, isOpen } from './stateMachine';
import { Actor, DsrRequest, ManualStepOutcome, ManualStepRecord, ManualStepSpec, RequestState, ServiceName } from './types';

/** A manual step as the cards show it: what to do, in which service, and whether it is confirmed. */
export interface ManualStep extends ManualStepSpec {
  service: ServiceName;
  record?: ManualStepRecord;
}

/** States in which an approver may confirm a step: once approved, until the request is closed. */
const CONFIRMABLE: ReadonlySet<RequestState> = new Set<RequestState>(['approved', 'executing', 'failed_partially', 'awaiting_manual_steps']);

/** The manual steps discovery listed, in the order of the request's services, each key once. */
export function manualStepsOf(request: DsrRequest): ManualStep[] {
  const steps = new Map<string, ManualStep>();
  for (const service of request.services) {
    for (const spec of request.discovery[service]?.manualSteps ?? []) {
      if (!steps.has(spec.key)) steps.set(spec.key, { ...spec, service, record: request.manualSteps?.[spec.key] });
    }
  }
  return [...steps.values()];
}

export function pendingManualSteps(request: DsrRequest): ManualStep[] {
  return manualStepsOf(request).filter((step) => !step.record);
}

export function canConfirmManualSteps(request: DsrRequest): boolean {
  return CONFIRMABLE.has(request.state) && pendingManualSteps(request).length > 0;
}

/** Why a confirmation was refused; `by` names the approver who confirmed first (approvers see each other's names). */
export type ManualStepRefusal =
  | { code: 'notApprover' }
  /** About the actor, or filed by them. */
  | { code: 'ownRequest' }
  | { code: 'unknownStep'; requestId: string }
  | { code: 'alreadyConfirmed'; requestId: string; by: string }
  | { code: 'notYetApproved' | 'nothingLeft'; requestId: string; state: RequestState };

export interface ManualStepInput {
  key: string;
  outcome: ManualStepOutcome;
  actor: Actor;
  /** Decided on the server from the approvers group, never from card data. */
  actorIsApprover: boolean;
  at: Date;
}

/** Records an approver's confirmation of one manual step, under the same rules as a decision. */
export function confirmManualStep(request: DsrRequest, input: ManualStepInput): ({ result: 'refused' } & ManualStepRefusal) | { result: 'recorded'; request: DsrRequest } {
  const { actor } = input;
  if (!input.actorIsApprover) return { result: 'refused', code: 'notApprover' };
  if (actor.aadObjectId === request.subject.aadObjectId || actor.aadObjectId === request.requester.aadObjectId) {
    return { result: 'refused', code: 'ownRequest' };
  }
  const step = manualStepsOf(request).find((s) => s.key === input.key);
  if (!step) return { result: 'refused', code: 'unknownStep', requestId: request.id };
  if (step.record) return { result: 'refused', code: 'alreadyConfirmed', requestId: request.id, by: step.record.by.displayName };
  if (!CONFIRMABLE.has(request.state)) {
    return { result: 'refused', code: isOpen(request.state) ? 'notYetApproved' : 'nothingLeft', requestId: request.id, state: request.state };
  }
  const record: ManualStepRecord = { outcome: input.outcome, by: actor, at: input.at.toISOString() };
  return { result: 'recorded', request: { ...request, manualSteps: { ...request.manualSteps, [input.key]: record } } };
}

/**
 * How a request whose automated steps have all run ends: failed steps first (approvers retry
 * them), then items found beyond the approved plan (approvers decide them), then manual steps
 * still to confirm, then a soft-deleted account's grace period, then a service's own export.
 * `undefined` while that is not possible from its state.
 */
export function closingEvent(request: DsrRequest): 'executionPartlyFailed' | 'deltaFound' | 'manualStepsPending' | 'accountSoftDeleted' | 'serviceExportPending' | 'executionSucceeded' | undefined {
  const steps = Object.values(request.steps);
  const event = steps.some((s) => s?.status === 'failed')
    ? 'executionPartlyFailed'
    : hasUnresolvedDelta(request)
      ? 'deltaFound'
      : pendingManualSteps(request).length > 0
      ? 'manualStepsPending'
      : steps.some((s) => s?.awaitsPurge)
        ? 'accountSoftDeleted'
        // The first package is out; a service's own export still has to arrive.
        : request.serviceExport && !request.serviceExport.delivery
          ? 'serviceExportPending'
          : 'executionSucceeded';
  return canTake(request.state, event) ? event : undefined;
}
