import { createHash } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { Clock, errorCode, Logger, statusCodeOf } from '../dsr';
import { GroupedRowWrites } from './groupedRowWrites';

/** What is counted apart: chat messages, and card actions (invokes). */
export type RateChannel = 'message' | 'invoke';

export interface RateDecision {
  allowed: boolean;
  /** The first refused activity of the person's burst in this window, across instances: the one to answer. */
  firstRefusal: boolean;
}

const WINDOW_MS = 60_000;
/** The counter rows' partition in the `dsrcounters` table, beside the request-id `sequence` rows. */
const PARTITION = 'rate';
/** Lost ETag races in a row before giving up on counting this one activity. */
const MAX_ATTEMPTS = 10;
/** How long counting one activity may take before it is let through uncounted (the SDK retries a storage outage for longer). */
const COUNT_BUDGET_MS = 2_000;

/**
 * One write of a row's count: the activities it counts (`size`, which grows until it starts) and
 * what it found: the row after it, `refused` when the person was refused while it waited, or
 * `failed` when storage did not answer.
 */
interface CountWrite {
  size: number;
  outcome: Promise<CounterRow | 'refused' | 'failed'>;
}

interface CounterRow {
  /** When the window counted began (ms since the epoch): at the person's first activity after the last one ended. */
  start: number;
  count: number;
}

/**
 * Activities per person per minute, counted in Table storage so every bot instance shares one
 * count: one row per person and channel holds when their window began and its count, changed by
 * ETag-conditional writes. A window is a fixed minute from the person's first activity after the
 * last one (not a clock minute, which would cut a burst in two). The row key is a hash of the
 * person's id, so the counters hold no object id.
 */
export class PersonRateLimiter {
  /**
   * People refused in a window, by row key, until that window ends. Within a window a stored count
   * only grows, so a person once over the limit stays refused: answering from here is what storage
   * would say, without a write per message of a flood.
   */
  private readonly refusedUntil = new Map<string, number>();
  /** Each row as this instance last wrote it, with its ETag: the next count writes against it without reading first. */
  private readonly known = new Map<string, CounterRow & { etag: string }>();
  /** Per row being counted: the write in flight, and the activities that came meanwhile, which the next write counts together. */
  private readonly counting = new Map<string, { writing?: CountWrite; gathering?: CountWrite }>();
  /** People whose first refusal fell on an activity let through before its count came back: their next refusal is the one told. */
  private readonly owedSlowDown = new Set<string>();
  /** Counts of different people written at once go together: their rows share one partition. */
  private readonly writes: GroupedRowWrites;

  constructor(
    private readonly table: TableClient,
    private readonly perMinute: Record<RateChannel, number>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.writes = new GroupedRowWrites(table);
  }

  /**
   * Counts one activity of `personId` on `channel` and says whether it may go on. An activity of a
   * person this instance is not counting and has not counted yet goes on at once, counted
   * meanwhile: most people write to a DSR bot once, so their message and their click wait for no
   * storage round trip. The count stays exact but for that one activity per channel and instance
   * (a person who used up the window elsewhere gets one more here); any further activity waits for
   * its count. Activities of one person that come while their row is being written are counted
   * together by the next write, so a person's burst of clicks makes one write at a time instead of
   * racing itself for the row.
   */
  async take(channel: RateChannel, personId: string): Promise<RateDecision> {
    const now = this.clock.now().getTime();
    const rowKey = `${channel}-${createHash('sha256').update(personId).digest('hex').slice(0, 32)}`;
    const refused = this.refusal(rowKey, now);
    if (refused) return refused;
    if (!this.counting.has(rowKey) && !this.known.has(rowKey)) {
      void this.count(channel, rowKey).then((decision) => {
        // Let through before its count came back: the refusal to tell is the next one.
        if (decision.firstRefusal) this.owedSlowDown.add(rowKey);
      });
      return { allowed: true, firstRefusal: false };
    }
    return this.count(channel, rowKey);
  }

  /** The answer to a person refused in this window, with the refusal owed to them if there is one; undefined when not refused. */
  private refusal(rowKey: string, now: number): RateDecision | undefined {
    if ((this.refusedUntil.get(rowKey) ?? 0) <= now) return undefined;
    return { allowed: false, firstRefusal: this.owedSlowDown.delete(rowKey) };
  }

