import { odata, TableClient } from '@azure/data-tables';
import { ConcurrencyConflict, DsrRequest, hasPendingNotices, isOpen, liftAwaitingJob, RecordsStore, REQUEST_STATES, RequestStore, statusCodeOf, StoredRequest } from '../dsr';
import { GroupedRowWrites } from './groupedRowWrites';

const OPEN_STATES = REQUEST_STATES.filter(isOpen);

const PARTITION = 'request';

interface RequestEntity {
  partitionKey: string;
  rowKey: string;
  state: string;
  subjectId: string;
  requesterId: string;
  dueAt: string;
  purgeAt?: string;
  /** When it closed, and whether retention has pseudonymised it: what the retention sweep filters on. */
  closedAt?: string;
  pseudonymised: boolean;
  /** An approved lift of a restriction whose job has not started a service yet: the stalled sweep's too. */
  liftAwaitingJob: boolean;
  /** Notices waiting in the outbox: the stalled sweep's too, in case their job was lost. */
  noticesPending: boolean;
  /**
   * The whole request as JSON, in parts: `doc`, then `doc1`, `doc2`… A property holds at most
   * 64 KiB (32,768 UTF-16 units) and an entity 1 MiB, and a plan of a few hundred items is past
   * the first; the columns above exist to filter on.
   */
  doc: string;
  [part: `doc${number}`]: string;
}

/** UTF-16 units per part: under a property's 32,768, so JSON of any characters fits. */
const PART_LENGTH = 32_000;
/** Parts an entity can hold beside its other columns within Table storage's 1 MiB. */
const MAX_PARTS = 15;
const DOC_COLUMNS = ['doc', ...Array.from({ length: MAX_PARTS - 1 }, (_, i) => `doc${i + 1}`)];

/** The request as too large a record to store: its plan would need a blob of its own. */
export class RequestTooLarge extends Error {
  constructor(readonly requestId: string, readonly length: number) {
    super(`Request ${requestId} is ${length} characters as JSON, more than one table entity holds (${PART_LENGTH * MAX_PARTS}).`);
    this.name = 'RequestTooLarge';
  }
}

/** `json` cut into parts of at most PART_LENGTH, never between the two halves of a surrogate pair. */
function docParts(requestId: string, json: string): Record<string, string> {
  const parts: Record<string, string> = {};
  let start = 0;
  for (let i = 0; start < json.length || i === 0; i++) {
    if (i >= MAX_PARTS) throw new RequestTooLarge(requestId, json.length);
    let end = Math.min(start + PART_LENGTH, json.length);
    const last = json.charCodeAt(end - 1);
    if (end < json.length && last >= 0xd800 && last <= 0xdbff) end--;
    parts[DOC_COLUMNS[i]] = json.slice(start, end);
    start = end;
  }
  return parts;
}

function docOf(entity: object): DsrRequest {
  let json = '';
  for (const column of DOC_COLUMNS) {
    const part = (entity as Record<string, unknown>)[column];
    if (typeof part !== 'string') break;
    json += part;
  }
  return JSON.parse(json) as DsrRequest;
}

function toEntity(request: DsrRequest): RequestEntity {
  return {
    ...(docParts(request.id, JSON.stringify(request)) as Pick<RequestEntity, 'doc'>),
    partitionKey: PARTITION,
    rowKey: request.id,
    state: request.state,
    subjectId: request.subject.aadObjectId,
    requesterId: request.requester.aadObjectId,
    dueAt: request.dueAt,
    ...(request.purgeAt ? { purgeAt: request.purgeAt } : {}),
    ...(request.closedAt ? { closedAt: request.closedAt } : {}),
    pseudonymised: Boolean(request.pseudonymisedAt),
    liftAwaitingJob: liftAwaitingJob(request),
    noticesPending: hasPendingNotices(request),
  };
}

/** Request numbers a process reserves at once at the least (see `nextSequence`). */
const SEQUENCE_BLOCK = 10;
/** The most numbers one reservation ahead takes: what a stopped process leaves unused of it at worst. */
const MAX_BLOCK_AHEAD = 100;
/** Requests whose last version this process keeps for its next conditional write (`lastKnown`). */
const KNOWN_VERSIONS = 500;

/** Request numbers reserved by one write of the counter: `next` to `last` are still to give out. */
interface NumberBlock {
  next: number;
  last: number;
  size: number;
  /** Numbers asked for while the write that reserved it was in flight. */
  askedMeanwhile: number;
}

/** Told of every request this store wrote, after the write succeeded (the dashboard's read model). */
export type RequestWriteListener = (request: DsrRequest) => void;

