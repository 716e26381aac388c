import { createHmac } from 'node:crypto';
import { DsrRequest } from './types';

/** A stable stand-in for a person: the same input and key always give the same pseudonym. */
export function pseudonymFor(aadObjectId: string, key: string): string {
  return `subj-${createHmac('sha256', key).update(aadObjectId).digest('hex').slice(0, 16)}`;
}

/** The request with the subject's personal fields replaced by their pseudonym. */
export function pseudonymised(request: DsrRequest, key: string): DsrRequest {
  const pseudonym = pseudonymFor(request.subject.aadObjectId, key);
  const { corrections: _dropped, ...rest } = request;
  return { ...rest, subject: { aadObjectId: pseudonym, upn: pseudonym, email: pseudonym, displayName: pseudonym } };
}