  private async count(channel: RateChannel, rowKey: string): Promise<RateDecision> {
    // A count made now decides anew: a refusal still owed from an earlier window is not.
    this.owedSlowDown.delete(rowKey);
    const write = this.join(channel, rowKey);
    const position = write.size++;
    const outcome = await write.outcome;
    const now = this.clock.now().getTime();
    // Fail open: the limit keeps one person from flooding the bot, and a Storage outage or a row
    // that keeps losing races must not turn into silence for everyone. Whatever the turn then
    // needs from storage fails on its own, with its own answer.
    if (outcome === 'failed') return { allowed: true, firstRefusal: false };
    if (outcome === 'refused') return this.refusal(rowKey, now) ?? { allowed: false, firstRefusal: false };
    const limit = this.perMinute[channel];
    // The write added `size` to the row: this activity's count is its place among them.
    const count = outcome.count - write.size + position + 1;
    if (count > limit) this.refuseUntil(rowKey, outcome.start + WINDOW_MS, now);
    return { allowed: count <= limit, firstRefusal: count === limit + 1 };
  }

  /** The write that will count an activity of `rowKey` made now: the one gathering behind the write in flight, or a new one. */
  private join(channel: RateChannel, rowKey: string): CountWrite {
    let row = this.counting.get(rowKey);
    if (!row) this.counting.set(rowKey, (row = {}));
    if (row.gathering) return row.gathering;
    const state = row;
    const write: CountWrite = {
      size: 0,
      outcome: (state.writing?.outcome ?? Promise.resolve())
        .then(() => {
          // From here on, new activities gather for the next write.
          state.gathering = undefined;
          state.writing = write;
          return this.write(channel, rowKey, write.size);
        })
        .finally(() => {
          state.writing = undefined;
          if (!state.gathering) this.counting.delete(rowKey);
        }),
    };
    state.gathering = write;
    return write;
  }

  /** Adds `size` activities to the row, unless the person was refused meanwhile. */
  private async write(channel: RateChannel, rowKey: string, size: number): Promise<CounterRow | 'refused' | 'failed'> {
    const now = this.clock.now().getTime();
    if (this.refusal(rowKey, now)) return 'refused';
    try {
      return await this.increment(rowKey, size, now, AbortSignal.timeout(COUNT_BUDGET_MS));
    } catch (error) {
      this.log.warn({ channel, error: errorCode(error) }, 'rate limit not counted: storage failed, letting the activity through');
      return 'failed';
    }
  }

  /**
   * Adds `size` to the row's count, or starts a new window at `now` with it once the last one is
   * over; returns the row. It starts from the row as this instance last wrote it when it has it,
   * creates it when it has not, and reads the row only when it exists unknown here or another
   * instance moved it on (the create's 409, the write's ETag failing).
   */
  private async increment(rowKey: string, size: number, now: number, abortSignal: AbortSignal): Promise<CounterRow> {
    let known = this.known.get(rowKey);
    // A row this instance does not know is most often one that does not exist yet (most people
    // write to a DSR bot once): it is created first, and read only when the create finds it (409).
    let absent = !known;
    for (let attempt = 1; ; attempt++) {
      try {
        if (absent) {
          absent = false;
          const counted = { start: now, count: size };
          const etag = await this.writes.write({ kind: 'create', entity: { partitionKey: PARTITION, rowKey, ...counted } }, abortSignal);
          return this.remember(rowKey, counted, etag);
        }
        const row = known ?? (await this.table.getEntity<CounterRow>(PARTITION, rowKey, { abortSignal }));
        known = undefined;
        // A clock that moved back also starts a new window.
        const counted = now >= row.start && now - row.start < WINDOW_MS ? { start: row.start, count: row.count + size } : { start: now, count: size };
        const etag = await this.writes.write({ kind: 'replace', entity: { partitionKey: PARTITION, rowKey, ...counted }, etag: row.etag }, abortSignal);
        return this.remember(rowKey, counted, etag);
      } catch (error) {
        this.known.delete(rowKey);
        const status = statusCodeOf(error);
        // 404: the row is gone, created on the next try; 409: it exists after all; 412: it moved on.
        if (status === 404) absent = true;
        else if ((status !== 409 && status !== 412) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  private remember(rowKey: string, counted: CounterRow, etag: string | undefined): CounterRow {
    this.known.delete(rowKey);
    if (etag) this.known.set(rowKey, { ...counted, etag });
    // The people of the last few minutes at most: the oldest written goes first.
    if (this.known.size > 10_000) this.known.delete(this.known.keys().next().value!);
    return counted;
  }

  private refuseUntil(rowKey: string, until: number, now: number): void {
    this.refusedUntil.set(rowKey, until);
    // Keeps the map to the people refused in the current minute, and the refusals owed to them.
    if (this.refusedUntil.size <= 10_000) return;
    for (const [key, end] of this.refusedUntil) {
      if (end > now) continue;
      this.refusedUntil.delete(key);
      this.owedSlowDown.delete(key);
    }
  }
}
