import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { odata, TableClient, TransactionAction } from '@azure/data-tables';
import { AuditEvent, AuditHead, AuditHeads, AuditLog, type ChainHead, Clock, statusCodeOf } from '../dsr';

export type { AuditHead } from '../dsr';

/** The algorithm of entries sealed with the bot's audit key. Entries without one are legacy plain SHA-256. */
export const HMAC_ALG = 'hmac-sha256';

export interface AuditEntry {
  requestId: string;
  sequence: number;
  event: string;
  detail: Record<string, string | number | boolean>;
  at: string;
  previousHash: string;
  hash: string;
  /**
   * How `hash` was made: {@link HMAC_ALG} under the bot's audit key, or absent for the plain
   * SHA-256 of entries written before the key existed (legacy, still verified).
   */
  alg?: string;
}

type AuditEntity = {
  partitionKey: string;
  rowKey: string;
  event: string;
  detail: string;
  at: string;
  previousHash: string;
  hash: string;
  alg?: string;
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

/** The legacy hash of an entry: plain SHA-256 of its content and the previous entry's hash. Anyone can recompute it. */
export function hashEntry(entry: Omit<AuditEntry, 'hash' | 'alg'>): string {
  const { requestId, sequence, event, detail, at, previousHash } = entry;
  return createHash('sha256').update(JSON.stringify({ requestId, sequence, event, detail, at, previousHash })).digest('hex');
}

/**
 * The seal of an entry: HMAC-SHA256 under the audit key of its content, the previous entry's
 * hash and the algorithm's name. Whoever can write the table but not read the key cannot make one.
 */
export function sealEntry(entry: Omit<AuditEntry, 'hash' | 'alg'>, key: Buffer): string {
  const { requestId, sequence, event, detail, at, previousHash } = entry;
  return createHmac('sha256', key).update(JSON.stringify({ requestId, sequence, event, detail, at, previousHash, alg: HMAC_ALG })).digest('hex');
}

/** Whether two hex digests are equal, in constant time (a seal is a secret-keyed value). */
function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
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
 * numbered 1, 2, 3… without gaps, each must carry its own seal (HMAC under `key`, or for legacy
 * entries the plain SHA-256) and name the hash of the one before; no legacy entry may follow a
 * sealed one; the anchor must count as many entries as there are and hold the last hash.
 * A deleted last entry leaves a chain that is consistent in itself: only the anchor shows it.
 * A chain rewritten whole as legacy entries is consistent too: only the digests show that.
 */
export function chainBreak(requestId: string, entries: readonly AuditEntry[], head: AuditHead | undefined, key: Buffer): ChainBreak | undefined {
  let previousHash = GENESIS;
  let sealedSince: number | undefined;
  for (const [index, entry] of entries.entries()) {
    const expected = index + 1;
    const at = { requestId, sequence: expected };
    if (entry.sequence !== expected) return { ...at, problem: `entry ${expected} is missing: entry ${entry.sequence} follows entry ${expected - 1}` };
    if (entry.previousHash !== previousHash) return { ...at, problem: `entry ${expected} does not chain to entry ${expected - 1}: one of them was changed` };
    if (entry.alg === HMAC_ALG) {
      if (!sameHex(sealEntry(entry, key), entry.hash)) {
        return { ...at, problem: `entry ${expected} (${entry.event}) was altered: its content no longer matches its HMAC under the bot's audit key (rewritten by someone without the key)` };
      }
      sealedSince ??= expected;
    } else if (entry.alg !== undefined) {
      return { ...at, problem: `entry ${expected} (${entry.event}) names an algorithm the bot never writes: it was rewritten outside the bot` };
    } else {
      if (hashEntry(entry) !== entry.hash) return { ...at, problem: `entry ${expected} (${entry.event}) was altered: its content no longer matches its hash` };
      if (sealedSince !== undefined) {
        return { ...at, problem: `entry ${expected} (${entry.event}) has a plain SHA-256 hash after entries sealed with the audit key (from entry ${sealedSince}): it was rewritten or added by someone without the key` };
      }
    }
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

/** Chains whose anchor this process keeps for its next append. */
const KNOWN_HEADS = 1_000;
/** Entries one transaction can hold beside the anchor (Table storage: 100 operations). */
const MAX_EVENTS_AT_ONCE = 99;

/**
 * Append-only, hash-chained audit log in Table storage: one partition per request, entries
 * numbered in order, each sealed with HMAC-SHA256 under the audit key (which is not kept in
 * storage), and an anchor row (`head`) in the same partition holding the count and the last hash.
 *
 * Why an anchor, and why there: a chain checked only from its start cannot tell a deleted last
 * entry from one never written. The anchor is written in the same entity-group transaction as
 * the entry (Table storage makes a transaction atomic within one partition), conditional on the
 * anchor's ETag, so entry and anchor can never disagree, even across a crash, and two writers
 * racing for the same number get one winner; the loser re-reads and appends after. The request
 * row was the other candidate, but every append would then race the request's own conditional
 * writes. Whoever can write the table but not read the key cannot seal a new or changed entry;
 * they can still cut a chain back to an earlier entry and its anchor with it, or delete a chain
 * whole, which only the digests kept outside the table show (auditDigests.ts).
 */
export class TableAuditLog implements AuditLog, AuditHeads {
  /** `key`: the audit key (auditKey.ts). Without it the log can be read and checked for legacy entries only, not appended to. */
  /** The anchor of each chain this process appended to last, with its ETag, the most recent last. */
  private readonly knownHeads = new Map<string, AuditHead & { etag: string }>();

  constructor(
    private readonly table: TableClient,
    private readonly clock: Clock,
    private readonly key?: Buffer,
  ) {}

  /** A new chain's first entry: the first attempt reads nothing and creates the anchor with it. */
  async begin(requestId: string, event: string, detail: AuditEvent['detail']): Promise<void> {
    await this.write(requestId, [{ event, detail }], true);
  }

  async append(requestId: string, event: string, detail: AuditEvent['detail']): Promise<void> {
    await this.write(requestId, [{ event, detail }], false);
  }

  /** Appends `events` in order in one transaction with the anchor: all of them, or none. */
  async appendAll(requestId: string, events: readonly AuditEvent[]): Promise<void> {
    await this.write(requestId, events, false);
  }

  /**
   * `isNew`: the chain is taken to be new until the write says otherwise. Otherwise the anchor is
   * read first, unless this process wrote it last.
   */
  private async write(requestId: string, events: readonly AuditEvent[], isNew: boolean): Promise<void> {
    const key = this.key;
    if (!key) throw new Error(`The audit log was opened without the audit key: it cannot append to ${requestId}'s chain.`);
    if (events.length === 0) return;
    // A transaction holds at most 100 operations, and one of them is the anchor.
    if (events.length > MAX_EVENTS_AT_ONCE) throw new Error(`At most ${MAX_EVENTS_AT_ONCE} audit events can be appended at once (${events.length} given).`);
    // The first attempt appends after the anchor this process wrote last, or for a new chain after
    // nothing, without a read; else it reads the anchor (a job run by another instance than the
    // click before it). If another writer moved the anchor on, or the chain exists, the
    // transaction's condition fails and the next attempt reads.
    let known = this.knownHeads.get(requestId);
    for (let lost = 0; ; lost++) {
      const read = lost > 0 || !isNew;
      const head = known ?? (read ? await this.head(requestId) : undefined);
      // A chain written before anchors existed has entries but no head: the first append anchors it.
      let last = head ? { sequence: head.count, hash: head.hash } : read ? (await this.entries(requestId)).at(-1) : undefined;
      known = undefined;
      const at = this.clock.now().toISOString();
      const actions: TransactionAction[] = [];
      for (const { event, detail } of events) {
        const unhashed = { requestId, sequence: (last?.sequence ?? 0) + 1, event, detail, at, previousHash: last?.hash ?? GENESIS };
        const entry: AuditEntry = { ...unhashed, hash: sealEntry(unhashed, key), alg: HMAC_ALG };
        actions.push([
          'create',
          {
            partitionKey: requestId,
            rowKey: String(entry.sequence).padStart(8, '0'),
            event,
            detail: JSON.stringify(detail),
            at: entry.at,
            previousHash: entry.previousHash,
            hash: entry.hash,
            alg: HMAC_ALG,
          } satisfies AuditEntity,
        ]);
        last = entry;
      }
      const anchor: HeadEntity = { partitionKey: requestId, rowKey: HEAD_ROW, count: last!.sequence, hash: last!.hash };
      actions.push(head ? ['update', anchor, 'Replace', { etag: head.etag }] : ['create', anchor]);
      try {
        const response = await this.table.submitTransaction(actions);
        // Answers come in the order of the actions; an update's carries no row key to find it by.
        this.rememberHead(requestId, { count: anchor.count, hash: anchor.hash, etag: response.subResponses[events.length]?.etag });
        return;
      } catch (error) {
        this.knownHeads.delete(requestId);
        // 409: a number or the anchor was taken; 412: the anchor moved on since it was read.
        const status = statusCodeOf(error);
        if (status !== 409 && status !== 412) throw error;
      }
    }
  }

  private rememberHead(requestId: string, head: AuditHead & { etag?: string }): void {
    this.knownHeads.delete(requestId);
    if (head.etag) this.knownHeads.set(requestId, { ...head, etag: head.etag });
    if (this.knownHeads.size > KNOWN_HEADS) this.knownHeads.delete(this.knownHeads.keys().next().value!);
  }

  /** A request's entries in order, without the anchor. */
  async entries(requestId: string): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    for await (const e of this.table.listEntities<AuditEntity>({ queryOptions: { filter: odata`PartitionKey eq ${requestId} and RowKey ne ${HEAD_ROW}` } })) {
      entries.push(entryOf(e));
    }
    return entries.sort((a, b) => a.sequence - b.sequence);
  }

  /** The anchor this process wrote last, as it wrote it (no read); read when it wrote none. */
  async writtenHead(requestId: string): Promise<AuditHead | undefined> {
    const head = this.knownHeads.get(requestId) ?? (await this.head(requestId));
    return head && { count: head.count, hash: head.hash };
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

  /** Every chain's anchor, for a digest. A chain without one (written before anchors existed) has none to give. */
  async heads(): Promise<ChainHead[]> {
    const heads: ChainHead[] = [];
    for await (const e of this.table.listEntities<HeadEntity>({ queryOptions: { filter: odata`RowKey eq ${HEAD_ROW}` } })) {
      heads.push({ requestId: e.partitionKey, count: Number(e.count), hash: String(e.hash) });
    }
    return heads;
  }

  /** The first break in one chain (see {@link chainBreak}), checked with this log's key. */
  breakIn(requestId: string, chain: { entries: readonly AuditEntry[]; head?: AuditHead }): ChainBreak | undefined {
    if (!this.key) throw new Error('The audit log was opened without the audit key: its sealed entries cannot be checked.');
    return chainBreak(requestId, chain.entries, chain.head, this.key);
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
    ...(e.alg !== undefined ? { alg: String(e.alg) } : {}),
  };
}
