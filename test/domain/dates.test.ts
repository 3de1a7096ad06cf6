import { describe, expect, it } from 'vitest';
import { addDays, addMonths, addSecondsToInstant, ageInYears, fullMonthsBetween, isCalendarDate, isWithinMonthsBefore, parisDateOf } from '../../domain/dates.ts';

describe('business dates', () => {
  it('gives the Paris calendar date of an instant, across midnight and DST', () => {
    expect(parisDateOf('2026-11-24T22:59:59Z')).toBe('2026-11-24'); // UTC+1 in winter
    expect(parisDateOf('2026-11-24T23:00:00Z')).toBe('2026-11-25');
    expect(parisDateOf('2026-07-14T21:59:59Z')).toBe('2026-07-14'); // UTC+2 in summer
    expect(parisDateOf('2026-07-14T22:00:00Z')).toBe('2026-07-15');
    expect(parisDateOf(new Date(Date.UTC(2026, 0, 1, 0, 0, 0)))).toBe('2026-01-01');
    expect(() => parisDateOf('yesterday')).toThrow(RangeError);
  });

  it('validates calendar dates', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2025-02-29')).toBe(false);
    expect(isCalendarDate('2025-04-31')).toBe(false);
    expect(isCalendarDate('2025-13-01')).toBe(false);
    expect(isCalendarDate('2025-1-01')).toBe(false);
  });

  it('adds months, clamping to the end of shorter months', () => {
    expect(addMonths('2023-11-24', 36)).toBe('2026-11-24');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2025-12-15', 3)).toBe('2026-03-15');
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
  });

  it('counts whole months between two dates, to the day', () => {
    expect(fullMonthsBetween('2023-11-24', '2026-11-24')).toBe(36);
    expect(fullMonthsBetween('2023-11-24', '2026-11-23')).toBe(35);
    expect(fullMonthsBetween('2023-11-23', '2026-11-24')).toBe(36);
    expect(fullMonthsBetween('2024-01-31', '2024-02-29')).toBe(1);
    expect(fullMonthsBetween('2026-11-24', '2023-11-24')).toBe(-36);
  });

  it('applies the 36-month company age rule to the day', () => {
    expect(isWithinMonthsBefore('2023-11-24', '2026-11-24', 36)).toBe(true);
    expect(isWithinMonthsBefore('2023-11-23', '2026-11-24', 36)).toBe(false);
    expect(isWithinMonthsBefore('2024-02-29', '2027-02-28', 36)).toBe(true);
    expect(isWithinMonthsBefore('2024-02-29', '2027-03-01', 36)).toBe(false);
  });

  it('computes ages in whole years', () => {
    expect(ageInYears('2008-11-24', '2026-11-24')).toBe(18);
    expect(ageInYears('2008-11-25', '2026-11-24')).toBe(17);
  });

  it('adds seconds to an instant', () => {
    expect(addSecondsToInstant('2026-11-24T16:00:00Z', 86_400)).toBe('2026-11-25T16:00:00.000Z');
    expect(addSecondsToInstant('2026-11-24T16:00:00.250Z', 43_200)).toBe('2026-11-25T04:00:00.250Z');
    expect(() => addSecondsToInstant('not a date', 1)).toThrow(RangeError);
  });
});
