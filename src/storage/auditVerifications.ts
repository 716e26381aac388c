import { TableClient } from '@azure/data-tables';
import { statusCodeOf } from '../dsr';

/** Where the last `npm run audit:verify` outcome is kept: one row of the counters table, replaced by each run. */
const PARTITION = 'auditVerification';
const ROW = 'latest';

export interface VerificationRecord {
  at: string;
  ok: boolean;
  chains: number;
  problems: number;
}

/** Records a verification's outcome (counts only), so the dashboard can show when the log was last verified. */
export async function recordVerification(counters: TableClient, record: VerificationRecord): Promise<void> {
  await counters.upsertEntity({ partitionKey: PARTITION, rowKey: ROW, ...record }, 'Replace');
}

/** The last recorded verification, or undefined when none ran against this account. */
export async function lastVerification(counters: TableClient): Promise<VerificationRecord | undefined> {
  try {
    const e = await counters.getEntity<VerificationRecord>(PARTITION, ROW);
    return { at: e.at, ok: e.ok, chains: e.chains, problems: e.problems };
  } catch (error) {
    if (statusCodeOf(error) === 404) return undefined;
    throw error;
  }
}
