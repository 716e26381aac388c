import type { LifecycleOutcome } from '../dsr';

/** The words for what restore, purge now and lift answer the approver who clicked (a later issue moves them to the catalog). */
const REFUSALS: Record<Extract<LifecycleOutcome, { result: 'refused' }>['code'], string> = {
  notApprover: 'Only privacy admins (members of the DSR approvers group) can do this.',
  aboutThemselves: 'You cannot act on a request about yourself: another privacy admin has to.',
  filedByThem: 'You filed this request, so other privacy admins have to approve this.',
  notSoftDeleted: 'This request has no soft-deleted account waiting for its purge: it was restored or purged already.',
  notRestricted: 'Only a completed restriction can be lifted, and only once.',
  alreadyApproved: 'You have already approved this: it needs another privacy admin.',
  liftUnderway: 'Lifting this restriction is approved and under way.',
  approverWithoutPersonKey: 'Your account has no person key in the directory, so it cannot give one of two approvals: use your own named account, or ask the directory admins to set it.',
  samePersonApproved: 'Another of your accounts has already approved this: it needs another privacy admin.',
  unknownRequest: 'There is no such request.',
  notInDeletedItems: 'Entra no longer holds the account in its deleted items: it has been purged and cannot be restored.',
  restoreFailed: 'Entra did not restore the account; nothing was changed. Please try again in a minute.',
  busy: 'Other privacy admins are approving this right now: look at the card again in a moment.',
};

/** What the approver who clicked is told. */
export function lifecycleMessage(outcome: LifecycleOutcome): string {
  if (outcome.result === 'refused') return REFUSALS[outcome.code];
  const id = outcome.request.id;
  switch (outcome.code) {
    case 'restored':
      return `Restored. The Entra account of ${id} is back and will not be purged; what the other services erased stays erased. The requester has been told.`;
    case 'approvalRecorded':
      return `Approval recorded. It needs ${outcome.approvalsStillNeeded} more privacy admin${outcome.approvalsStillNeeded === 1 ? '' : 's'} to approve.`;
    case 'purgeStarted':
      return `Approved. The account of ${id} is being purged for good now.`;
    case 'liftStarted':
      return `Approved. The restriction of ${id} is being lifted.`;
    case 'liftRetried':
      return `Retrying the services whose lift failed for ${id}; what was put back stands.`;
  }
}
