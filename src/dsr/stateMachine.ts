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
  | 'retryFailedSteps';

/**
 * The one transition table. A pair that is not here is refused.
 * `accountSoftDeleted` ends an erasure whose Entra account waits out its grace period.
 * `manualStepsPending`: the automated steps are done, a person still has work to confirm.
 */
const TRANSITIONS: Readonly<Record<RequestState, Partial<Record<RequestEvent, RequestState>>>> = {
  submitted: { startDiscovery: 'discovering', cancel: 'cancelled' },
  discovering: { discoveryFinished: 'awaiting_approval', cancel: 'cancelled' },
  awaiting_approval: { approve: 'approved', reject: 'rejected', askForInfo: 'needs_info', cancel: 'cancelled' },
  needs_info: { infoProvided: 'awaiting_approval', reject: 'rejected', cancel: 'cancelled' },
  approved: { startExecution: 'executing' },
  executing: {
    executionSucceeded: 'completed',
    executionPartlyFailed: 'failed_partially',
    manualStepsPending: 'awaiting_manual_steps',
    accountSoftDeleted: 'soft_deleted',
  },
  awaiting_manual_steps: { executionSucceeded: 'completed', accountSoftDeleted: 'soft_deleted' },
  failed_partially: { retryFailedSteps: 'executing' },
  soft_deleted: { accountPurged: 'purged' },
  completed: {},
  purged: {},
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

const OPEN_STATES: ReadonlySet<RequestState> = new Set<RequestState>([
  'submitted',
  'discovering',
  'awaiting_approval',
  'needs_info',
  'approved',
  'executing',
  'failed_partially',
  'awaiting_manual_steps',
]);

/**
 * Whether the request still needs someone to act. An erasure waiting out the Entra grace period
 * is answered: only the scheduled purge remains.
 */
export function isOpen(state: RequestState): boolean {
  return OPEN_STATES.has(state);
}
