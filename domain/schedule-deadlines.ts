/**
 * The 24-hour clock of a hard case: when the bank is reminded and when the
 * protocol's default applies, from the instant the dossier was accepted as
 * complete. Pure: the workflow passes its own clock's instant.
 */
import { addSecondsToInstant, BUSINESS_TIME_ZONE } from './dates.ts';

export interface DeadlinesConfig {
  /** From acceptance to the protocol's default decision. */
  decisionSeconds: number;
  /** When the bank is reminded, counted from acceptance. */
  reminderOffsetsSeconds: number[];
}

/** The protocol's clock (24 h, reminders at 12 h and 20 h): the one place these numbers live. */
export const DEFAULT_DEADLINES: DeadlinesConfig = {
  decisionSeconds: 24 * 3600,
  reminderOffsetsSeconds: [12 * 3600, 20 * 3600],
};

export interface DecisionTimeline {
  /** ISO-8601 UTC: when the protocol default applies. */
  deadlineAt: string;
  /** Ascending; only offsets strictly between 0 and the deadline, each once. */
  reminders: { offsetSeconds: number; at: string }[];
}

export function decisionTimeline(acceptedAt: string, config: DeadlinesConfig): DecisionTimeline {
  if (!(config.decisionSeconds > 0)) throw new RangeError('decisionSeconds must be positive');
  const offsets = [...new Set(config.reminderOffsetsSeconds)].filter((s) => s > 0 && s < config.decisionSeconds).sort((a, b) => a - b);
  return {
    deadlineAt: addSecondsToInstant(acceptedAt, config.decisionSeconds),
    reminders: offsets.map((offsetSeconds) => ({ offsetSeconds, at: addSecondsToInstant(acceptedAt, offsetSeconds) })),
  };
}

/** Milliseconds from `now` to `at`, never negative (a timer for a past instant fires at once). */
export function millisecondsUntil(now: string | Date, at: string): number {
  const from = typeof now === 'string' ? Date.parse(now) : now.getTime();
  return Math.max(0, Date.parse(at) - from);
}

const parisDateTime = new Intl.DateTimeFormat('fr-FR', {
  timeZone: BUSINESS_TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** "25/11/2026 à 17:00", Paris time, for people. */
export function parisDateTimeLabel(instant: string): string {
  const parts = parisDateTime.formatToParts(new Date(instant));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('day')}/${get('month')}/${get('year')} à ${get('hour')}:${get('minute')}`;
}
