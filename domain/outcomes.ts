/**
 * What the engine decides about a dossier, as the domain sees it: the
 * eligibility verdict, the guarantor's answer, the analyst's and the final
 * decisions, and the view of a dossier every caller shares. Adapters (the
 * workflow's activities, the database, the guarantor, the API) use these
 * types; they never define their own.
 */
import type { DeclineCode, DossierStatus, HardCaseCode, IneligibilityCode, Reason } from './codes.ts';

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
  { decision: 'approve'; analyst: string; conditions?: ApprovalConditions } | { decision: 'decline'; analyst: string; reasonCode: DeclineCode; text: string };

export interface FinalDecision {
  outcome: 'approved' | 'declined';
  /** rule = default accord; analyst; deadline = protocol default at the deadline; policy = automatic decline. */
  decidedBy: 'rule' | 'analyst' | 'deadline' | 'policy';
  analyst?: string;
  reasonCode?: DeclineCode;
  text?: string;
  conditions?: ApprovalConditions;
  guaranteeReference?: string;
  /** ISO-8601 UTC, taken from the workflow clock. */
  decidedAt: string;
}

/** A dossier as every caller sees it: the workflow's Query, the database row, the API's answer. */
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
