import { createHash } from 'node:crypto';
import { odata, TableClient, TransactionAction } from '@azure/data-tables';
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

/** The anchor of one request's chain: how many entries it has and the hash of the last one. */
export interface AuditHead {
  count: number;
  hash: string;
}

type AuditEntity = {
  partitionKey: string;
  rowKey: string;
  event: string;
  detail: string;
  at: string;
  previousHash: string;
  hash: string;
};

type HeadEntity = {
  partitionKey: string;
  rowKey: typeof HEAD_ROW;
  count: number;
  hash: string;
};

export const GENESIS = '0'.repeat(64);

/** The row key of a chain's anchor. Entries are numbered `00000001`…, so it sorts after them. */
export const HEAD_ROW = 'head';

/** The hash of an entry covers its content and the previous entry's hash. */
export function hashEntry(entry: Omit<AuditEntry, 'hash'>): string {
  const { requestId, sequence, event, detail, at, previousHash } = entry;
  return createHash('sha256').update(JSON.stringify({ requestId, sequence, event, detail, at, previousHash })).digest('hex');
}

/** Where one chain is broken: the first entry that fails, in words an auditor can act on. */
export interface ChainBreak {
  requestId: string;
  /** The first broken entry; absent when the chain as a whole is missing or unanchored. */
  sequence?: number;
  problem: string;
}

/**
 * The first break in one request's chain, or undefined when it is intact. Entries must be
 * numbered 1, 2, 3… without gaps, each must hash to its own stored hash and name the hash of
 * the one before; the anchor must count as many entries as there are and hold the last hash.
 * A deleted last entry leaves a chain that is consistent in itself: only the anchor shows it.
 */
export function chainBreak(requestId: string, entries: readonly AuditEntry[], head: AuditHead | undefined): ChainBreak | undefined {
  let previousHash = GENESIS;
  for (const [index, entry] of entries.entries()) {
    const expected = index + 1;
    if (entry.sequence !== expected) {
      return { requestId, sequence: expected, problem: `entry ${expected} is missing: entry ${entry.sequence} follows entry ${expected - 1}` };
    }
    if (entry.previousHash !== previousHash) {
      return { requestId, sequence: expected, problem: `entry ${expected} does not chain to entry ${expected - 1}: one of them was changed` };
    }
    if (hashEntry(entry) !== entry.hash) return { requestId, sequence: expected, problem: `entry ${expected} (${entry.event}) was altered: its content no longer matches its hash` };
    previousHash = entry.hash;
  }
  if (!head) return { requestId, problem: `the chain of ${entries.length} entries has no anchor: its head row was deleted` };
  if (head.count > entries.length) {
    return { requestId, sequence: entries.length + 1, problem: `entry ${entries.length + 1} is missing: the anchor counts ${head.count} entries, the chain ends at ${entries.length}` };
  }
  if (head.count < entries.length) {
    return { requestId, sequence: head.count + 1, problem: `entry ${head.count + 1} is not anchored: the anchor counts ${head.count} entries, the chain has ${entries.length}` };
  }
  if (head.hash !== previousHash) return { requestId, sequence: entries.length, problem: `entry ${entries.length} is not the one anchored: the anchor holds another hash` };
  return undefined;
}

/**
 * Append-only, hash-chained audit log in Table storage: one partition per request, entries
 * numbered in order, and an anchor row (`head`) in the same partition holding the count and the
 * last hash.
 *
 * Why an anchor, and why there: a chain checked only from its start cannot tell a deleted last
 * entry from one never written. The anchor is written in the same entity-group transaction as
 * the entry (Table storage makes a transaction atomic within one partition), conditional on the
 * anchor's ETag, so entry and anchor can never disagree, even across a crash, and two writers
 * racing for the same number get one winner; the loser re-reads and appends after. The request
 * row was the other candidate, but every append would then race the request's own conditional
 * writes. Whoever can rewrite the anchor as well as the entries can forge a shorter chain: that
 * is the limit of any hash chain kept in the store it protects.
 */
export class TableAuditLog implements AuditLog {
  constructor(
    private readonly table: TableClient,
    private readonly clock: Clock,
  ) {}

  async append(requestId: string, event: string, detail: Record<string, string | number | boolean>): Promise<void> {
    for (;;) {
      const head = await this.head(requestId);
      // A chain written before anchors existed has entries but no head: the first append anchors it.
      const last = head ? { sequence: head.count, hash: head.hash } : (await this.entries(requestId)).at(-1);
      const unhashed = {
        requestId,
        sequence: (last?.sequence ?? 0) + 1,
        event,
        detail,
        at: this.clock.now().toISOString(),
        previousHash: last?.hash ?? GENESIS,
      };
      const entry: AuditEntry = { ...unhashed, hash: hashEntry(unhashed) };
      const anchor: HeadEntity = { partitionKey: requestId, rowKey: HEAD_ROW, count: entry.sequence, hash: entry.hash };
      const actions: TransactionAction[] = [
        [
          'create',
          {
            partitionKey: requestId,
            rowKey: String(entry.sequence).padStart(8, '0'),
            event,
            detail: JSON.stringify(detail),
            at: entry.at,
            previousHash: entry.previousHash,
            hash: entry.hash,
          } satisfies AuditEntity,
        ],
        head ? ['update', anchor, 'Replace', { etag: head.etag }] : ['create', anchor],
      ];
      try {
        await this.table.submitTransaction(actions);
        return;
      } catch (error) {
        // 409: the number or the anchor was taken; 412: the anchor moved on since it was read.
        const status = statusCodeOf(error);
        if (status !== 409 && status !== 412) throw error;
      }
    }
  }

  /** A request's entries in order, without the anchor. */
  async entries(requestId: string): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    for await (const e of this.table.listEntities<AuditEntity>({ queryOptions: { filter: odata`PartitionKey eq ${requestId} and RowKey ne ${HEAD_ROW}` } })) {
      entries.push(entryOf(e));
    }
    return entries.sort((a, b) => a.sequence - b.sequence);
  }

  /** The anchor of a request's chain, with the ETag to move it on. */
  async head(requestId: string): Promise<(AuditHead & { etag: string }) | undefined> {
    try {
      const e = await this.table.getEntity<HeadEntity>(requestId, HEAD_ROW);
      return { count: e.count, hash: e.hash, etag: e.etag };
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Every chain in the table, by request id: its entries in order and its anchor. */
  async allChains(): Promise<Map<string, { entries: AuditEntry[]; head?: AuditHead }>> {
    const chains = new Map<string, { entries: AuditEntry[]; head?: AuditHead }>();
    for await (const e of this.table.listEntities<AuditEntity & Partial<HeadEntity>>()) {
      const chain = chains.get(e.partitionKey) ?? { entries: [] };
      chains.set(e.partitionKey, chain);
      if (e.rowKey === HEAD_ROW) chain.head = { count: Number(e.count), hash: String(e.hash) };
      else chain.entries.push(entryOf(e));
    }
    for (const chain of chains.values()) chain.entries.sort((a, b) => a.sequence - b.sequence);
    return chains;
  }
}

/** An entry as stored; a detail that is no longer JSON is kept as text, so its hash check fails instead of the walk. */
function entryOf(e: AuditEntity): AuditEntry {
  let detail: AuditEntry['detail'];
  try {
    detail = JSON.parse(e.detail) as AuditEntry['detail'];
  } catch {
    detail = { unreadable: String(e.detail) };
  }
  return {
    requestId: e.partitionKey,
    sequence: Number(e.rowKey),
    event: e.event,
    detail,
    at: e.at,
    previousHash: e.previousHash,
    hash: e.hash,
  };
}
