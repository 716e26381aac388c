import { RequestState } from './types';

/** Everything that can happen to a request. */
export type RequestEvent =
  | 'startDiscovery'
  | 'discoveryFinished'
  | 'askForInfo'
  | 'infoProvided'
  | 'approve'
  | 'reject'
  | 'cancel'
  | 'startExecution'
  | 'executionSucceeded'
  | 'executionPartlyFailed'
  | 'manualStepsPending'
  | 'accountSoftDeleted'
  | 'accountPurged'
  | 'retryFailedSteps'
  /** An approver restored the soft-deleted Entra account before the purge. */
  | 'accountRestored'
  /** Every service put back what a completed restriction changed. */
  | 'restrictionLifted'
  /** Execution found items beyond the approved plan: they wait for their own approval. */
  | 'deltaFound'
  /** Approved, the delta's items run with the plan; rejected, the run only closes the request. */
  | 'deltaDecided'
  /** The first package is delivered; a service's own export runs on and is polled. */
  | 'serviceExportPending';

/**
 * The one transition table. A pair that is not here is refused.
 * `accountSoftDeleted` ends an erasure whose Entra account waits out its grace period.
 * `manualStepsPending`: the automated steps are done, a person still has work to confirm.
 * `deltaFound`: execution left alone what matched beyond the approved plan, for approvers to decide.
 */
const TRANSITIONS: Readonly<Record<RequestState, Partial<Record<RequestEvent, RequestState>>>> = {
  submitted: { startDiscovery: 'discovering', cancel: 'cancelled' },
  discovering: { discoveryFinished: 'awaiting_approval', cancel: 'cancelled' },
  awaiting_approval: { approve: 'approved', reject: 'rejected', askForInfo: 'needs_info', cancel: 'cancelled' },
  needs_info: { infoProvided: 'awaiting_approval', reject: 'rejected', cancel: 'cancelled' },
  // A job that keeps failing before its run could start still ends where approvers can retry it.
  approved: { startExecution: 'executing', executionPartlyFailed: 'failed_partially' },
  executing: {
    executionSucceeded: 'completed',
    executionPartlyFailed: 'failed_partially',
    manualStepsPending: 'awaiting_manual_steps',
    accountSoftDeleted: 'soft_deleted',
    deltaFound: 'awaiting_delta_approval',
    serviceExportPending: 'awaiting_service_export',
  },
  // Its second package delivered, the request is answered; a failed export waits for a Retry here.
  awaiting_service_export: { executionSucceeded: 'completed' },
  // Either way the run picks up again: it carries out an approved delta, or just closes the request.
  awaiting_delta_approval: { deltaDecided: 'approved' },
  awaiting_manual_steps: { executionSucceeded: 'completed', accountSoftDeleted: 'soft_deleted' },
  failed_partially: { retryFailedSteps: 'executing' },
  soft_deleted: { accountPurged: 'purged', accountRestored: 'account_restored' },
  // Only a restriction can be lifted; lifecycleRules.ts checks the kind.
  completed: { restrictionLifted: 'restriction_lifted' },
  purged: {},
  account_restored: {},
  restriction_lifted: {},
  rejected: {},
  cancelled: {},
};

export class TransitionRefused extends Error {
  constructor(
    readonly from: RequestState,
    readonly event: RequestEvent,
  ) {
    super(`A request that is ${from.replace('_', ' ')} cannot take '${event}'.`);
    this.name = 'TransitionRefused';
  }
}

/** The state after `event`, or TransitionRefused. */
export function nextState(from: RequestState, event: RequestEvent): RequestState {
  const to = TRANSITIONS[from][event];
  if (!to) throw new TransitionRefused(from, event);
  return to;
}

export function canTake(from: RequestState, event: RequestEvent): boolean {
  return TRANSITIONS[from][event] !== undefined;
}

/** What can still happen after a request is answered: the purge or restore of a soft-deleted account, lifting a restriction. */
const FOLLOW_UPS: ReadonlySet<RequestEvent> = new Set<RequestEvent>(['accountPurged', 'accountRestored', 'restrictionLifted']);

/**
 * Whether the request still needs someone to act, read from the transition table: a state is
 * open while an event other than a follow-up can move it. An erasure waiting out the Entra grace
 * period is answered: only the scheduled purge (or a restore) remains.
 */
export function isOpen(state: RequestState): boolean {
  return Object.keys(TRANSITIONS[state]).some((event) => !FOLLOW_UPS.has(event as RequestEvent));
}
