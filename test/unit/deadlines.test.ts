import { addCalendarMonths, addDays, daysBetween, displayDay, dueDate, isoDay } from '../../src/dsr';

const due = (receivedAt: string, regime: 'GDPR' | 'CCPA') => isoDay(dueDate(new Date(receivedAt), regime));

describe('GDPR deadline: one calendar month', () => {
  it.each([
    ['2026-11-22T09:30:00Z', '2026-12-22', 'the same day next month'],
    ['2026-01-31T10:00:00Z', '2026-02-28', 'the last day of a short February'],
    ['2028-01-31T10:00:00Z', '2028-02-29', 'the last day of a leap February'],
    ['2028-02-29T10:00:00Z', '2028-03-29', 'the 29th of March after a leap day'],
    ['2026-03-31T10:00:00Z', '2026-04-30', 'the last day of a 30-day month'],
    ['2026-12-15T10:00:00Z', '2027-01-15', 'across the year end'],
    ['2026-12-31T10:00:00Z', '2027-01-31', 'the last day of January after New Year’s Eve'],
    ['2028-01-29T10:00:00Z', '2028-02-29', 'the leap day itself, from the 29th'],
    ['2028-01-30T10:00:00Z', '2028-02-29', 'the leap day, from the 30th'],
    ['2027-01-29T10:00:00Z', '2027-02-28', 'the 28th, from the 29th in a common year'],
    ['2028-03-31T10:00:00Z', '2028-04-30', 'the last day of April in a leap year'],
    ['2026-05-31T10:00:00Z', '2026-06-30', 'the last day of June'],
    ['2026-08-31T10:00:00Z', '2026-09-30', 'the last day of September'],
    ['2026-11-30T10:00:00Z', '2026-12-30', 'the 30th of December, not its last day'],
  ])('counts a request received %s to %s (%s)', (receivedAt, expected) => {
    expect(due(receivedAt, 'GDPR')).toBe(expected);
  });

  it('counts a request received late in the UTC day from that UTC date', () => {
    expect(due('2026-01-31T23:59:59.999Z', 'GDPR')).toBe('2026-02-28');
  });

  it('counts from the UTC date, not the sender’s local date', () => {
    // 00:30 on 1 Feb in UTC+2 is still 31 Jan in UTC.
    expect(due('2026-02-01T00:30:00+02:00', 'GDPR')).toBe('2026-02-28');
  });

  it('adds several months with the same end-of-month rule', () => {
    expect(isoDay(addCalendarMonths(new Date('2026-08-31T00:00:00Z'), 3))).toBe('2026-11-30');
    expect(isoDay(addCalendarMonths(new Date('2026-01-31T00:00:00Z'), 2))).toBe('2026-03-31');
  });
});

describe('CCPA deadline: 45 calendar days', () => {
  it.each([
    ['2026-11-22T09:30:00Z', '2027-01-06', 'across the year end'],
    ['2026-12-01T08:00:00Z', '2027-01-15', 'from the first of December'],
    ['2028-02-01T08:00:00Z', '2028-03-17', 'across a leap February'],
    ['2027-02-01T08:00:00Z', '2027-03-18', 'across a common February'],
    ['2026-03-31T08:00:00Z', '2026-05-15', 'across a 30-day month'],
    ['2028-01-15T08:00:00Z', '2028-02-29', 'onto the leap day'],
    ['2028-02-29T08:00:00Z', '2028-04-14', 'from the leap day'],
    ['2027-12-31T08:00:00Z', '2028-02-14', 'from New Year’s Eve into a leap year'],
    ['2027-01-15T08:00:00Z', '2027-03-01', 'past a common February'],
  ])('counts a request received %s to %s (%s)', (receivedAt, expected) => {
    expect(due(receivedAt, 'CCPA')).toBe(expected);
  });

  it('counts a request received late in the UTC day from that UTC date', () => {
    expect(due('2026-03-31T23:59:59.999Z', 'CCPA')).toBe('2026-05-15');
  });

  it('adds days from midnight UTC of the given day', () => {
    expect(addDays(new Date('2026-12-31T23:00:00Z'), 1).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});

describe('how days are shown and counted', () => {
  it.each([
    ['2026-12-22', '22 Dec 2026'],
    ['2026-12-22T23:59:59.000Z', '22 Dec 2026'],
    ['2028-02-29', '29 Feb 2028'],
    ['2027-01-05T00:00:00.000Z', '5 Jan 2027'],
  ])('shows %s as %s', (iso, shown) => {
    expect(displayDay(iso)).toBe(shown);
  });

  it('writes a day as its UTC calendar date', () => {
    expect(isoDay(new Date('2026-12-22T23:59:59.999Z'))).toBe('2026-12-22');
    expect(isoDay(new Date('2026-12-23T00:30:00+01:00'))).toBe('2026-12-22');
  });

  it('counts whole days by calendar date, not by elapsed hours', () => {
    expect(daysBetween(new Date('2026-01-01T23:59:00Z'), new Date('2026-01-02T00:01:00Z'))).toBe(1);
    expect(daysBetween(new Date('2026-01-01T00:01:00Z'), new Date('2026-01-01T23:59:00Z'))).toBe(0);
    expect(daysBetween(new Date('2026-12-15T12:00:00Z'), new Date('2027-01-15T06:00:00Z'))).toBe(31);
    expect(daysBetween(new Date('2028-02-28T12:00:00Z'), new Date('2028-03-01T12:00:00Z'))).toBe(2);
  });

  it('counts backwards as a negative number of days', () => {
    expect(daysBetween(new Date('2026-03-10T00:00:00Z'), new Date('2026-03-07T22:00:00Z'))).toBe(-3);
  });
});
