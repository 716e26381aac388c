import { errorCode } from '../model/serviceFailures';
import { notifySafely } from './notifySafely';
import { AuditLog, Clock, ExclusiveLock, Logger, Notifier, RequestStore } from '../ports';
import { reminderDue, withReminder } from '../model/reminders';
import { ReminderStage } from '../model/types';
import { updateRequest } from './requestUpdates';

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
    await notifySafely(this.deps, 'reminder', claimed);
    this.deps.log.info({ requestId, stage }, stage === 'overdue' ? 'overdue request escalated' : 'reminder sent');
    await this.deps.audit.append(requestId, stage === 'overdue' ? 'escalated' : 'reminded', { stage, dueAt: claimed.dueAt });
    return true;
  }
}
