import { median, RegisterRow } from './complianceRegister';
import { REQUEST_KINDS, RequestKind, RequestState, Regime, ServiceName } from './types';

/**
 * The compliance dashboard's figures, kept as requests change instead of counted per view: one
 * small summary per request, made from its register row (so every chart agrees with the register
 * CSV), and running totals over them. Replacing a request's summary takes its old one out of the
 * totals and puts the new one in, so a request that closes, reopens or moves week counts once.
 * Days are calendar days in the tenant's time zone; `now` always comes from the caller's clock.
 */

/** What the dashboard keeps of one request: ids, codes and dates, the subject by pseudonym only. */
export interface RequestSummary {
  id: string;
  kind: RequestKind;
  regime: Regime;
  state: RequestState;
  open: boolean;
  receivedAt: string;
  dueAt: string;
  subjectPseudonym: string;
  services: ServiceName[];
  /** Empty while open. */
  respondedAt: string;
  /** The register's calendar days from receipt to response; null while open. */
  daysToRespond: number | null;
}

export function requestSummary(row: RegisterRow): RequestSummary {
  return {
    id: row.requestId,
    kind: row.kind,
    regime: row.regime,
    state: row.state,
    open: row.open,
    receivedAt: row.receivedAt,
    dueAt: row.dueAt,
    subjectPseudonym: row.subjectPseudonym,
    services: row.serviceOutcomes.map((s) => s.service),
    respondedAt: row.respondedAt,
    daysToRespond: row.daysToRespond,
  };
}

/** How close an open request is to its due date: ok from 10 days left, soon under 10, urgent under 5, overdue past it. */
export type Urgency = 'ok' | 'soon' | 'urgent' | 'overdue';

export function urgencyOf(daysLeft: number): Urgency {
  if (daysLeft < 0) return 'overdue';
  if (daysLeft < 5) return 'urgent';
  if (daysLeft < 10) return 'soon';
  return 'ok';
}

const DAY_MS = 24 * 60 * 60 * 1000;
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (`2026-12-05`) `at` falls on in `timeZone`. */
export function calendarDay(at: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(at);
}

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;
const dayOf = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** Calendar days from today in `timeZone` to the due date: 0 on the due date, negative once past it. */
export function calendarDaysLeft(dueAt: string, now: Date, timeZone: string): number {
  return dayNumber(dueAt.slice(0, 10)) - dayNumber(calendarDay(now, timeZone));
}

