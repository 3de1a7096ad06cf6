import type { PadesLevel } from '../levels.ts';
import type { RgsLevel } from '../../certs/policies.ts';
import type { Modification } from './modifications.ts';

/** ETSI EN 319 102-1 main indications. */
export type Indication = 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';

/** ETSI EN 319 102-1 sub-indications used by this verifier. */
export type SubIndication =
  | 'FORMAT_FAILURE'
  | 'HASH_FAILURE'
  | 'SIG_CRYPTO_FAILURE'
  | 'SIG_CONSTRAINTS_FAILURE'
  | 'REVOKED'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'NO_SIGNING_CERTIFICATE_FOUND'
  | 'NO_CERTIFICATE_CHAIN_FOUND'
  | 'OUT_OF_BOUNDS_NO_POE'
  | 'OUT_OF_BOUNDS_NOT_REVOKED'
  | 'REVOCATION_OUT_OF_BOUNDS_NO_POE'
  | 'TRY_LATER'
  | 'CHAIN_CONSTRAINTS_FAILURE'
  | 'CRYPTO_CONSTRAINTS_FAILURE'
  | 'SIGNED_DATA_NOT_FOUND'
  | 'POLICY_PROCESSING_ERROR'
  // Passed on from certs/validation: a finer CHAIN_CONSTRAINTS_FAILURE.
  | 'KEY_USAGE_FAILURE'
  | 'RGS_LEVEL_TOO_LOW';

/** PAdES baseline level reached; PKCS7 for the legacy adbe.pkcs7.detached format; none below B-B. */
export type ReachedLevel = PadesLevel | 'PKCS7' | 'none';

export interface SignerSummary {
  subject: string;
  serialNumber: string;
  issuer: string;
}

export interface SignatureReport {
  fieldName: string;
  type: 'signature' | 'document-timestamp';
  subFilter: string | null;
  indication: Indication;
  subIndication: SubIndication | null;
  /** Plain French, most important first. */
  reasons: string[];
  /** Null for document timestamps. */
  padesLevel: ReachedLevel | null;
  signer: SignerSummary | null;
  rgsLevel: RgsLevel | null;
  /** Null when no level was required (and for document timestamps). */
  meetsRequiredLevel: boolean | null;
  /** /M or signing-time: what the signer claims, not proven. */
  claimedTime: string | null;
  /** genTime of the verified signature timestamp, or of the document timestamp itself. */
  timestampTime: string | null;
  /** The time the certificate chain was validated at. */
  validationTime: string | null;
  /** Earliest document timestamp proving the signature existed (proof of existence). */
  proofOfExistence: string | null;
  revocation: { status: 'good' | 'revoked' | 'unknown'; revokedAt: string | null; source: 'crl' | 'ocsp' | null } | null;
  coveredWholeDocument: boolean;
  /** 0 = the first revision of the file. */
  revisionIndex: number;
  byteRange: number[] | null;
  /** DocMDP permission (1, 2 or 3) when this signature certifies the document. */
  certificationLevel: number | null;
  /** Forbidden changes made after this signature. */
  modificationsAfter: Modification[];
}

export interface VerificationReport {
  file: string;
  size: number;
  sha256: string;
  verifiedAt: string;
  indication: Indication;
  subIndication: SubIndication | null;
  reasons: string[];
  revisions: number;
  dss: { certificates: number; crls: number; ocspResponses: number; vri: number } | null;
  requiredRgsLevel: RgsLevel | null;
  signatures: SignatureReport[];
}