/** Requests in Azure Table storage; every write is conditional on the ETag that was read. */
export class TableRequestStore implements RequestStore, RecordsStore {
  private readonly listeners: RequestWriteListener[] = [];
  /** The version of each request this process last read or wrote, the most recent last. */
  private readonly known = new Map<string, StoredRequest>();
  /** The numbers of each year this process reserved and is giving out. */
  private readonly blocks = new Map<number, NumberBlock>();
  /** The next block of each year, being reserved while the current one lasts. */
  private readonly ahead = new Map<number, Promise<NumberBlock>>();
  /** Each year's counter row as this process last wrote it: the next reservation writes against its ETag unread. */
  private readonly counterRows = new Map<number, { value: number; etag: string }>();
  /** The last number being taken: the next taker waits for it. */
  private taking: Promise<unknown> = Promise.resolve();
  /** Takers of each year that asked for a number and have not been given one yet. */
  private readonly waiting = new Map<number, number>();
  /** Numbers asked for so far, of any year: how many came during a reservation sizes the next one. */
  private asked = 0;
  /** Creates and replaces of rows, sent together when several are made at once. */
  private readonly writes: GroupedRowWrites;

  constructor(
    private readonly requests: TableClient,
    private readonly counters: TableClient,
  ) {
    this.writes = new GroupedRowWrites(requests);
  }

  /** Calls `listener` after each successful create and replace of this instance; other processes' writes it never sees. */
  onWrite(listener: RequestWriteListener): void {
    this.listeners.push(listener);
  }

  private written(request: DsrRequest): void {
    for (const listener of this.listeners) listener(request);
  }

  async create(request: DsrRequest): Promise<void> {
    try {
      const etag = await this.writes.write({ kind: 'create', entity: toEntity(request) });
      this.remember({ request, etag: etag ?? '' });
      this.written(request);
    } catch (error) {
      if (statusCodeOf(error) === 409) throw new ConcurrencyConflict(request.id);
      throw error;
    }
  }

  async get(id: string): Promise<StoredRequest | undefined> {
    try {
      const entity = await this.requests.getEntity<RequestEntity>(PARTITION, id);
      return this.remember({ request: docOf(entity), etag: entity.etag });
    } catch (error) {
      if (statusCodeOf(error) === 404) {
        this.known.delete(id);
        return undefined;
      }
      throw error;
    }
  }

  async replace(request: DsrRequest, etag: string): Promise<string> {
    try {
      const written = await this.writes.write({ kind: 'replace', entity: toEntity(request), etag });
      this.remember({ request, etag: written ?? '' });
      this.written(request);
      return written ?? '';
    } catch (error) {
      if (statusCodeOf(error) === 412 || statusCodeOf(error) === 404) {
        this.known.delete(request.id);
        throw new ConcurrencyConflict(request.id);
      }
      throw error;
    }
  }

  /**
   * The version this process last read or wrote, without a round trip: another instance may have
   * changed the row since, which the conditional write made against it finds out.
   */
  lastKnown(id: string): StoredRequest | undefined {
    return this.known.get(id);
  }

  private remember(stored: StoredRequest): StoredRequest {
    const id = stored.request.id;
    this.known.delete(id);
    if (stored.etag) this.known.set(id, stored);
    if (this.known.size > KNOWN_VERSIONS) this.known.delete(this.known.keys().next().value!);
    return stored;
  }

  async listForPerson(aadObjectId: string): Promise<DsrRequest[]> {
    const filter = odata`PartitionKey eq ${PARTITION} and (subjectId eq ${aadObjectId} or requesterId eq ${aadObjectId})`;
    return this.query(filter);
  }

  async listDueForPurge(now: Date): Promise<DsrRequest[]> {
    return this.query(odata`PartitionKey eq ${PARTITION} and state eq ${'soft_deleted'} and purgeAt le ${now.toISOString()}`);
  }

  async listStalled(before: Date): Promise<DsrRequest[]> {
    return this.query(odata`PartitionKey eq ${PARTITION} and (state eq ${'submitted'} or state eq ${'approved'} or liftAwaitingJob eq ${true} or noticesPending eq ${true}) and Timestamp le ${before}`);
  }

  async listOpen(): Promise<DsrRequest[]> {
    const states = OPEN_STATES.map((state) => odata`state eq ${state}`).join(' or ');
    return this.query(`${odata`PartitionKey eq ${PARTITION}`} and (${states})`);
  }

  async listAll(): Promise<DsrRequest[]> {
    return (await this.query(odata`PartitionKey eq ${PARTITION}`)).reverse();
  }

  /**
   * Every request with its row's server time of last change, changed at or after `since` (all
   * when undefined): how a reader catches up with writes of other instances.
   */
  async listChangedSince(since?: Date): Promise<{ request: DsrRequest; changedAt: Date }[]> {
    const filter = since ? odata`PartitionKey eq ${PARTITION} and Timestamp ge ${since}` : odata`PartitionKey eq ${PARTITION}`;
    const found: { request: DsrRequest; changedAt: Date }[] = [];
    for await (const entity of this.requests.listEntities<RequestEntity>({ queryOptions: { filter, select: [...DOC_COLUMNS, 'Timestamp'] } })) {
      found.push({ request: docOf(entity), changedAt: new Date(entity.timestamp ?? 0) });
    }
    return found;
  }

