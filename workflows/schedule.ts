import type { DossierWorkflowInput } from '../activities/types.ts';

export interface DecisionSchedule {
  deadlineAt: Date;
  /** Reminders before the deadline, in time order, each offset once. */
  reminders: { offsetSeconds: number; at: Date }[];
}

/** The 24-hour clock starts when the dossier is accepted, i.e. when its workflow starts. */
export function decisionSchedule(start: Date, deadlines: DossierWorkflowInput['deadlines']): DecisionSchedule {
  const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
  const offsets = [...new Set(deadlines.reminderOffsetsSeconds)]
    .filter((s) => s > 0 && s < deadlines.decisionSeconds)
    .sort((a, b) => a - b);
  return {
    deadlineAt: at(deadlines.decisionSeconds),
    reminders: offsets.map((offsetSeconds) => ({ offsetSeconds, at: at(offsetSeconds) })),
  };
}
