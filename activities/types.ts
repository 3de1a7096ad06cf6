/**
 * The contract between the dossier workflow and its activities. The workflow
 * imports only these types; activities/ implements them over db/ and domain/.
 */
import type { DeclineCode, HardCaseCode, IneligibilityCode, Reason } from '../domain/codes.ts';

export interface DossierWorkflowInput {
  dossierId: string;
  bankId: string;
  /** Deadlines come from configuration so tests can run them in seconds. */
  deadlines: {
    decisionSeconds: number;
    reminderOffsetsSeconds: number[];
  };
}

export type EligibilityResult =
  | { eligible: false; reasons: Reason<IneligibilityCode>[] }
  | {
      eligible: true;
      hardCases: Reason<HardCaseCode>[];
      /** Set when the bank's policy declines some hard cases without an analyst. */
      autoDecline: Reason<DeclineCode> | null;
      /** What applies when the analyst has not decided at the deadline. */
      timeoutDefault: 'approve' | 'decline';
    };

export type GuaranteeResult =
  | {
      status: 'granted';
      reference: string;
      mode: 'delegated' | 'individual';
      quotityPercent: number;
      /** Yearly fee in basis points of the outstanding capital. */
      feeBasisPoints: number;
      guaranteedAmountCents: number;
    }
  | { status: 'refused'; reason: string };

export interface ApprovalConditions {
  amountCents?: number;
  durationMonths?: number;
  depositCents?: number;
  text?: string;
}

export type AnalystDecision =
  | { decision: 'approve'; analyst: string; conditions?: ApprovalConditions }
  | { decision: 'decline'; analyst: string; reasonCode: DeclineCode; text: string };

export interface FinalDecision {
  outcome: 'approved' | 'declined';
  /** rule = default accord; analyst; deadline = protocol default at 24 h; policy = automatic decline. */
  decidedBy: 'rule' | 'analyst' | 'deadline' | 'policy';
  analyst?: string;
  reasonCode?: DeclineCode;
  text?: string;
  conditions?: ApprovalConditions;
  guaranteeReference?: string;
  /** ISO-8601 UTC, taken from the workflow clock. */
  decidedAt: string;
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
