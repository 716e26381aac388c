import { Regime } from './types';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Midnight UTC of the calendar date `at` falls on. */
function startOfDayUtc(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

/**
 * The same day `months` later; where that month is shorter, its last day
 * (31 January + 1 month = 28 or 29 February), as EU Regulation 1182/71 counts months.
 */
export function addCalendarMonths(day: Date, months: number): Date {
  const year = day.getUTCFullYear();
  const month = day.getUTCMonth() + months;
  const lastDayOfTarget = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(day.getUTCDate(), lastDayOfTarget)));
}

export function addDays(day: Date, days: number): Date {
  return new Date(startOfDayUtc(day).getTime() + days * DAY_MS);
}

/**
 * The last day to answer a request received at `receivedAt`:
 * GDPR Art. 12(3) one month, CCPA (11 CCR §7021) 45 calendar days.
 */
export function dueDate(receivedAt: Date, regime: Regime): Date {
  const day = startOfDayUtc(receivedAt);
  return regime === 'GDPR' ? addCalendarMonths(day, 1) : addDays(day, 45);
}

/** `2026-12-22` */
export function isoDay(day: Date): string {
  return day.toISOString().slice(0, 10);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `22 Dec 2026`, the way cards and channel posts show dates (the same on every machine's locale data). */
export function displayDay(isoDate: string): string {
  const day = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  return `${day.getUTCDate()} ${MONTHS[day.getUTCMonth()]} ${day.getUTCFullYear()}`;
}

/** Whole days from `from` to `to`, counted by calendar date. */
export function daysBetween(from: Date, to: Date): number {
  return Math.round((startOfDayUtc(to).getTime() - startOfDayUtc(from).getTime()) / DAY_MS);
}
