import { createHash } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { Clock, errorCode, Logger, statusCodeOf } from '../dsr';

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
  /** The counts of first messages let through at once, while they are written: the person's next activity waits for it. */
  private readonly counting = new Map<string, Promise<void>>();
  /** People whose first refusal fell on a message let through before its count came back: their next refusal is the one told. */
  private readonly owedSlowDown = new Set<string>();

  constructor(
    private readonly table: TableClient,
    private readonly perMinute: Record<RateChannel, number>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /**
   * Counts one activity of `personId` on `channel` and says whether it may go on. A message from a
   * person this instance has not counted yet goes on at once, counted meanwhile: most people write
   * to a DSR bot once, and their first message waits for no storage round trip. The count stays
   * exact but for that one message per instance (a person who used up the window elsewhere gets
   * one more here); any further message waits for the count, and card actions always do.
   */
  async take(channel: RateChannel, personId: string): Promise<RateDecision> {
    const now = this.clock.now().getTime();
    const rowKey = `${channel}-${createHash('sha256').update(personId).digest('hex').slice(0, 32)}`;
    const refused = this.refusal(rowKey, now);
    if (refused) return refused;
    const counting = this.counting.get(rowKey);
    if (channel === 'message' && !counting && !this.known.has(rowKey)) {
      const counted = this.count(channel, rowKey, now).then((decision) => {
        // Let through before its count came back: the refusal to tell is the next one.
        if (decision.firstRefusal) this.owedSlowDown.add(rowKey);
      }).finally(() => this.counting.delete(rowKey));
      this.counting.set(rowKey, counted);
      return { allowed: true, firstRefusal: false };
    }
    if (counting) {
      await counting;
      const refusedMeanwhile = this.refusal(rowKey, now);
      if (refusedMeanwhile) return refusedMeanwhile;
    }
    return this.count(channel, rowKey, now);
  }

  /** The answer to a person refused in this window, with the refusal owed to them if there is one; undefined when not refused. */
  private refusal(rowKey: string, now: number): RateDecision | undefined {
    if ((this.refusedUntil.get(rowKey) ?? 0) <= now) return undefined;
    return { allowed: false, firstRefusal: this.owedSlowDown.delete(rowKey) };
  }

  private async count(channel: RateChannel, rowKey: string, now: number): Promise<RateDecision> {
    // A count made now decides anew: a refusal still owed from an earlier window is not.
    this.owedSlowDown.delete(rowKey);
    let counted: CounterRow;
    try {
      counted = await this.increment(rowKey, now, AbortSignal.timeout(COUNT_BUDGET_MS));
    } catch (error) {
      // Fail open: the limit keeps one person from flooding the bot, and a Storage outage or a row
      // that keeps losing races must not turn into silence for everyone. Whatever the turn then
      // needs from storage fails on its own, with its own answer.
      this.log.warn({ channel, error: errorCode(error) }, 'rate limit not counted: storage failed, letting the activity through');
      return { allowed: true, firstRefusal: false };
    }
    const limit = this.perMinute[channel];
    const { count } = counted;
    if (count > limit) this.refuseUntil(rowKey, counted.start + WINDOW_MS, now);
    return { allowed: count <= limit, firstRefusal: count === limit + 1 };
  }

  /**
   * Adds one to the row's count, or starts a new window at `now` once the last one is over; returns
   * the row. It starts from the row as this instance last wrote it when it has it, creates it when
   * it has not, and reads the row only when it exists unknown here or another instance moved it on
   * (the create's 409, the write's ETag failing).
   */
  private async increment(rowKey: string, now: number, abortSignal: AbortSignal): Promise<CounterRow> {
    let known = this.known.get(rowKey);
    // A row this instance does not know is most often one that does not exist yet (most people
    // write to a DSR bot once): it is created first, and read only when the create finds it (409).
    let absent = !known;
    for (let attempt = 1; ; attempt++) {
      try {
        if (absent) {
          absent = false;
          const counted = { start: now, count: 1 };
          const created = await this.table.createEntity({ partitionKey: PARTITION, rowKey, ...counted }, { abortSignal });
          return this.remember(rowKey, counted, created.etag);
        }
        const row = known ?? (await this.table.getEntity<CounterRow>(PARTITION, rowKey, { abortSignal }));
        known = undefined;
        // A clock that moved back also starts a new window.
        const counted = now >= row.start && now - row.start < WINDOW_MS ? { start: row.start, count: row.count + 1 } : { start: now, count: 1 };
        const written = await this.table.updateEntity({ partitionKey: PARTITION, rowKey, ...counted }, 'Replace', { etag: row.etag, abortSignal });
        return this.remember(rowKey, counted, written.etag);
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
