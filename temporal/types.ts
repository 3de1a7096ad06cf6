/**
 * What the API (and any other caller) needs from the running dossier workflows,
 * without importing Temporal: the API depends on this interface only.
 */
import type { DossierWorkflowInput } from '../activities/types.ts';
import type { AnalystDecision, DossierView } from '../domain/outcomes.ts';
import { PasseportError } from '../errors/index.ts';
import type { SigningRefusal } from '../domain/ceremony.ts';
import type { CountersignRequest, DeclineRequest, PrepareRequest, PreparedForSigner, SignRequest } from '../activities/ceremony-types.ts';
import type { CeremonyView } from '../workflows/ceremony.ts';

/** Why the workflow refused an analyst decision: the refusal contract of `decide`. */
export type DecisionRefusal = 'wrong_bank' | 'not_pending' | 'unknown_dossier' | 'invalid_decision';

/** Thrown when an analyst decision is refused (wrong bank, dossier not pending, decision malformed). */
export class DecisionRefusedError extends PasseportError<DecisionRefusal> {
  /** The same as `code`. */
  readonly reason: DecisionRefusal;

  constructor(
    code: DecisionRefusal,
    /** Plain French, for the problem+json detail. */
    readonly detail: string,
  ) {
    super(code, detail);
    this.reason = code;
  }
}

/** An analyst decision the workflow's validator refused as malformed (the API validates before, so rare). */
export class InvalidDecisionError extends DecisionRefusedError {
  constructor(detail: string) {
    super('invalid_decision', detail);
  }
}

export interface DossierEngine {
  /**
   * Starts the dossier's workflow (idempotent: the workflow ID derives from the
   * dossier ID) and waits up to `waitMs` for its first answer (ineligible,
   * approved by default, or awaiting the analyst). Returns the view at that time.
   */
  start(input: DossierWorkflowInput, waitMs: number): Promise<DossierView>;
  /** Delivers an analyst decision as a Temporal Update; every refusal throws a DecisionRefusedError (InvalidDecisionError for a malformed one). */
  decide(dossierId: string, bankId: string, decision: AnalystDecision): Promise<DossierView>;
  /** Live status through the workflow Query (null when no such workflow). */
  status(dossierId: string): Promise<DossierView | null>;
}

/** A signing step the ceremony refused: `code` is stable (domain/ceremony.ts), `detail` plain French. */
export class SigningRefusedError extends PasseportError<SigningRefusal | 'no_ceremony'> {
  constructor(
    code: SigningRefusal | 'no_ceremony',
    readonly detail: string,
  ) {
    super(code, detail);
  }
}

/** What the API needs from the running ceremonies, without importing Temporal. */
export interface CeremonyEngine {
  /** Checks the certificate and returns the data to sign; refusals throw SigningRefusedError. */
  prepare(dossierId: string, request: PrepareRequest): Promise<PreparedForSigner>;
  /** Applies a signature value (completed, timestamped and verified before it is accepted). */
  sign(dossierId: string, request: SignRequest): Promise<CeremonyView>;
  /** The bank's countersignature with its server-side seal. */
  countersign(dossierId: string, request: CountersignRequest): Promise<CeremonyView>;
  decline(dossierId: string, request: DeclineRequest): Promise<CeremonyView>;
  /** The live state (null when the dossier has no running or finished ceremony). */
  status(dossierId: string): Promise<CeremonyView | null>;
}
