import { Clock } from './clock';
import { daysBetween } from './deadlines';
import { errorCode } from './failures';
import { notifySafely } from './notify';
import { AuditLog, Logger, Notifier, RequestStore } from './ports';
import { updateRequest } from './requestUpdates';
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

/** Runs work in one instance at a time; `ran: false` when another instance holds the lock. */
export interface ExclusiveLock {
  runExclusive<T>(work: () => Promise<T>): Promise<{ ran: true; result: T } | { ran: false }>;
}

export interface ReminderSweepDeps {
  store: RequestStore;
  notifier: Notifier;
  audit: AuditLog;
  lock: ExclusiveLock;
  clock: Clock;
  log: Logger;
}

export interface SweepResult {
  /** False when another instance was sweeping. */
  swept: boolean;
  posted: number;
}

export class ReminderSweep {
  constructor(private readonly deps: ReminderSweepDeps) {}

  /** One pass over the open requests, under the lock. */
  async sweep(): Promise<SweepResult> {
    const outcome = await this.deps.lock.runExclusive(() => this.remindAll());
    return outcome.ran ? { swept: true, posted: outcome.result } : { swept: false, posted: 0 };
  }

  private async remindAll(): Promise<number> {
    const { store, clock } = this.deps;
    const now = clock.now();
    let posted = 0;
    for (const request of await store.listOpen()) {
      if (!reminderDue(request, now)) continue;
      try {
        if (await this.remind(request.id, now)) posted++;
      } catch (error) {
        this.deps.log.warn({ requestId: request.id, error: errorCode(error) }, 'reminder failed');
      }
    }
    return posted;
  }

  /** Claims the stage with a conditional write, then posts it: a lost race or a crash in between never posts twice. */
  private async remind(requestId: string, now: Date): Promise<boolean> {
    let stage: ReminderStage | undefined;
    const claimed = await updateRequest(this.deps.store, requestId, (r) => {
      stage = reminderDue(r, now);
      return stage ? withReminder(r, stage, now) : undefined;
    });
    if (!claimed || !stage) return false;
    await notifySafely(this.deps.notifier, this.deps.log, 'reminder', claimed);
    this.deps.log.info({ requestId, stage }, stage === 'overdue' ? 'overdue request escalated' : 'reminder sent');
    await this.deps.audit.append(requestId, stage === 'overdue' ? 'escalated' : 'reminded', { stage, dueAt: claimed.dueAt });
    return true;
  }
}
