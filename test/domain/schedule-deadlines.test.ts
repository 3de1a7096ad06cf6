import { describe, expect, it } from 'vitest';
import { DEFAULT_DEADLINES, decisionTimeline, millisecondsUntil, parisDateTimeLabel } from '../../domain/schedule-deadlines.ts';

describe('decision deadlines', () => {
  it('puts reminders at 12 h and 20 h and the deadline at 24 h by default', () => {
    expect(decisionTimeline('2026-11-24T16:00:00.000Z', DEFAULT_DEADLINES)).toEqual({
      deadlineAt: '2026-11-25T16:00:00.000Z',
      reminders: [
        { offsetSeconds: 43_200, at: '2026-11-25T04:00:00.000Z' },
        { offsetSeconds: 72_000, at: '2026-11-25T12:00:00.000Z' },
      ],
    });
  });

  it('runs in seconds for tests, sorting, deduplicating and dropping reminders at or past the deadline', () => {
    expect(decisionTimeline('2026-11-24T16:00:00Z', { decisionSeconds: 6, reminderOffsetsSeconds: [4, 2, 2, 6, 9, 0] })).toEqual({
      deadlineAt: '2026-11-24T16:00:06.000Z',
      reminders: [
        { offsetSeconds: 2, at: '2026-11-24T16:00:02.000Z' },
        { offsetSeconds: 4, at: '2026-11-24T16:00:04.000Z' },
      ],
    });
    expect(() => decisionTimeline('2026-11-24T16:00:00Z', { decisionSeconds: 0, reminderOffsetsSeconds: [] })).toThrow(RangeError);
  });

  it('counts 24 real hours across a daylight-saving change', () => {
    // Paris leaves summer time on 25 October 2026 at 03:00 (01:00 UTC).
    const t = decisionTimeline('2026-10-24T22:00:00Z', DEFAULT_DEADLINES);
    expect(t.deadlineAt).toBe('2026-10-25T22:00:00.000Z');
    expect(parisDateTimeLabel('2026-10-24T22:00:00Z')).toBe('25/10/2026 à 00:00');
    expect(parisDateTimeLabel(t.deadlineAt)).toBe('25/10/2026 à 23:00');
  });

  it('gives timer durations, never negative', () => {
    expect(millisecondsUntil('2026-11-24T16:00:00Z', '2026-11-24T16:00:01.500Z')).toBe(1_500);
    expect(millisecondsUntil(new Date(Date.UTC(2026, 10, 24, 17)), '2026-11-24T16:00:00Z')).toBe(0);
  });
});
