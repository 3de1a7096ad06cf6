/**
 * Business dates. Instants are ISO-8601 UTC strings; business dates are
 * calendar dates 'YYYY-MM-DD' in Europe/Paris. Pure: every "now" comes from
 * the caller.
 */
export const BUSINESS_TIME_ZONE = 'Europe/Paris';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface CalendarDate {
  year: number;
  month: number; // 1–12
  day: number; // 1–31
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses 'YYYY-MM-DD' and checks the day exists (no 2026-02-30). */
export function parseCalendarDate(text: string): CalendarDate | null {
  const m = ISO_DATE.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

export function isCalendarDate(text: string): boolean {
  return parseCalendarDate(text) !== null;
}

export function formatCalendarDate(d: CalendarDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

function mustParse(text: string): CalendarDate {
  const d = parseCalendarDate(text);
  if (!d) throw new RangeError(`Not a calendar date: ${text}`);
  return d;
}

const parisFormatter = new Intl.DateTimeFormat('en-CA', {
  timeZone: BUSINESS_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Paris calendar date of an instant (ISO string or Date). */
export function parisDateOf(instant: string | Date): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not an instant: ${String(instant)}`);
  const parts = parisFormatter.formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/**
 * Adds calendar months; a day missing in the target month falls back to its
 * last day (2024-01-31 + 1 month = 2024-02-29).
 */
export function addMonths(date: string, months: number): string {
  const d = mustParse(date);
  const index = d.year * 12 + (d.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return formatCalendarDate({ year, month, day: Math.min(d.day, daysInMonth(year, month)) });
}

export function addDays(date: string, days: number): string {
  const d = mustParse(date);
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return formatCalendarDate({ year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() });
}

/** Whole months elapsed from `from` to `to` (negative when `to` is earlier). */
export function fullMonthsBetween(from: string, to: string): number {
  if (to < from) return -fullMonthsBetween(to, from);
  const a = mustParse(from);
  const b = mustParse(to);
  let months = (b.year - a.year) * 12 + (b.month - a.month);
  if (addMonths(from, months) > to) months -= 1;
  return months;
}

/**
 * True when `date` is at most `months` months before `reference`, to the day:
 * created 2023-11-24, reference 2026-11-24 → 36 months → within 36;
 * created 2023-11-23 → not within 36.
 */
export function isWithinMonthsBefore(date: string, reference: string, months: number): boolean {
  return addMonths(date, months) >= reference;
}

/** Adds seconds to an ISO instant; the result is ISO-8601 UTC with milliseconds. */
export function addSecondsToInstant(instant: string, seconds: number): string {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new RangeError(`Not an instant: ${instant}`);
  return new Date(ms + Math.round(seconds * 1000)).toISOString();
}

/** Age in whole years at a reference date (birthdays count on their day). */
export function ageInYears(birthDate: string, reference: string): number {
  return Math.floor(fullMonthsBetween(birthDate, reference) / 12);
}
