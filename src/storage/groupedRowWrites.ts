import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';
import { statusCodeOf } from '../dsr';

/** A write of one row: a create, a replace conditional on the ETag it was read with, or an upsert (whatever the row holds). */
export type RowWrite =
  | { kind: 'create'; entity: TableEntity<object> }
  | { kind: 'replace'; entity: TableEntity<object>; etag: string }
  | { kind: 'upsert'; entity: TableEntity<object> };

/** Table storage: at most 100 operations in one entity-group transaction. */
const MAX_WRITES_PER_TRANSACTION = 100;
/**
 * Characters of property values one transaction carries at most: 3 MB as UTF-8 at worst, within
 * the 4 MiB a transaction's payload may be. A row alone may be larger; it goes on its own.
 */
const MAX_CHARACTERS_PER_TRANSACTION = 1_000_000;
/** Sends (transactions or single writes) in flight at once; writes made while as many are wait and go together. */
const MAX_IN_FLIGHT = 4;

interface Pending {
  write: RowWrite;
  size: number;
  resolve(etag: string | undefined): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the rows of one table that requests in flight write at once. Writes go out
 * when the tick they were made in ends, those of one tick together, while fewer than
 * {@link MAX_IN_FLIGHT} sends are in flight; writes made while that many are wait for one to
 * finish and go out together. Several writes go as one entity-group transaction per partition
 * (at most 100 rows, each row once), one as a plain create or replace, so a burst of requests
 * costs a few round trips instead of one each. Each write still gets its own answer: its new
 * ETag, or the error its own call would have given. A transaction is all or nothing, so when one
 * of its writes is refused (a lost race: 409, 412, 404; or 400, one the service would not take),
 * nothing was written: that write gets the refusal, and the others go again together (each on its
 * own when the service does not say which it refused); any other failure (the service down,
 * throttling) is every write's answer.
 */
export class GroupedRowWrites {
  private pending: Pending[] = [];
  private inFlight = 0;
  /** Rows with a write in flight: a later write of one waits for it, so writes of a row go out in order. */
  private readonly rowsInFlight = new Set<string>();
  private scheduled = false;

  constructor(private readonly table: TableClient) {}

  /**
   * Writes the row; resolves with its new ETag. Once `abortSignal` fires, a write still waiting is
   * dropped and one already sent is no longer waited for (it may yet be written): either way the
   * answer is the signal's reason.
   */
  write(write: RowWrite, abortSignal?: AbortSignal): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      if (abortSignal?.aborted) {
        reject(abortSignal.reason);
        return;
      }
      const pending: Pending = { write, size: sizeOf(write.entity), resolve, reject };
      if (abortSignal) {
        const abort = () => {
          this.pending = this.pending.filter((waiting) => waiting !== pending);
          reject(abortSignal.reason);
        };
        abortSignal.addEventListener('abort', abort, { once: true });
        const settled = () => abortSignal.removeEventListener('abort', abort);
        pending.resolve = (etag) => (settled(), resolve(etag));
        pending.reject = (error) => (settled(), reject(error));
      }
      this.pending.push(pending);
      this.schedule();
    });
  }

  /** Sends after the writes of this tick have joined, when a slot is free. */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < MAX_IN_FLIGHT) {
        const group = this.nextGroup();
        if (group.length === 0) return;
        const rows = group.map(({ write }) => rowOf(write));
        for (const row of rows) this.rowsInFlight.add(row);
        this.inFlight++;
        void this.send(group).finally(() => {
          this.inFlight--;
          for (const row of rows) this.rowsInFlight.delete(row);
          this.schedule();
        });
      }
    });
  }

  /**
   * The first pending write whose row has none in flight, and those that can go in one
   * transaction with it, in order (each row once); the rest stay pending.
   */
  private nextGroup(): Pending[] {
    const group: Pending[] = [];
    const rows = new Set<string>();
    let size = 0;
    const left: Pending[] = [];
    for (const next of this.pending) {
      const row = rowOf(next.write);
      const fits = group.length === 0 || (
        group.length < MAX_WRITES_PER_TRANSACTION
        && size + next.size <= MAX_CHARACTERS_PER_TRANSACTION
        && next.write.entity.partitionKey === group[0].write.entity.partitionKey
      );
      // A transaction names a row once, and a row's writes go out one after the other.
      if (fits && !rows.has(row) && !this.rowsInFlight.has(row)) {
        group.push(next);
        size += next.size;
      } else {
        left.push(next);
      }
      rows.add(row);
    }
    this.pending = left;
    return group;
  }

  private async send(group: Pending[]): Promise<void> {
    if (group.length === 1) return this.sendAlone(group[0]);
    let etags: (string | undefined)[];
    try {
      const response = await this.table.submitTransaction(group.map(({ write }) => actionOf(write)));
      // Answers come in the order of the actions; an update's carries no row key to find it by.
      etags = group.map((_, i) => response.subResponses[i]?.etag);
    } catch (error) {
      const status = statusCodeOf(error);
      if (status === 400 || status === 404 || status === 409 || status === 412) {
        const refused = refusedIndex(error, group.length);
        if (refused === undefined) {
          await Promise.all(group.map((pending) => this.sendAlone(pending)));
          return;
        }
        // The refusal is that write's own answer; the others go again, first in line, together.
        group[refused].reject(error);
        this.pending.unshift(...group.filter((_, i) => i !== refused));
      } else {
        for (const pending of group) pending.reject(error);
      }
      return;
    }
    group.forEach((pending, i) => pending.resolve(etags[i]));
  }

  private async sendAlone({ write, resolve, reject }: Pending): Promise<void> {
    try {
      const result = write.kind === 'create'
        ? await this.table.createEntity(write.entity)
        : write.kind === 'upsert'
          ? await this.table.upsertEntity(write.entity, 'Replace')
          : await this.table.updateEntity(write.entity, 'Replace', { etag: write.etag });
      resolve(result.etag);
    } catch (error) {
      reject(error);
    }
  }
}

/**
 * Which write of a transaction was refused: Table storage puts its index before the message
 * ("1:The specified entity already exists."). Undefined when the message does not say.
 */
function refusedIndex(error: unknown, size: number): number | undefined {
  const index = /^(\d+):/.exec(error instanceof Error ? error.message : '')?.[1];
  return index !== undefined && Number(index) < size ? Number(index) : undefined;
}

function rowOf(write: RowWrite): string {
  return JSON.stringify([write.entity.partitionKey, write.entity.rowKey]);
}

function actionOf(write: RowWrite): TransactionAction {
  if (write.kind === 'create') return ['create', write.entity];
  if (write.kind === 'upsert') return ['upsert', write.entity, 'Replace'];
  return ['update', write.entity, 'Replace', { etag: write.etag }];
}

/** The characters of the row's string values: what decides its size in a transaction. */
function sizeOf(entity: TableEntity<object>): number {
  let size = 0;
  for (const value of Object.values(entity)) size += typeof value === 'string' ? value.length : 16;
  return size;
}
