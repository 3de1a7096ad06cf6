/**
 * What the API (and any other caller) needs from the running dossier workflows,
 * without importing Temporal: the API depends on this interface only.
 */
import type { AnalystDecision, DossierWorkflowInput, FinalDecision, GuaranteeResult } from '../activities/types.ts';
import type { DossierStatus, HardCaseCode, IneligibilityCode, Reason } from '../domain/codes.ts';

export interface DossierView {
  dossierId: string;
  status: DossierStatus;
  ineligibility: Reason<IneligibilityCode>[];
  hardCases: Reason<HardCaseCode>[];
  guarantee: GuaranteeResult | null;
  decision: FinalDecision | null;
  /** ISO-8601 UTC; set while a hard case waits for the analyst. */
  decisionDeadline: string | null;
}

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
