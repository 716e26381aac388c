import { daysBetween, DsrRequest, RECENT_DAYS, RegisterSummary, ReminderStage, RequestKind, Tally } from '../dsr';
import { MessageKey, Words } from '../i18n';
import { ComplianceView, complianceLayout, ReportView, reportLayout } from './complianceLayouts';
import { Card } from './render';
import { dueText, kindName, labels, stateName } from './requestFacts';

/** What goes to the approvers' and compliance channels: ids, kinds, laws, dates and counts only. */

/**
 * A reminder for the approvals channel, or an escalation for the compliance channel: request id,
 * kind, law, state and dates only.
 */
export function reminderText(words: Words, request: DsrRequest, stage: ReminderStage, now: Date): string {
  const left = daysBetween(now, new Date(`${request.dueAt}T00:00:00Z`));
  const values = { id: request.id, kind: kindName(words, request.kind), regime: request.regime, due: dueText(words, request), state: stateName(words, request) };
  if (stage === 'overdue' || left < 0) return words.t('notices.reminder.overdue', { ...values, days: -left });
  if (left === 0) return words.t('notices.reminder.dueToday', values);
  return left === 1 ? words.t('notices.reminder.dueTomorrow', values) : words.t('notices.reminder.dueIn', { ...values, days: left });
}

export type ComplianceEvent = 'opened' | 'approved' | 'rejected' | 'cancelled' | 'completed' | 'failed' | 'purged' | 'extended' | 'restored' | 'restrictionLifted' | 'liftFailed';

/** The compliance channel's post: request id, kind, regime, dates and counts only. */
export function complianceCard(words: Words, request: DsrRequest, event: ComplianceEvent, now: Date): Card {
  return complianceLayout(complianceView(words, request, event, now));
}

export function complianceView(words: Words, request: DsrRequest, event: ComplianceEvent, now: Date): ComplianceView {
  const headline = words.t(`cards.compliance.${event}` satisfies MessageKey, {
    id: request.id,
    day: words.day(request.dueAt),
    days: daysBetween(new Date(request.receivedAt), now),
  });
  const steps = Object.values(request.steps);
  const failed = steps.filter((s) => s?.status === 'failed').length;
  return {
    headline,
    facts: [
      { title: words.t('cards.fact.kind'), value: kindName(words, request.kind) },
      { title: words.t('cards.fact.law'), value: request.regime },
      { title: words.t('cards.fact.received'), value: words.day(request.receivedAt) },
      { title: words.t('cards.fact.dueBy'), value: dueText(words, request) },
      { title: words.t('cards.fact.services'), value: words.number(request.services.length) },
      ...(steps.length ? [{ title: words.t('cards.fact.itemsHandled'), value: words.number(steps.reduce((n, s) => n + (s?.count ?? 0), 0)) }] : []),
      ...(failed ? [{ title: words.t('cards.fact.servicesFailed'), value: words.number(failed) }] : []),
    ],
  };
}

/**
 * The compliance channel's `report`: counts from the register and a read-only link to it. Request
 * counts only, so it may go to a channel; the CSV behind the link names subjects by pseudonym.
 */
export function reportCard(words: Words, summary: RegisterSummary, link: { url: string; expiresAt: Date }): Card {
  return reportLayout(reportView(words, summary, link));
}

export function reportView(words: Words, summary: RegisterSummary, link: { url: string; expiresAt: Date }): ReportView {
  const tally = (t: Tally) => words.t('cards.report.tally', { total: t.total, open: t.open });
  return {
    title: words.t('cards.report.title'),
    asOf: words.t('cards.report.asOf', { at: words.dateTime(summary.asOf) }),
    totals: [
      { title: words.t('cards.report.requests'), value: words.number(summary.total) },
      { title: words.t('cards.report.open'), value: words.number(summary.open) },
      { title: words.t('cards.report.overdue'), value: words.number(summary.overdue) },
      { title: words.t('cards.report.closedRecently', { days: RECENT_DAYS }), value: words.number(summary.closedRecently) },
      {
        title: words.t('cards.report.medianDays', { days: RECENT_DAYS }),
        value: summary.medianDaysToClose === null ? words.t('cards.report.noneClosed') : words.number(summary.medianDaysToClose),
      },
    ],
    byKind: (Object.keys(summary.byKind) as RequestKind[]).map((kind) => ({ title: kindName(words, kind), value: tally(summary.byKind[kind]) })),
    byRegime: Object.entries(summary.byRegime).map(([regime, t]) => ({ title: regime, value: tally(t) })),
    linkNote: words.t('cards.report.linkNote', { at: words.dateTime(link.expiresAt) }),
    url: link.url,
    w: labels(words, 'report', ['byKind', 'byRegime', 'download']),
  };
}