/** The ISO 8601 week (`2026-W49`) of a calendar date: weeks start on Monday, week 1 holds the year's first Thursday. */
export function isoWeek(day: string): string {
  const n = dayNumber(day);
  const weekday = (new Date(n * DAY_MS).getUTCDay() + 6) % 7;
  const thursday = dayOf(n - weekday + 3);
  const year = thursday.slice(0, 4);
  const week = Math.floor((dayNumber(thursday) - dayNumber(`${year}-01-01`)) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The 90th percentile by nearest rank, from counts per value; the median as the register computes it. */
function quantiles(histogram: ReadonlyMap<number, number>): { median: number | null; p90: number | null } {
  const values = [...histogram.keys()].sort((a, b) => a - b);
  const total = values.reduce((sum, v) => sum + histogram.get(v)!, 0);
  if (!total) return { median: null, p90: null };
  const nth = (rank: number) => {
    let seen = 0;
    for (const v of values) {
      seen += histogram.get(v)!;
      if (seen >= rank) return v;
    }
    return values.at(-1)!;
  };
  const middle = total % 2 ? nth((total + 1) / 2) : median([nth(total / 2), nth(total / 2 + 1)]);
  return { median: middle, p90: nth(Math.ceil(0.9 * total)) };
}

export interface QueueFilter {
  kind?: string;
  regime?: string;
  state?: string;
  /** A request id or the start of one, any case. */
  q?: string;
}

export interface QueueEntry {
  id: string;
  kind: RequestKind;
  regime: Regime;
  state: RequestState;
  receivedAt: string;
  dueAt: string;
  daysLeft: number;
  urgency: Urgency;
  subject: string;
}

export type WeekCounts = { week: string } & Record<RequestKind, number>;

export interface DashboardCharts {
  asOf: string;
  perWeek: WeekCounts[];
  daysToClose: { month: string; closed: number; median: number | null; p90: number | null }[];
  withinDeadline: { month: string; closed: number; withinDeadline: number; share: number | null }[];
  openPerService: { service: ServiceName; open: number }[];
}

/** Weeks and months the charts show, the current one last. */
export const CHART_PERIODS = 12;

const bump = <K>(map: Map<K, number>, key: K, by: number) => {
  const value = (map.get(key) ?? 0) + by;
  if (value) map.set(key, value);
  else map.delete(key);
};

export class DashboardFigures {
  private readonly summaries = new Map<string, RequestSummary>();
  private readonly perWeek = new Map<string, Map<RequestKind, number>>();
  private readonly daysByMonth = new Map<string, Map<number, number>>();
  private readonly withinByMonth = new Map<string, number>();
  private readonly openPerService = new Map<ServiceName, number>();

  constructor(private readonly timeZone: string) {}

  get size(): number {
    return this.summaries.size;
  }

  /** Puts in `summary`, replacing what the figures held of the same request. */
  put(summary: RequestSummary): void {
    const before = this.summaries.get(summary.id);
    if (before) this.count(before, -1);
    this.summaries.set(summary.id, summary);
    this.count(summary, 1);
  }

  get(id: string): RequestSummary | undefined {
    return this.summaries.get(id);
  }

  private count(s: RequestSummary, by: 1 | -1): void {
    const week = isoWeek(calendarDay(new Date(s.receivedAt), this.timeZone));
    const kinds = this.perWeek.get(week) ?? new Map<RequestKind, number>();
    this.perWeek.set(week, kinds);
    bump(kinds, s.kind, by);
    if (s.open) for (const service of s.services) bump(this.openPerService, service, by);
    if (s.respondedAt && s.daysToRespond !== null) {
      const respondedOn = calendarDay(new Date(s.respondedAt), this.timeZone);
      const month = respondedOn.slice(0, 7);
      const days = this.daysByMonth.get(month) ?? new Map<number, number>();
      this.daysByMonth.set(month, days);
      bump(days, s.daysToRespond, by);
      if (respondedOn <= s.dueAt.slice(0, 10)) bump(this.withinByMonth, month, by);
    }
  }

  /** Open requests matching `filter`, due first. */
  queue(now: Date, filter: QueueFilter = {}): QueueEntry[] {
    const prefix = filter.q?.trim().toUpperCase();
    const entries: QueueEntry[] = [];
    for (const s of this.summaries.values()) {
      if (!s.open || (filter.kind && s.kind !== filter.kind) || (filter.regime && s.regime.toLowerCase() !== filter.regime.toLowerCase())) continue;
      if ((filter.state && s.state !== filter.state) || (prefix && !s.id.toUpperCase().startsWith(prefix))) continue;
      const daysLeft = calendarDaysLeft(s.dueAt, now, this.timeZone);
      entries.push({
        id: s.id, kind: s.kind, regime: s.regime, state: s.state, receivedAt: s.receivedAt, dueAt: s.dueAt, daysLeft, urgency: urgencyOf(daysLeft), subject: s.subjectPseudonym,
      });
    }
    return entries.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id));
  }

  charts(now: Date): DashboardCharts {
    const today = dayNumber(calendarDay(now, this.timeZone));
    const weeks = Array.from({ length: CHART_PERIODS }, (_, i) => isoWeek(dayOf(today - 7 * (CHART_PERIODS - 1 - i))));
    const [year, month] = dayOf(today).split('-').map(Number);
    const months = Array.from({ length: CHART_PERIODS }, (_, i) => new Date(Date.UTC(year, month - 1 - (CHART_PERIODS - 1 - i), 1)).toISOString().slice(0, 7));
    const closedIn = (m: string) => [...(this.daysByMonth.get(m)?.values() ?? [])].reduce((a, b) => a + b, 0);
    return {
      asOf: now.toISOString(),
      perWeek: weeks.map((week) => {
        const kinds = this.perWeek.get(week);
        return { week, ...(Object.fromEntries(REQUEST_KINDS.map((k) => [k, kinds?.get(k) ?? 0])) as Record<RequestKind, number>) };
      }),
      daysToClose: months.map((m) => ({ month: m, closed: closedIn(m), ...quantiles(this.daysByMonth.get(m) ?? new Map()) })),
      withinDeadline: months.map((m) => {
        const closed = closedIn(m);
        const within = this.withinByMonth.get(m) ?? 0;
        return { month: m, closed, withinDeadline: within, share: closed ? within / closed : null };
      }),
      openPerService: [...this.openPerService].map(([service, open]) => ({ service, open })).sort((a, b) => a.service.localeCompare(b.service)),
    };
  }
}
