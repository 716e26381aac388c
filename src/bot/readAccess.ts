import { Card } from '../cards/render';
import { approvalCard } from '../cards/approverCards';
import { statusCard } from '../cards/personCards';
import { Actor, DsrRequest, mayRead, ReadOutcome, StoredRequest, Viewer } from '../dsr';
import { Words } from '../i18n';
import { BotDeps } from './botDeps';

/**
 * The answer to anyone who may not see a request: word for word the same whether the request
 * exists or not, so request ids (which are sequential) cannot be probed.
 */
export const nothingToShow = (words: Words, requestId: string) => words.t('chat.read.nothingToShow', { requestId });

/** The person behind a turn, with their group memberships as Entra answers them now. */
export async function viewerOf(actor: Actor | undefined, deps: BotDeps): Promise<Viewer> {
  if (!actor) return { isApprover: false, isComplianceOfficer: false };
  const [isApprover, isComplianceOfficer] = await Promise.all([deps.directory.isApprover(actor.aadObjectId), deps.isComplianceOfficer(actor.aadObjectId)]);
  return { aadObjectId: actor.aadObjectId, isApprover, isComplianceOfficer };
}

/** A request someone may see, with the version it was read at. */
export type Readable = StoredRequest & { access: Extract<ReadOutcome, { allowed: true }> };

/**
 * Request `requestId` if `viewer` may see it (src/dsr/model/readAccess.ts decides), else undefined.
 * Given the viewer still being looked up in Entra, the request is read meanwhile.
 */
export async function readRequest(deps: BotDeps, viewer: Viewer | Promise<Viewer>, requestId: string): Promise<Readable | undefined> {
  const [stored, who] = await Promise.all([deps.store.get(requestId), viewer]);
  const access = mayRead(stored?.request, who);
  return stored && access.allowed ? { ...stored, access } : undefined;
}

/** The requests of `requests` that `viewer` may see. */
export function readableOf(requests: DsrRequest[], viewer: Viewer): DsrRequest[] {
  return requests.filter((request) => mayRead(request, viewer).allowed);
}

/**
 * A request's card for the one who reads it: approvers get the approval card with its buttons,
 * compliance officers the same card without a button that acts, the subject and the requester
 * their status card.
 */
export function cardFor(words: Words, { request, access }: Readable, deps: BotDeps): Card {
  switch (access.role) {
    case 'approver':
      return approvalCard(words, request, { erasureApprovals: deps.erasureApprovals });
    case 'complianceOfficer':
      return approvalCard(words, request, { erasureApprovals: deps.erasureApprovals, readOnly: true });
    case 'subject':
    case 'requester':
      return statusCard(words, request);
  }
}
