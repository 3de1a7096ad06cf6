import type { Sql } from '../db/connect.ts';
import type { DossierEngine } from '../temporal/types.ts';

/** What the route families need, passed once to each plugin. */
export interface ApiConfig {
  decisionSeconds: number;
  reminderOffsetsSeconds: number[];
  /** How long POST /v1/dossiers waits for the workflow's first answer. */
  startWaitMs: number;
  bodyLimitBytes: number;
}

export interface ApiContext {
  sql: Sql;
  engine: DossierEngine;
  config: ApiConfig;
  now: () => Date;
}

export const DEFAULT_API_CONFIG: ApiConfig = {
  decisionSeconds: 24 * 3600,
  reminderOffsetsSeconds: [12 * 3600, 20 * 3600],
  startWaitMs: 1500,
  bodyLimitBytes: 64 * 1024,
};

/** From the parsed environment (config/env.ts). */
export function apiConfigFromEnv(env: { DECISION_DEADLINE_SECONDS: number; REMINDER_OFFSETS_SECONDS: number[] }): ApiConfig {
  return {
    ...DEFAULT_API_CONFIG,
    decisionSeconds: env.DECISION_DEADLINE_SECONDS,
    reminderOffsetsSeconds: env.REMINDER_OFFSETS_SECONDS,
  };
}
