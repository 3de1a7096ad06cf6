/**
 * The contract between the ceremony workflow and its activities (phases 4–8
 * of docs/architecture.md). The workflow imports only these types; payloads
 * are JSON (certificates and signature values in base64).
 */
import type { CeremonySettings, Party, RequiredLevels } from '../domain/ceremony.ts';
import type { RgsLevel } from '../domain/policy.ts';
import type { FinalDecision } from '../domain/outcomes.ts';
import type { ClientInfo, PreparedForSigner } from '../ceremony/signing.ts';

export type { ClientInfo, PreparedForSigner };

export interface CeremonyInput {
  dossierId: string;
  bankId: string;
  decision: FinalDecision;
  settings: CeremonySettings;
}

export interface OfferTerm {
  /** Paris date the documents print (« jusqu'au … inclus »). */
  expiresOn: string;
  /** ISO instant the offer lapses. */
  lapsesAt: string;
}

export interface LetterRequest {
  dossierId: string;
  decision: FinalDecision;
  offer: OfferTerm;
}

export interface ContractWritten {
  contractNumber: string;
  sha256: string;
  requiredLevels: RequiredLevels;
}

export interface PrepareRequest {
  party: Party;
  /** DER, base64. */
  certificate: string;
  /** Issuer first, up to the root (optional), DER base64. */
  chain: string[];
  client: ClientInfo;
}

export interface SignRequest {
  party: Party;
  preparationId: string;
  /** What the device returned, base64: PKCS#1 / PSS bytes, DER ECDSA or raw r‖s. */
  signatureValue: string;
  client: ClientInfo;
}

export interface CountersignRequest {
  client: ClientInfo;
}

export interface DeclineRequest {
  party: Party;
  reason: string;
  client: ClientInfo;
}

export interface SignatureSummary {
  party: Party;
  preparationId: string;
  signer: string;
  rgsLevel: RgsLevel;
  signedAt: string;
  sha256Before: string;
  sha256After: string;
}

export interface Closing {
  outcome: 'declined' | 'lapsed';
  party?: Party;
  reason?: string;
  /** ISO instant, from the workflow clock. */
  at: string;
  client?: ClientInfo;
}

export interface CeremonyActivities {
  /** Phase 4: the letter (accord or refus), sealed by the bank at B-T. */
  sealDecisionLetter(request: LetterRequest): Promise<{ sha256: string }>;
  /** Phase 5: the contract with its three empty signature fields. */
  writeContract(request: LetterRequest): Promise<ContractWritten>;
  /** Tells a party the contract waits for its signature. */
  makeAvailable(dossierId: string, party: Party): Promise<void>;
  prepareSignature(dossierId: string, request: PrepareRequest, requiredLevel: RgsLevel): Promise<PreparedForSigner>;
  applySignature(dossierId: string, request: SignRequest, requiredLevel: RgsLevel): Promise<SignatureSummary>;
  /** The bank's countersignature with its seal, server-side. */
  countersign(dossierId: string, request: CountersignRequest, requiredLevel: RgsLevel): Promise<SignatureSummary>;
  sendSigningReminder(dossierId: string, party: Party, offsetSeconds: number): Promise<void>;
  closeCeremony(dossierId: string, closing: Closing): Promise<void>;
  /** Phase 7: B-LT, then B-LTA, then the validation report. */
  finaliseContract(dossierId: string): Promise<{ sha256: string; indication: string }>;
  /** The dossier de preuve, sealed by the platform. */
  writeEvidence(dossierId: string): Promise<{ sha256: string }>;
  /**
   * Phase 8: the documents to the archive — the signed contract with its proofs,
   * a refusal's letter, or a declined or lapsed contract with its evidence.
   */
  depositArchive(dossierId: string): Promise<{ location: string }>;
}
