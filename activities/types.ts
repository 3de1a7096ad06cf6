/**
 * The contract between the dossier workflow and its activities. The workflow
 * imports only these types; activities/ implements them over db/ and domain/.
 */
import type { HardCaseCode, IneligibilityCode, Reason } from '../domain/codes.ts';
import type { EligibilityResult, FinalDecision, GuaranteeResult } from '../domain/outcomes.ts';
import type { DeadlinesConfig } from '../domain/schedule-deadlines.ts';
import type { CeremonySettings } from '../domain/ceremony.ts';

export interface DossierWorkflowInput {
  dossierId: string;
  bankId: string;
  /** Deadlines come from configuration so tests can run them in seconds. */
  deadlines: DeadlinesConfig;
  /** Set by engines that run the signing ceremony after the decision (absent: the workflow ends at the decision). */
  ceremony?: CeremonySettings;
}

export interface DossierActivities {
  checkEligibility(dossierId: string): Promise<EligibilityResult>;
  requestGuarantee(dossierId: string): Promise<GuaranteeResult>;
  recordIneligible(dossierId: string, reasons: Reason<IneligibilityCode>[]): Promise<void>;
  recordAwaitingAnalyst(dossierId: string, hardCases: Reason<HardCaseCode>[], deadlineAt: string): Promise<void>;
  recordDecision(dossierId: string, decision: FinalDecision): Promise<void>;
  /** Queues a reminder to the bank in the outbox (idempotent per dossier and offset). */
  sendReminder(dossierId: string, offsetSeconds: number): Promise<void>;
}
