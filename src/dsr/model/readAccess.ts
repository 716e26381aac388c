import { DsrRequest } from './types';

/** Who a viewer is to a request, which decides what they are shown of it. */
export type ReaderRole = 'subject' | 'requester' | 'approver' | 'complianceOfficer' | 'none';

/**
 * The person asking to see a request: their Entra object id from the authenticated activity
 * (undefined without one) and their group memberships as Entra answered them, never card data.
 */
export interface Viewer {
  aadObjectId?: string;
  isApprover: boolean;
  isComplianceOfficer: boolean;
}

export type ReadOutcome = { allowed: true; role: Exclude<ReaderRole, 'none'> } | { allowed: false; role: 'none' };

const NONE: ReadOutcome = { allowed: false, role: 'none' };

/**
 * Whether `viewer` may see `request`, and as whom: the one decision behind every read (a refreshed
 * card, `details`, `status`, the card an action answers with, the lists). A request that does not
 * exist is refused exactly like one the viewer may not see, so ids cannot be probed.
 *
 * The subject comes first: a privacy admin looking at a request about themselves gets the
 * subject's view, never the approvers' one. An approver outranks a compliance officer (who only
 * reads), and both outrank the requester, so a privacy admin who filed on someone's behalf keeps
 * the approvers' view (the decision rules then refuse them deciding it).
 */
export function mayRead(request: DsrRequest | undefined, viewer: Viewer): ReadOutcome {
  const id = viewer.aadObjectId?.toLowerCase();
  if (!request || !id) return NONE;
  if (request.subject.aadObjectId.toLowerCase() === id) return { allowed: true, role: 'subject' };
  if (viewer.isApprover) return { allowed: true, role: 'approver' };
  if (viewer.isComplianceOfficer) return { allowed: true, role: 'complianceOfficer' };
  if (request.requester.aadObjectId.toLowerCase() === id) return { allowed: true, role: 'requester' };
  return NONE;
}
