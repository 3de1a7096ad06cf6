/**
 * What callers give the document writers. The dossier and the rent schedule
 * are the domain's own types; the decision and the guarantee are described
 * here in the few fields a document prints, so any caller (an activity, a
 * test, the demo) can fill them without the workflow's types.
 */
import type { DeclineCode } from '../domain/codes.ts';
import type { Dossier } from '../domain/dossier.ts';
import type { Quote } from '../domain/rents.ts';

/** A bank or a reseller as the documents name it. */
export interface Organisation {
  name: string;
  /** 9 digits, when known. */
  siren?: string;
  postcode?: string;
  city?: string;
  /** Who signs for it, when known ('Claire Fabre, directrice d’agence'). */
  signatory?: string;
}

/** The SOFARIS (Bpifrance) guarantee as granted. */
export interface GuaranteeTerms {
  reference: string;
  quotityPercent: number;
  guaranteedAmountCents: number;
  /** Yearly fee on the outstanding capital, basis points (90 = 0,90 %). */
  feeBasisPoints: number;
}

/** What an analyst's accord changed from the request. */
export interface ApprovalConditions {
  amountCents?: number;
  durationMonths?: number;
  depositCents?: number;
  /** The analyst's own words. */
  text?: string;
}

/** rule = accord by default; analyst; deadline = the protocol's default at 24 h; policy = automatic decline. */
export type DecidedBy = 'rule' | 'analyst' | 'deadline' | 'policy';

export interface DossierSummaryInput {
  dossierId: string;
  dossier: Dossier;
  /** ISO instant the dossier was received. */
  receivedAt: string;
  resellerName?: string;
  bankName?: string;
  /** The rent preview on the bank's grid, when the terms fit it. */
  quote?: Quote;
}

export interface Approval {
  outcome: 'approved';
  decidedBy: DecidedBy;
  /** ISO instant. */
  decidedAt: string;
  conditions?: ApprovalConditions;
  /** Null when the bank approves without the guarantee. */
  guarantee: GuaranteeTerms | null;
  /** The schedule on the approved terms (conditions applied). */
  quote: Quote;
  /** Last day (Paris, 'YYYY-MM-DD') the contract can be signed. */
  offerExpiresOn: string;
}

export interface Refusal {
  outcome: 'declined';
  decidedBy: DecidedBy;
  decidedAt: string;
  reasonCode: DeclineCode;
  /** The bank's own words, printed as they are. */
  text?: string;
}

export interface DecisionLetterInput {
  dossierId: string;
  dossier: Dossier;
  bank: Organisation;
  reseller: Organisation;
  decision: Approval | Refusal;
}

export interface ContractInput {
  contractNumber: string;
  dossierId: string;
  /** The lessee (company, dirigeant) and the equipment. */
  dossier: Dossier;
  /** The bailleur. */
  bank: Organisation;
  /** The fournisseur (its label number is the dossier's resellerId). */
  reseller: Organisation;
  /** The schedule on the approved terms. */
  quote: Quote;
  guarantee: GuaranteeTerms | null;
  depositCents?: number;
  /** Last day (Paris, 'YYYY-MM-DD') the contract can be signed. */
  offerExpiresOn: string;
}
