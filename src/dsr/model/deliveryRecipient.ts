import { DeliveryRecipient, DsrRequest } from './types';

/**
 * Whose chat the export link or receipt goes to: the subject's own whenever the bot can reach
 * them there, the filing privacy admin's only when it cannot (a person without Teams access, or
 * whose account this erasure removed). A subject who filed for themselves is both.
 */
export function deliveryRecipient(request: DsrRequest, subjectHasChat: boolean): DeliveryRecipient {
  if (request.requester.aadObjectId === request.subject.aadObjectId) return 'subject';
  const accountErased = request.kind === 'erase' && request.steps.entra?.status === 'done';
  return subjectHasChat && !accountErased ? 'subject' : 'requester';
}
