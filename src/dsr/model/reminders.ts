import { daysBetween } from './deadlines';
import { isOpen } from './stateMachine';
import { DsrRequest, REMINDER_STAGES, ReminderStage } from './types';

/**
 * Reminders of open requests: approvers when a request is due in 7 days and in 1 day (or today),
 * the compliance channel once it is overdue. Each stage is claimed on the request with a
 * conditional write before it is posted, so it is posted at most once whatever the number of
 * instances, crashes or lost leases; a later due date (an extension) starts the stages again.
 */

/** Days before the due date at which approvers are reminded. */
export const REMINDER_DAYS: Record<Exclude<ReminderStage, 'overdue'>, number> = { dueIn7Days: 7, dueIn1Day: 1 };

const rank = (stage: ReminderStage) => REMINDER_STAGES.indexOf(stage);

/** Whole days from `now` to the due date: 0 on the due date itself, negative once it has passed. */
export function daysLeft(request: Pick<DsrRequest, 'dueAt'>, now: Date): number {
  return daysBetween(now, new Date(`${request.dueAt.slice(0, 10)}T00:00:00Z`));
}

/** The most urgent stage a request with `left` days left has reached, if any. */
export function stageFor(left: number): ReminderStage | undefined {
  if (left < 0) return 'overdue';
  if (left <= REMINDER_DAYS.dueIn1Day) return 'dueIn1Day';
  if (left <= REMINDER_DAYS.dueIn7Days) return 'dueIn7Days';
  return undefined;
}

/**
 * The reminder `request` is owed at `now`: the most urgent stage reached, unless that stage or a
 * more urgent one was already claimed for the current due date. A bot that was down for the
 * 7-day mark and wakes up 1 day before posts the 1-day reminder only.
 */
export function reminderDue(request: DsrRequest, now: Date): ReminderStage | undefined {
  if (!isOpen(request.state)) return undefined;
  const stage = stageFor(daysLeft(request, now));
  if (!stage) return undefined;
  const claimed = (request.reminders ?? []).filter((r) => r.dueAt === request.dueAt);
  return claimed.some((r) => rank(r.stage) >= rank(stage)) ? undefined : stage;
}

/** `request` with `stage` claimed for its current due date. */
export function withReminder(request: DsrRequest, stage: ReminderStage, now: Date): DsrRequest {
  return { ...request, reminders: [...(request.reminders ?? []), { stage, dueAt: request.dueAt, at: now.toISOString() }] };
}
