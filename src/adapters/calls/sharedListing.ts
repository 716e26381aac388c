import { REAL_THROTTLE_CLOCK, type ThrottleClock } from './throttleBudget';

/**
 * One listing (every user of an IoT Central app, every enrollment of a DPS instance: APIs that
 * cannot filter by owner) shared by every request that asks for it within `freshForMs` of the
 * listing's start, instead of one listing per request. A listing that fails is not shared: the
 * next ask starts a new one. Only for discovery and export reads; an erasure reads afresh
 * (`fresh()`), since what it removes must be what is there now.
 */
export class SharedListing<T> {
  private current?: { startedAt: number; listing: Promise<T> };

  constructor(
    private readonly list: () => Promise<T>,
    private readonly freshForMs: number,
    private readonly clock: Pick<ThrottleClock, 'now'> = REAL_THROTTLE_CLOCK,
  ) {}

  /** The listing started within the freshness window, or a new one. */
  get(): Promise<T> {
    const now = this.clock.now();
    if (this.current && now - this.current.startedAt < this.freshForMs) return this.current.listing;
    return this.fresh();
  }

  /** A new listing, which later asks within the window share. */
  fresh(): Promise<T> {
    const entry = { startedAt: this.clock.now(), listing: this.list() };
    this.current = entry;
    entry.listing.catch(() => {
      if (this.current === entry) this.current = undefined;
    });
    return entry.listing;
  }
}
