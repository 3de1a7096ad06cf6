/**
 * What the API (and any other caller) needs from the running dossier workflows,
 * without importing Temporal: the API depends on this interface only.
 */
import type { DossierWorkflowInput } from '../activities/types.ts';
import type { AnalystDecision, DossierView } from '../domain/outcomes.ts';

/** Thrown when an analyst decision is refused (wrong bank, dossier not pending). */
export class DecisionRefusedError extends Error {
  constructor(
    readonly reason: 'wrong_bank' | 'not_pending' | 'unknown_dossier',
    /** Plain French, for the problem+json detail. */
    readonly detail: string,
  ) {
    super(detail);
  }
}

export interface DossierEngine {
  /**
   * Starts the dossier's workflow (idempotent: the workflow ID derives from the
   * dossier ID) and waits up to `waitMs` for its first answer (ineligible,
   * approved by default, or awaiting the analyst). Returns the view at that time.
   */
  start(input: DossierWorkflowInput, waitMs: number): Promise<DossierView>;
  /** Delivers an analyst decision as a Temporal Update; refusals throw DecisionRefusedError. */
  decide(dossierId: string, bankId: string, decision: AnalystDecision): Promise<DossierView>;
  /** Live status through the workflow Query (null when no such workflow). */
  status(dossierId: string): Promise<DossierView | null>;
}
