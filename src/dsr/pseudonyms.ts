import { createHmac } from 'node:crypto';
import { DsrRequest } from './types';

/** A stable stand-in for a person: the same input and key always give the same pseudonym. */
export function pseudonymFor(aadObjectId: string, key: string): string {
  return `subj-${createHmac('sha256', key).update(aadObjectId).digest('hex').slice(0, 16)}`;
}

/** Whether `id` is already a pseudonym (as the subject id of a pseudonymised request is). */
export function isPseudonym(id: string): boolean {
  return /^subj-[0-9a-f]{16}$/.test(id);
}

/** The subject of `request` as a pseudonym, whether or not the request has been pseudonymised yet: the same either way. */
export function subjectPseudonym(request: DsrRequest, key: string): string {
  const id = request.subject.aadObjectId;
  return isPseudonym(id) ? id : pseudonymFor(id, key);
}

/**
 * The closed request with the subject's personal fields replaced by their pseudonym: as subject,
 * as requester where they filed it themselves, and in the cards kept to reach their chat.
 */
export function pseudonymised(request: DsrRequest, key: string): DsrRequest {
  // Idempotent: an erasure pseudonymises the subject's earlier requests, and retention may come to them again.
  const pseudonym = subjectPseudonym(request, key);
  const { corrections: _corrections, cards: _cards, ...rest } = request;
  const filedBySubject = request.requester.aadObjectId === request.subject.aadObjectId;
  return {
    ...rest,
    cards: {},
    subject: { aadObjectId: pseudonym, upn: pseudonym, email: pseudonym, displayName: pseudonym },
    requester: filedBySubject ? { aadObjectId: pseudonym, displayName: pseudonym } : request.requester,
  };
}
