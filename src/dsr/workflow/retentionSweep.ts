import { Clock } from '../ports';
import { dueForPseudonymisation, keptRecordHash } from '../model/retention';
import { AuditLog, Logger, RecordsStore, RequestStore } from '../ports';
import { pseudonymised } from '../model/pseudonyms';
import { updateRequest } from './requestUpdates';
import { addCalendarMonths, addDays } from '../model/deadlines';

export interface RetentionDeps {
  store: RequestStore & Pick<RecordsStore, 'listToPseudonymise'>;
  audit: AuditLog;
  clock: Clock;
  log: Logger;
  pseudonymKey: string;
  /** DSR_RETENTION_MONTHS */
  retentionMonths: number;
}

/** The periodic sweep that pseudonymises closed requests whose retention is over. Safe to run on every instance at once. */
export class RetentionSweep {
  constructor(private readonly deps: RetentionDeps) {}

  /** Pseudonymises every request now due; returns how many. */
  async sweep(): Promise<number> {
    const { store, clock, retentionMonths: months } = this.deps;
    const now = clock.now();
    // A shorter month clamps (31 Mar - 1 month is 28 Feb): a few days' margin, then the exact check per request.
    const candidates = await store.listToPseudonymise(addDays(addCalendarMonths(now, -months), 4));
    let done = 0;
    for (const candidate of candidates) {
      if (!dueForPseudonymisation(candidate, now, months)) continue;
      // Conditional write: of two instances sweeping at once, the second finds it done and skips.
      const kept = await updateRequest(store, candidate.id, (r) =>
        dueForPseudonymisation(r, now, months) ? { ...pseudonymised(r, this.deps.pseudonymKey), pseudonymisedAt: now.toISOString() } : undefined,
      );
      if (!kept) continue;
      await this.deps.audit.append(kept.id, 'pseudonymised', { reason: 'retention', retentionMonths: months, keptSha256: keptRecordHash(kept) });
      this.deps.log.info({ requestId: kept.id }, 'request pseudonymised after retention');
      done++;
    }
    return done;
  }
}
