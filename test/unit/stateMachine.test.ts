import { canTake, isOpen, nextState, REQUEST_STATES, RequestEvent, RequestState, TransitionRefused } from '../../src/dsr';

const EVENTS = [
  'startDiscovery',
  'discoveryFinished',
  'askForInfo',
  'infoProvided',
  'approve',
  'reject',
  'cancel',
  'startExecution',
  'executionSucceeded',
  'executionPartlyFailed',
  'manualStepsPending',
  'accountSoftDeleted',
  'accountPurged',
  'retryFailedSteps',
  'deltaFound',
  'deltaDecided',
  'accountRestored',
  'restrictionLifted',
  'serviceExportPending',
] as const satisfies readonly RequestEvent[];

/** Compiles only while EVENTS lists every RequestEvent. */
const everyEventListed: [Exclude<RequestEvent, (typeof EVENTS)[number]>] extends [never] ? true : false = true;

/** What DESIGN.md allows, written out by hand: any pair not listed here must be refused. */
const EXPECTED: Record<RequestState, Partial<Record<RequestEvent, RequestState>>> = {
  submitted: { startDiscovery: 'discovering', cancel: 'cancelled' },
  discovering: { discoveryFinished: 'awaiting_approval', cancel: 'cancelled' },
  awaiting_approval: { approve: 'approved', reject: 'rejected', askForInfo: 'needs_info', cancel: 'cancelled' },
  needs_info: { infoProvided: 'awaiting_approval', reject: 'rejected', cancel: 'cancelled' },
  approved: { startExecution: 'executing', executionPartlyFailed: 'failed_partially' },
  executing: {
    executionSucceeded: 'completed',
    executionPartlyFailed: 'failed_partially',
    manualStepsPending: 'awaiting_manual_steps',
    accountSoftDeleted: 'soft_deleted',
    deltaFound: 'awaiting_delta_approval',
    serviceExportPending: 'awaiting_service_export',
  },
  awaiting_service_export: { executionSucceeded: 'completed' },
  awaiting_delta_approval: { deltaDecided: 'approved' },
  awaiting_manual_steps: { executionSucceeded: 'completed', accountSoftDeleted: 'soft_deleted' },
  failed_partially: { retryFailedSteps: 'executing' },
  soft_deleted: { accountPurged: 'purged', accountRestored: 'account_restored' },
  completed: { restrictionLifted: 'restriction_lifted' },
  purged: {},
  account_restored: {},
  restriction_lifted: {},
  rejected: {},
  cancelled: {},
};

const EXPECTED_OPEN: Record<RequestState, boolean> = {
  submitted: true,
  discovering: true,
  awaiting_approval: true,
  needs_info: true,
  approved: true,
  executing: true,
  failed_partially: true,
  awaiting_manual_steps: true,
  awaiting_delta_approval: true,
  awaiting_service_export: true,
  completed: false,
  soft_deleted: false,
  purged: false,
  account_restored: false,
  restriction_lifted: false,
  rejected: false,
  cancelled: false,
};

const allowed = REQUEST_STATES.flatMap((from) => EVENTS.filter((e) => EXPECTED[from][e] !== undefined).map((e) => [from, e, EXPECTED[from][e] as RequestState] as const));
const refused = REQUEST_STATES.flatMap((from) => EVENTS.filter((e) => EXPECTED[from][e] === undefined).map((e) => [from, e] as const));

describe('the request state machine', () => {
  it('is checked against a table that lists every state and every event', () => {
    expect(everyEventListed).toBe(true);
    expect([...REQUEST_STATES].sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(allowed.length + refused.length).toBe(REQUEST_STATES.length * EVENTS.length);
    expect(allowed).toHaveLength(27);
  });

  it.each(allowed)('moves from %s on %s to %s', (from, event, to) => {
    expect(nextState(from, event)).toBe(to);
    expect(canTake(from, event)).toBe(true);
  });

  it.each(refused)('refuses %s taking %s', (from, event) => {
    expect(canTake(from, event)).toBe(false);
    let thrown: unknown;
    try {
      nextState(from, event);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TransitionRefused);
    expect(thrown).toMatchObject({ name: 'TransitionRefused', from, event });
    expect((thrown as Error).message).toContain(`'${event}'`);
  });

  it('names the state in words when it refuses', () => {
    expect(() => nextState('failed_partially', 'approve')).toThrow("A request that is failed partially cannot take 'approve'.");
  });

  it.each(REQUEST_STATES.map((s) => [s, EXPECTED_OPEN[s]] as const))('treats a %s request as open: %s', (state, open) => {
    expect(isOpen(state)).toBe(open);
  });

  it('lets nothing leave a closed state except the purge or restore of a soft-deleted account and the lift of a restriction, each to a closed state', () => {
    const exits = REQUEST_STATES.filter((s) => !isOpen(s)).flatMap((s) => EVENTS.filter((e) => canTake(s, e)).map((e) => `${s}:${e}`));
    expect(exits.sort()).toEqual(['completed:restrictionLifted', 'soft_deleted:accountPurged', 'soft_deleted:accountRestored']);
    expect(['purged', 'account_restored', 'restriction_lifted'].every((s) => !isOpen(s as RequestState))).toBe(true);
  });
});
