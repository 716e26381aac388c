import { calendarDaysLeft, DsrRequest, manualStepsOf, planOf, subjectPseudonym, urgencyOf } from '../dsr';
import type { AuditEntry, ChainBreak } from '../storage/tableAuditLog';
import type { TabRole } from './tabAccess';

/** Who an audit entry says acted, never by id: an approver, the subject, or the bot itself. */
function actorOf(entry: AuditEntry, request: DsrRequest): 'approver' | 'subject' | 'system' {
  const named = entry.detail.by ?? entry.detail.approver;
  if (named === undefined) return 'system';
  if (named === 'the subject' || named === request.subject.aadObjectId) return 'subject';
  return 'approver';
}

/**
 * A request's page for the dashboard: its dates and urgency, the audit chain's events with
 * whether the chain verifies, extensions and manual steps; the plan and the steps per service for
 * approvers only, and the subject's name for approvers only. No object ids, e-mails or values.
 */
export function requestPage(request: DsrRequest, chain: { entries: readonly AuditEntry[]; chainBreak: ChainBreak | undefined }, options: { role: TabRole; pseudonymKey: string; now: Date; timeZone: string }) {
  const daysLeft = calendarDaysLeft(request.dueAt, options.now, options.timeZone);
  const approver = options.role === 'approver';
  const plan = planOf(request.discovery);
  return {
    id: request.id,
    kind: request.kind,
    regime: request.regime,
    state: request.state,
    receivedAt: request.receivedAt,
    dueAt: request.dueAt,
    daysLeft,
    urgency: urgencyOf(daysLeft),
    subject: { pseudonym: subjectPseudonym(request, options.pseudonymKey), ...(approver && !request.pseudonymisedAt ? { displayName: request.subject.displayName } : {}) },
    timeline: chain.entries.map((e) => ({ at: e.at, event: e.event, by: actorOf(e, request) })),
    chainVerified: chain.chainBreak === undefined,
    extensions: (request.extensions ?? []).map((e) => ({ at: e.at, newDueAt: e.newDueAt, reason: e.reason })),
    manualSteps: manualStepsOf(request).map((step) => ({ service: step.service, task: step.task?.code ?? step.key, done: step.record !== undefined })),
    ...(approver
      ? {
          steps: Object.entries(request.steps).map(([service, step]) => ({ service, status: step!.status, items: step!.count })),
          plan: Object.entries(plan).map(([service, items]) => ({ service, items: items!.length })),
        }
      : {}),
  };
}
