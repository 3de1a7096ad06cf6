import type { Sql } from '../db/connect.ts';
import type { DossierWorkflowInput } from '../activities/types.ts';
import { DEFAULT_DEADLINES, type DeadlinesConfig } from '../domain/schedule-deadlines.ts';
import type { CeremonyEngine, DossierEngine } from '../temporal/types.ts';
import type { CeremonySettings } from '../domain/ceremony.ts';

/** What the route families need, passed once to each plugin. */
export interface ApiConfig {
  /** The protocol's clock, an input of every dossier's workflow. */
  deadlines: DeadlinesConfig;
  /** How long POST /v1/dossiers waits for the workflow's first answer. */
  startWaitMs: number;
  bodyLimitBytes: number;
  /** Set when the engine runs the signing ceremony after each decision (an input of every dossier's workflow). */
  ceremony?: CeremonySettings;
}

export interface ApiContext {
  sql: Sql;
  engine: DossierEngine;
  /** The running ceremonies; absent when this server does not offer signing. */
  ceremony?: CeremonyEngine;
  config: ApiConfig;
  now: () => Date;
}

export const DEFAULT_API_CONFIG: ApiConfig = {
  deadlines: DEFAULT_DEADLINES,
  startWaitMs: 1500,
  bodyLimitBytes: 64 * 1024,
};

/** From the parsed environment (config/env.ts). */
export function apiConfigFromEnv(env: {
  DECISION_DEADLINE_SECONDS: number;
  REMINDER_OFFSETS_SECONDS: number[];
  OFFER_VALIDITY_SECONDS: number;
  SIGNING_REMINDER_OFFSETS_SECONDS: number[];
}): ApiConfig {
  return {
    ...DEFAULT_API_CONFIG,
    deadlines: { decisionSeconds: env.DECISION_DEADLINE_SECONDS, reminderOffsetsSeconds: env.REMINDER_OFFSETS_SECONDS },
    ceremony: { offerSeconds: env.OFFER_VALIDITY_SECONDS, reminderOffsetsSeconds: env.SIGNING_REMINDER_OFFSETS_SECONDS },
  };
}

/** The one place a dossier's workflow input is built, for a new submission and for a resumed one alike. */
export function workflowInputOf(dossier: { id: string; bankId: string }, config: Pick<ApiConfig, 'deadlines' | 'ceremony'>): DossierWorkflowInput {
  return { dossierId: dossier.id, bankId: dossier.bankId, deadlines: config.deadlines, ...(config.ceremony ? { ceremony: config.ceremony } : {}) };
}
