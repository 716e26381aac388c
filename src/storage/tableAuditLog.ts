import { createHash } from 'node:crypto';
import { odata, TableClient } from '@azure/data-tables';
import { Clock } from '../dsr/clock';
import { AuditLog } from '../dsr/ports';
import { statusCodeOf } from '../dsr/failures';

export interface AuditEntry {
  requestId: string;
  sequence: number;
  event: string;
  detail: Record<string, string | number | boolean>;
  at: string;
  previousHash: string;
  hash: string;
}

interface AuditEntity {
  partitionKey: string;
  rowKey: string;
  event: string;
  detail: string;
  at: string;
  previousHash: string;
  hash: string;
}

const GENESIS = '0'.repeat(64);

/** The hash of an entry covers its content and the previous entry's hash. */
export function hashEntry(entry: Omit<AuditEntry, 'hash'>): string {
  const { requestId, sequence, event, detail, at, previousHash } = entry;
  return createHash('sha256').update(JSON.stringify({ requestId, sequence, event, detail, at, previousHash })).digest('hex');
}

/**
 * Append-only, hash-chained audit log in Table storage: one partition per request, entries
 * numbered in order. Two writers racing for the same number: the loser re-reads and appends after.
 */
export class TableAuditLog implements AuditLog {
  constructor(
    private readonly table: TableClient,
    private readonly clock: Clock,
  ) {}

  async append(requestId: string, event: string, detail: Record<string, string | number | boolean>): Promise<void> {
    for (;;) {
      const last = (await this.entries(requestId)).at(-1);
      const unhashed = {
        requestId,
        sequence: (last?.sequence ?? 0) + 1,
        event,
        detail,
        at: this.clock.now().toISOString(),
        previousHash: last?.hash ?? GENESIS,
      };
      const entry: AuditEntry = { ...unhashed, hash: hashEntry(unhashed) };
      try {
        await this.table.createEntity<AuditEntity>({
          partitionKey: requestId,
          rowKey: String(entry.sequence).padStart(8, '0'),
          event,
          detail: JSON.stringify(detail),
          at: entry.at,
          previousHash: entry.previousHash,
          hash: entry.hash,
        });
        return;
      } catch (error) {
        if (statusCodeOf(error) !== 409) throw error;
      }
    }
  }

  /** A request's entries in order. */
  async entries(requestId: string): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    for await (const e of this.table.listEntities<AuditEntity>({ queryOptions: { filter: odata`PartitionKey eq ${requestId}` } })) {
      entries.push({
        requestId,
        sequence: Number(e.rowKey),
        event: e.event,
        detail: JSON.parse(e.detail) as AuditEntry['detail'],
        at: e.at,
        previousHash: e.previousHash,
        hash: e.hash,
      });
    }
    return entries.sort((a, b) => a.sequence - b.sequence);
  }
}
