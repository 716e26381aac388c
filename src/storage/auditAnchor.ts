import { AuditAnchor, Clock, errorCode, ExclusiveLock, Logger } from '../dsr';
import { AuditDigest, AuditDigests } from './auditDigests';

/**
 * When audit digests are written: soon after a request closes (debounced, so a burst of
 * completions makes one digest), and at least daily by the periodic sweep, one instance at a time.
 */

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/**
 * The executor's {@link AuditAnchor}: the first call starts a wait of `delayMs`; calls during it
 * join it; then one digest is written. A call while that digest is being written asks for one
 * more after it, since the heads it read may predate the call.
 */
export class DebouncedAuditAnchor implements AuditAnchor {
  private timer: NodeJS.Timeout | undefined;
  private writing = false;
  private again = false;
  private stopped = false;
  private pending: { settled: Promise<void>; settle: () => void } | undefined;

  constructor(
    private readonly write: () => Promise<unknown>,
    private readonly delayMs: number,
    private readonly log: Logger,
  ) {}

  anchorSoon(): void {
    if (this.stopped) return;
    if (!this.pending) {
      let settle!: () => void;
      const settled = new Promise<void>((resolve) => (settle = resolve));
      this.pending = { settled, settle };
    }
    if (this.writing) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => void this.run(), this.delayMs);
    // A digest waiting to be written never keeps a process alive: the daily sweep catches up.
    this.timer.unref();
  }

  /** Resolves once no digest is waiting or being written. */
  idle(): Promise<void> {
    return this.pending?.settled ?? Promise.resolve();
  }

  /** Drops a digest still waiting (the sweep of any instance writes it later); takes no more calls. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.writing) this.settle();
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    this.writing = true;
    try {
      await this.write();
    } catch (error) {
      this.log.warn({ error: errorCode(error) }, 'audit digest not written');
    } finally {
      this.writing = false;
    }
    if (this.again && !this.stopped) {
      this.again = false;
      this.anchorSoon();
    } else {
      this.settle();
    }
  }

  private settle(): void {
    this.pending?.settle();
    this.pending = undefined;
  }
}

export interface AuditAnchorSweepDeps {
  digests: Pick<AuditDigests, 'latestDigest' | 'write'>;
  lock: ExclusiveLock;
  clock: Clock;
}

/**
 * The daily digest, from the periodic sweep: under the lock (one instance at a time), a digest is
 * written when the newest is a day old or there is none, and the chains changed since
 * (AuditDigests.write). Each instance looks at most once an hour, so the minute-by-minute sweep
 * does not read the digests every minute.
 */
export class AuditAnchorSweep {
  private lookedAt: number | undefined;

  constructor(private readonly deps: AuditAnchorSweepDeps) {}

  /** `swept: false` when this instance looked within the hour or another instance holds the lock. */
  async sweep(): Promise<{ swept: boolean; written?: AuditDigest }> {
    const now = this.deps.clock.now().getTime();
    if (this.lookedAt !== undefined && now - this.lookedAt < HOUR) return { swept: false };
    const outcome = await this.deps.lock.runExclusive(async () => {
      const latest = await this.deps.digests.latestDigest();
      if (latest && now - Date.parse(latest.at) < DAY) return undefined;
      return this.deps.digests.write();
    });
    if (!outcome.ran) return { swept: false };
    this.lookedAt = now;
    return { swept: true, ...(outcome.result ? { written: outcome.result } : {}) };
  }
}