  async listToPseudonymise(closedBefore: Date): Promise<DsrRequest[]> {
    return this.query(odata`PartitionKey eq ${PARTITION} and pseudonymised eq ${false} and closedAt le ${closedBefore.toISOString()}`);
  }

  /**
   * The next request number of `year`. A process takes numbers from the counter row a block at a
   * time, one taker at a time, so a burst of submissions makes one conditional write per block
   * instead of every submission racing for the row. A block is `SEQUENCE_BLOCK` numbers, or as
   * many as takers are waiting when it is reserved: a burst of 200 would otherwise wait for 20
   * reservations one after the other. Once half a block is given out, the next is reserved while
   * the rest lasts, sized for twice the numbers asked for during the last reservation's round
   * trip, so under a steady stream of submissions no one waits for the counter. Numbers stay
   * unique across instances; the price is gaps (the rest of a block, and the block reserved ahead,
   * are lost when the process stops) and, with several instances, numbers not in order of
   * receipt: the register lists every request with its received date, and a missing number there
   * is a number never given out.
   */
  async nextSequence(year: number): Promise<number> {
    this.asked++;
    this.waiting.set(year, (this.waiting.get(year) ?? 0) + 1);
    const turn = this.taking.then(() => this.takeNumber(year));
    this.taking = turn.catch(() => undefined);
    return turn;
  }

  private async takeNumber(year: number): Promise<number> {
    // This taker and those still behind it.
    const waiting = this.waiting.get(year)!;
    if (waiting > 1) this.waiting.set(year, waiting - 1);
    else this.waiting.delete(year);
    let block = this.blocks.get(year);
    if (!block || block.next > block.last) {
      const ahead = this.ahead.get(year);
      this.ahead.delete(year);
      // A reservation ahead that failed is made again now: its error is this taker's only if that fails too.
      block = (await ahead?.catch(() => undefined)) ?? (await this.reserveBlock(year, Math.max(SEQUENCE_BLOCK, waiting)));
      this.blocks.set(year, block);
    }
    const number = block.next++;
    if (!this.ahead.has(year) && (block.last - block.next + 1) * 2 <= block.size) {
      const ahead = this.reserveBlock(year, Math.min(MAX_BLOCK_AHEAD, Math.max(SEQUENCE_BLOCK, 2 * block.askedMeanwhile)));
      ahead.catch(() => undefined);
      this.ahead.set(year, ahead);
    }
    return number;
  }

  /** Reserves the next `size` numbers of `year`: one reservation at a time per year (the takers' turn, or the one ahead). */
  private async reserveBlock(year: number, size: number): Promise<NumberBlock> {
    const askedBefore = this.asked;
    const reserved = await this.reserve(year, size, this.counterRows.get(year));
    if (reserved.etag) this.counterRows.set(year, { value: reserved.value, etag: reserved.etag });
    else this.counterRows.delete(year);
    return { next: reserved.value - size + 1, last: reserved.value, size, askedMeanwhile: this.asked - askedBefore };
  }

  /**
   * Moves the year's counter on by `count` (one conditional write, retried on a lost race); returns
   * its new value and ETag. It writes against `known`, the row as this process last wrote it, and
   * reads the row only when another instance moved it on since.
   */
  private async reserve(year: number, count: number, known?: { value: number; etag: string }): Promise<{ value: number; etag?: string }> {
    const key = String(year);
    for (;;) {
      try {
        const counter = known ?? (await this.counters.getEntity<{ value: number }>('sequence', key));
        known = undefined;
        const value = counter.value + count;
        const written = await this.counters.updateEntity({ partitionKey: 'sequence', rowKey: key, value }, 'Replace', { etag: counter.etag });
        return { value, etag: written.etag };
      } catch (error) {
        const status = statusCodeOf(error);
        if (status === 404) {
          try {
            const created = await this.counters.createEntity({ partitionKey: 'sequence', rowKey: key, value: count });
            return { value: count, etag: created.etag };
          } catch (createError) {
            if (statusCodeOf(createError) !== 409) throw createError;
          }
        } else if (status !== 412) {
          throw error;
        }
      }
    }
  }

  private async query(filter: string): Promise<DsrRequest[]> {
    const found: DsrRequest[] = [];
    for await (const entity of this.requests.listEntities<RequestEntity>({ queryOptions: { filter, select: DOC_COLUMNS } })) {
      found.push(docOf(entity));
    }
    return found.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
  }
}
