import { addCalendarMonths, addDays, dueDate, isoDay } from './deadlines';
import { MAX_REASON_LENGTH } from './decisions';
import { isOpen } from './stateMachine';
import { Actor, DsrRequest, Extension, Regime, RequestState } from './types';

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

/** Why an extension was refused, with the facts its wording needs (dates as ISO days). */
export type ExtensionRefusal =
  | { code: 'notApprover' }
  | { code: 'aboutThemselves' }
  | { code: 'filedByThem' }
  | { code: 'notOpen'; requestId: string; state: RequestState }
  | { code: 'reasonMissing' }
  | { code: 'reasonTooLong'; maxLength: number }
  | { code: 'ccpaExtendedAlready'; requestId: string; days: number; dueAt: string }
  | { code: 'monthsOutOfRange' }
  /** `monthsLeft`: what a further extension may still add (0 once two months are used). */
  | { code: 'gdprLimitReached'; requestId: string; latestDueAt: string; monthsLeft: number }
  /** The first period (GDPR: one month; CCPA: `days`) ended on `firstPeriodEndedOn`. */
  | { code: 'extensionPeriodOver'; requestId: string; regime: Regime; days: number; firstPeriodEndedOn: string };

export type ExtensionOutcome = ({ result: 'refused' } & ExtensionRefusal) | { result: 'extended'; request: DsrRequest; extension: Extension };

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

/** Applies the extension rules to `request`: who may extend, by how much, until when. */
export function extend(request: DsrRequest, input: ExtensionInput): ExtensionOutcome {
  const { actor } = input;
  const refused = (refusal: ExtensionRefusal): ExtensionOutcome => ({ result: 'refused', ...refusal });
  if (!input.actorIsApprover) return refused({ code: 'notApprover' });
  if (actor.aadObjectId === request.subject.aadObjectId) return refused({ code: 'aboutThemselves' });
  if (actor.aadObjectId === request.requester.aadObjectId) return refused({ code: 'filedByThem' });
  if (!isOpen(request.state)) return refused({ code: 'notOpen', requestId: request.id, state: request.state });
  const reason = input.reason?.trim();
  if (!reason) return refused({ code: 'reasonMissing' });
  if (reason.length > MAX_REASON_LENGTH) return refused({ code: 'reasonTooLong', maxLength: MAX_REASON_LENGTH });

  const original = originalDueAt(request);
  const received = new Date(request.receivedAt);
  let newDueAt: string;
  let length: { months: number } | { days: number };
  if (request.regime === 'CCPA') {
    if ((request.extensions ?? []).length > 0) {
      return refused({ code: 'ccpaExtendedAlready', requestId: request.id, days: CCPA_EXTENSION_DAYS, dueAt: request.dueAt });
    }
    newDueAt = isoDay(addDays(new Date(`${original}T00:00:00Z`), CCPA_EXTENSION_DAYS));
    length = { days: CCPA_EXTENSION_DAYS };
  } else {
    const asked = input.months ?? 1;
    if (!Number.isInteger(asked) || asked < 1 || asked > GDPR_MAX_EXTENSION_MONTHS) return refused({ code: 'monthsOutOfRange' });
    const total = monthsExtended(request) + asked;
    if (total > GDPR_MAX_EXTENSION_MONTHS) {
      const monthsLeft = GDPR_MAX_EXTENSION_MONTHS - monthsExtended(request);
      return refused({ code: 'gdprLimitReached', requestId: request.id, latestDueAt: latestGdprDueAt(request), monthsLeft });
    }
    newDueAt = isoDay(addCalendarMonths(received, 1 + total));
    length = { months: asked };
  }
  if (isoDay(input.at) > original) {
    return refused({ code: 'extensionPeriodOver', requestId: request.id, regime: request.regime, days: CCPA_EXTENSION_DAYS, firstPeriodEndedOn: original });
  }

  const extension: Extension = { by: actor, at: input.at.toISOString(), reason, previousDueAt: request.dueAt, newDueAt, ...length };
  return { result: 'extended', request: { ...request, dueAt: newDueAt, extensions: [...(request.extensions ?? []), extension] }, extension };
}
