import { performance } from 'node:perf_hooks';
import { Clock, DashboardFigures, DsrRequest, registerRow, requestSummary } from '../dsr';

/** What the read model needs of the request store (TableRequestStore). */
export interface ChangeFeed {
  onWrite(listener: (request: DsrRequest) => void): void;
  listChangedSince(since?: Date): Promise<{ request: DsrRequest; changedAt: Date }[]>;
}

export interface DashboardReadModelDeps {
  store: ChangeFeed;
  clock: Clock;
  pseudonymKey: string;
  timeZone: string;
  /** At most this often, a view first reads the rows other instances changed since the last look. */
  catchUpMs?: number;
}

/** Rows are re-read from this far before the newest change seen: a write landing while a listing ran has an earlier server time than rows it returned. */
const OVERLAP_MS = 5_000;
/** Changed requests held before they are folded into the figures without waiting for a view. */
const MAX_UNFOLDED = 1_000;

/**
 * The dashboard's figures over every request, loaded with one listing at start and kept up to
 * date from then on: this instance's writes as they succeed (the store's write listener), other
 * instances' by a `Timestamp ge` query when a view is asked for and the last one is older than
 * `catchUpMs`. A view never scans the table. A request changes some ten times on its way, and a
 * view is rare beside that: changes are kept by request and folded into the figures when a view
 * asks (or once many are waiting), each request's latest once.
 */
export class DashboardReadModel {
  private readonly figures: DashboardFigures;
  private newestChange?: Date;
  private lastLook = -Infinity;
  private looking?: Promise<void>;
  /** Each changed request's latest version not yet in the figures. */
  private readonly unfolded = new Map<string, DsrRequest>();

  constructor(private readonly deps: DashboardReadModelDeps) {
    this.figures = new DashboardFigures(deps.timeZone);
  }

  /** Loads every request and starts following this instance's writes; answers how many and how long it took. */
  async load(): Promise<{ requests: number; ms: number }> {
    const started = performance.now();
    this.deps.store.onWrite((request) => this.put(request));
    await this.catchUp();
    this.fold();
    return { requests: this.figures.size, ms: performance.now() - started };
  }

  /** The figures, having caught up with other instances' writes when the last look is older than `catchUpMs`. */
  async current(): Promise<DashboardFigures> {
    if (performance.now() - this.lastLook >= (this.deps.catchUpMs ?? 3_000)) await this.catchUp();
    this.fold();
    return this.figures;
  }

  private put(request: DsrRequest): void {
    this.unfolded.set(request.id, request);
    if (this.unfolded.size >= MAX_UNFOLDED) this.fold();
  }

  private fold(): void {
    const now = this.deps.clock.now();
    for (const request of this.unfolded.values()) {
      this.figures.put(requestSummary(registerRow(request, { pseudonymKey: this.deps.pseudonymKey, now })));
    }
    this.unfolded.clear();
  }

  /** One look at a time; views asking meanwhile wait for it. */
  private catchUp(): Promise<void> {
    this.looking ??= (async () => {
      try {
        const since = this.newestChange && new Date(this.newestChange.getTime() - OVERLAP_MS);
        for (const { request, changedAt } of await this.deps.store.listChangedSince(since)) {
          this.put(request);
          if (!this.newestChange || changedAt > this.newestChange) this.newestChange = changedAt;
        }
        this.lastLook = performance.now();
      } finally {
        this.looking = undefined;
      }
    })();
    return this.looking;
  }
}
