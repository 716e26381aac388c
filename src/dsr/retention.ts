import { createHash } from 'node:crypto';
import { Clock } from './clock';
import { addCalendarMonths, addDays } from './deadlines';
import { AuditLog, Logger, RecordsStore, RequestStore } from './ports';
import { pseudonymised } from './pseudonyms';
import { updateRequest } from './requestUpdates';
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
