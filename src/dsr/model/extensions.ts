import { addCalendarMonths, addDays, displayDay, dueDate, isoDay } from './deadlines';
import { MAX_REASON_LENGTH } from './decisions';
import { isOpen } from './stateMachine';
import { Actor, DsrRequest, Extension } from './types';

/**
 * Deadline extensions, by regime:
 * - GDPR Art. 12(3): by up to two further months in all, so never beyond three months from
 *   receipt; one extension may take 1 or 2 months, and a second one may add what is left.
 * - CCPA (11 CCR §7021(b)): once, by 45 calendar days.
 * Both laws want the requester told, with the reasons, within the first period (GDPR: one month
 * of receipt; CCPA: the first 45 days), so an extension is refused once the original due date has
 * passed. New due dates are counted from receipt, so the end-of-month rule holds (received
 * 31 Jan: due 28 Feb, extended by one month 31 Mar, not 28 Mar).
 */

export const GDPR_MAX_EXTENSION_MONTHS = 2;
export const CCPA_EXTENSION_DAYS = 45;

export interface ExtensionInput {
  actor: Actor;
  /** Decided on the server from the approvers group, never from card data. */
  actorIsApprover: boolean;
  reason?: string;
  /** GDPR only: 1 or 2; absent means 1. Ignored for CCPA. */
  months?: number;
  at: Date;
}

export type ExtensionOutcome = { result: 'refused'; message: string } | { result: 'extended'; request: DsrRequest; extension: Extension };

/** What an extension may still add: months to choose from (GDPR), a fixed number of days (CCPA), or nothing. */
export type ExtensionChoice = { unit: 'months'; choices: number[] } | { unit: 'days'; days: number } | undefined;

/** The due date the regime gives from receipt, before any extension. */
export function originalDueAt(request: Pick<DsrRequest, 'receivedAt' | 'regime'>): string {
  return isoDay(dueDate(new Date(request.receivedAt), request.regime));
}

/** The months a GDPR request has been extended by so far. */
export function monthsExtended(request: DsrRequest): number {
  return (request.extensions ?? []).reduce((sum, e) => sum + (e.months ?? 0), 0);
}

/** The latest due date GDPR allows: three months from receipt. */
export function latestGdprDueAt(request: Pick<DsrRequest, 'receivedAt'>): string {
  return isoDay(addCalendarMonths(new Date(request.receivedAt), 1 + GDPR_MAX_EXTENSION_MONTHS));
}

/** What the approvers' card may offer for `request`, leaving the time limit to the server's check. */
export function extensionChoice(request: DsrRequest): ExtensionChoice {
  if (!isOpen(request.state)) return undefined;
  if (request.regime === 'CCPA') return (request.extensions ?? []).length === 0 ? { unit: 'days', days: CCPA_EXTENSION_DAYS } : undefined;
  const left = GDPR_MAX_EXTENSION_MONTHS - monthsExtended(request);
  return left > 0 ? { unit: 'months', choices: Array.from({ length: left }, (_, i) => i + 1) } : undefined;
}

const months = (n: number) => `${n} month${n === 1 ? '' : 's'}`;

/** Applies the extension rules to `request`: who may extend, by how much, until when. */
export function extend(request: DsrRequest, input: ExtensionInput): ExtensionOutcome {
  const { actor } = input;
  const refused = (message: string): ExtensionOutcome => ({ result: 'refused', message });
  if (!input.actorIsApprover) return refused('Only privacy admins (members of the DSR approvers group) can extend a deadline.');
  if (actor.aadObjectId === request.subject.aadObjectId) return refused('You cannot extend a request about yourself: another privacy admin has to.');
  if (actor.aadObjectId === request.requester.aadObjectId) return refused('You filed this request, so another privacy admin has to extend it.');
  if (!isOpen(request.state)) return refused(`${request.id} is already ${request.state.replace(/_/g, ' ')}: there is no deadline to extend.`);
  const reason = input.reason?.trim();
  if (!reason) return refused('An extension needs a reason: the requester is told it.');
  if (reason.length > MAX_REASON_LENGTH) return refused(`Please keep the reason under ${MAX_REASON_LENGTH} characters.`);

  const original = originalDueAt(request);
  const received = new Date(request.receivedAt);
  let newDueAt: string;
  let length: { months: number } | { days: number };
  if (request.regime === 'CCPA') {
    if ((request.extensions ?? []).length > 0) {
      return refused(`CCPA allows one extension of ${CCPA_EXTENSION_DAYS} days, and ${request.id} was already extended to ${displayDay(request.dueAt)}.`);
    }
    newDueAt = isoDay(addDays(new Date(`${original}T00:00:00Z`), CCPA_EXTENSION_DAYS));
    length = { days: CCPA_EXTENSION_DAYS };
  } else {
    const asked = input.months ?? 1;
    if (!Number.isInteger(asked) || asked < 1 || asked > GDPR_MAX_EXTENSION_MONTHS) return refused('A GDPR deadline can be extended by 1 or 2 months.');
    const total = monthsExtended(request) + asked;
    if (total > GDPR_MAX_EXTENSION_MONTHS) {
      const left = GDPR_MAX_EXTENSION_MONTHS - monthsExtended(request);
      return refused(
        `GDPR allows at most two further months, so ${request.id} cannot be due later than ${displayDay(latestGdprDueAt(request))}, three months from receipt. ` +
          (left > 0 ? `It can be extended by ${months(left)} more.` : 'It has been extended by two months already.'),
      );
    }
    newDueAt = isoDay(addCalendarMonths(received, 1 + total));
    length = { months: asked };
  }
  if (isoDay(input.at) > original) {
    const firstPeriod = request.regime === 'GDPR' ? 'within one month of receipt' : `within the first ${CCPA_EXTENSION_DAYS} days`;
    return refused(`The requester has to be told of an extension ${firstPeriod}, which ended on ${displayDay(original)}: ${request.id} can no longer be extended.`);
  }

  const extension: Extension = { by: actor, at: input.at.toISOString(), reason, previousDueAt: request.dueAt, newDueAt, ...length };
  return { result: 'extended', request: { ...request, dueAt: newDueAt, extensions: [...(request.extensions ?? []), extension] }, extension };
}
