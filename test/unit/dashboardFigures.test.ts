import { calendarDaysLeft, DashboardFigures, isoWeek, RequestSummary, urgencyOf } from '../../src/dsr';

const NOW = new Date('2026-12-05T12:00:00Z');

function summary(id: string, overrides: Partial<RequestSummary> = {}): RequestSummary {
  return {
    id, kind: 'export', regime: 'GDPR', state: 'awaiting_approval', open: true, receivedAt: '2026-12-01T09:00:00.000Z', dueAt: '2027-01-01',
    subjectPseudonym: 'pseudonym-1', services: ['entra', 'botStore'], respondedAt: '', daysToRespond: null, ...overrides,
  };
}

const closed = (respondedAt: string, days: number, dueAt = '2026-12-31'): Partial<RequestSummary> =>
  ({ state: 'completed', open: false, respondedAt, daysToRespond: days, dueAt, receivedAt: '2026-11-20T09:00:00.000Z' });

const thisMonth = (f: DashboardFigures) => f.charts(NOW).daysToClose.at(-1)!;

describe('dashboard figures', () => {
  it('counts a request once per week and kind, and the open ones per service', () => {
    const f = new DashboardFigures('UTC');
    f.put(summary('DSR-2026-0001'));
    f.put(summary('DSR-2026-0002', { kind: 'erase', services: ['entra'] }));
    const week = f.charts(NOW).perWeek.at(-1)!;
    expect(week).toMatchObject({ week: '2026-W49', export: 1, erase: 1, access: 0 });
    expect(f.charts(NOW).openPerService).toEqual([{ service: 'botStore', open: 1 }, { service: 'entra', open: 2 }]);
  });

  it('replacing a request moves its counts: closing takes it off the services and into the month closed', () => {
    const f = new DashboardFigures('UTC');
    f.put(summary('DSR-2026-0001'));
    f.put(summary('DSR-2026-0001', closed('2026-12-03T10:00:00.000Z', 13)));
    expect(f.size).toBe(1);
    expect(f.charts(NOW).openPerService).toEqual([]);
    expect(thisMonth(f)).toEqual({ month: '2026-12', closed: 1, median: 13, p90: 13 });
    expect(f.charts(NOW).withinDeadline.at(-1)).toEqual({ month: '2026-12', closed: 1, withinDeadline: 1, share: 1 });
  });

  it('reopening takes the closing back out', () => {
    const f = new DashboardFigures('UTC');
    f.put(summary('DSR-2026-0001', closed('2026-12-03T10:00:00.000Z', 13)));
    f.put(summary('DSR-2026-0001', { state: 'failed_partially' }));
    expect(thisMonth(f)).toEqual({ month: '2026-12', closed: 0, median: null, p90: null });
    expect(f.charts(NOW).openPerService).toEqual([{ service: 'botStore', open: 1 }, { service: 'entra', open: 1 }]);
  });

  it('gives the median as the register computes it and the 90th percentile by nearest rank, and counts late answers', () => {
    const f = new DashboardFigures('UTC');
    [2, 4, 6, 8, 10, 12, 14, 16, 18, 40].forEach((days, i) => f.put(summary(`DSR-2026-00${10 + i}`, closed('2026-12-02T10:00:00.000Z', days, i === 9 ? '2026-12-01' : '2026-12-31'))));
    expect(thisMonth(f)).toEqual({ month: '2026-12', closed: 10, median: 11, p90: 18 });
    expect(f.charts(NOW).withinDeadline.at(-1)).toEqual({ month: '2026-12', closed: 10, withinDeadline: 9, share: 0.9 });
  });

  it('sorts the queue by due date and colours it by calendar days left in the tenant time zone', () => {
    const f = new DashboardFigures('Pacific/Auckland');
    f.put(summary('DSR-2026-0001', { dueAt: '2026-12-20' }));
    f.put(summary('DSR-2026-0002', { dueAt: '2026-12-07', state: 'executing' }));
    f.put(summary('DSR-2026-0003', { dueAt: '2026-12-01' }));
    f.put(summary('DSR-2026-0004', closed('2026-12-02T10:00:00.000Z', 3)));
    // 12:00 UTC on 5 December is already 6 December in Auckland.
    expect(f.queue(NOW).map((e) => [e.id, e.daysLeft, e.urgency])).toEqual([
      ['DSR-2026-0003', -5, 'overdue'],
      ['DSR-2026-0002', 1, 'urgent'],
      ['DSR-2026-0001', 14, 'ok'],
    ]);
    expect(f.queue(NOW, { state: 'executing' }).map((e) => e.id)).toEqual(['DSR-2026-0002']);
    expect(f.queue(NOW, { q: 'dsr-2026-000' }).length).toBe(3);
    expect(f.queue(NOW, { kind: 'erase' })).toEqual([]);
  });

  it('draws the urgency lines at 10, 5 and 0 days', () => {
    expect([10, 9, 5, 4, 0, -1].map(urgencyOf)).toEqual(['ok', 'soon', 'soon', 'urgent', 'urgent', 'overdue']);
    expect(calendarDaysLeft('2026-12-05', NOW, 'UTC')).toBe(0);
  });

  it('numbers ISO weeks across a year boundary', () => {
    expect(isoWeek('2026-12-31')).toBe('2026-W53');
    expect(isoWeek('2027-01-04')).toBe('2027-W01');
    expect(isoWeek('2025-12-29')).toBe('2026-W01');
  });
});
