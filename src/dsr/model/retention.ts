import { createHash } from 'node:crypto';
import { addCalendarMonths } from './deadlines';
import { DsrRequest, RequestState } from './types';

/**
 * Retention: a closed request keeps the subject's personal fields for DSR_RETENTION_MONTHS after
 * it closed, then they are replaced in place by the subject's pseudonym. What the register needs
 * (dates, kind, channel, response, denial basis, approvers, outcomes) stays.
 *
 * The audit chain is not rewritten, and need not be: its details carry request ids, counts,
 * dates and staff object ids only, never the subject's name, e-mail or object id, so it verifies
 * unchanged afterwards. The 'pseudonymised' entry records the SHA-256 of the record as kept, so a
 * later change to the pseudonymised record shows too (`npm run audit:verify`).
 */

/**
 * States whose record is final. A soft-deleted erasure is closed too, but its purge still needs
 * the account's object id: it is pseudonymised once purged.
 */
const FINAL_STATES: ReadonlySet<RequestState> = new Set<RequestState>(['completed', 'purged', 'account_restored', 'restriction_lifted', 'rejected', 'cancelled']);

/** When the personal fields of a request closed at `closedAt` are due to go: the start of that day, `months` later. */
export function retentionEndsAt(closedAt: string, months: number): Date {
  return addCalendarMonths(new Date(closedAt), months);
}

/** Whether retention is over for `request` at `now`. */
export function dueForPseudonymisation(request: DsrRequest, now: Date, months: number): boolean {
  return !request.pseudonymisedAt && FINAL_STATES.has(request.state) && Boolean(request.closedAt) && retentionEndsAt(request.closedAt!, months) <= now;
}

/** The SHA-256 of a record as stored (its JSON), which the 'pseudonymised' audit entry keeps. */
export function keptRecordHash(request: DsrRequest): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}
