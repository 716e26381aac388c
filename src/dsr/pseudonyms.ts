import { createHmac } from 'node:crypto';
import { DsrRequest } from './types';

/** A stable stand-in for a person: the same input and key always give the same pseudonym. */
export function pseudonymFor(aadObjectId: string, key: string): string {
  return `subj-${createHmac('sha256', key).update(aadObjectId).digest('hex').slice(0, 16)}`;
}

/**
 * The closed request with the subject's personal fields replaced by their pseudonym: as subject,
 * as requester where they filed it themselves, and in the cards kept to reach their chat.
 */
export function pseudonymised(request: DsrRequest, key: string): DsrRequest {
  const pseudonym = pseudonymFor(request.subject.aadObjectId, key);
  const { corrections: _corrections, cards: _cards, ...rest } = request;
  const filedBySubject = request.requester.aadObjectId === request.subject.aadObjectId;
  return {
    ...rest,
    cards: {},
    subject: { aadObjectId: pseudonym, upn: pseudonym, email: pseudonym, displayName: pseudonym },
    requester: filedBySubject ? { aadObjectId: pseudonym, displayName: pseudonym } : request.requester,
  };
}
