import type { PolicyLevelMap, RgsLevel } from '../policies.ts';

export type ValidationPurpose = 'signature' | 'seal' | 'timestamping' | 'ocsp-signing' | 'any';

/** Fetches revocation data online (CDP for CRLs, AIA OCSP); null when nothing came back. */
export type RevocationFetcher = (url: string, kind: 'crl' | 'ocsp', request?: Uint8Array) => Promise<Uint8Array | null>;

export interface PathValidationInput {
  /** DER of the end-entity (or TSA, or OCSP responder) certificate. */
  certificate: Uint8Array;
  /** Untrusted certificates: CMS certificates, DSS, configured intermediates. */
  intermediates: Uint8Array[];
  /** Trusted certificates (DER); a path ends at the first one it reaches. */
  trustAnchors: Uint8Array[];
  /** DER CRLs available (embedded, DSS). */
  crls?: Uint8Array[];
  /** DER OCSPResponse or BasicOCSPResponse available. */
  ocspResponses?: Uint8Array[];
  /** Validation time (the signature time when proven). */
  time: Date;
  purpose?: ValidationPurpose;
  requiredRgsLevel?: RgsLevel;
  /** Policy OID → RGS level; DEFAULT_POLICY_MAP when absent. */
  policyMap?: PolicyLevelMap;
  fetchRevocation?: RevocationFetcher;
  /** Default true: an end-entity without usable revocation data is INDETERMINATE. */
  revocationRequired?: boolean;
  /** Default false: a CA certificate without revocation data is accepted (checked when data exists). */
  revocationRequiredForCAs?: boolean;
  /** Default 10: longest path searched, anchor included. */
  maxPathLength?: number;
  /**
   * RFC 5280 §6.1.1 (c): the policies the relying party accepts, in the trust anchor's
   * domain. Default: any policy. With `initialExplicitPolicy`, a path must be valid for
   * one of them.
   */
  initialPolicySet?: string[];
  /** §6.1.1 (f): the path must be valid for at least one acceptable policy. Default false. */
  initialExplicitPolicy?: boolean;
  /** §6.1.1 (e): policy mappings are not followed. Default false. */
  initialPolicyMappingInhibit?: boolean;
  /** §6.1.1 (g): anyPolicy in a certificate stands for nothing. Default false. */
  initialAnyPolicyInhibit?: boolean;
}

export type PathIndication = 'PASSED' | 'FAILED' | 'INDETERMINATE';

export type PathSubIndication =
  | 'REVOKED'
  | 'NO_CERTIFICATE_CHAIN_FOUND'
  | 'OUT_OF_BOUNDS_NO_POE'
  | 'OUT_OF_BOUNDS_NOT_REVOKED'
  | 'NOT_YET_VALID'
  | 'REVOCATION_OUT_OF_BOUNDS_NO_POE'
  | 'TRY_LATER'
  | 'CHAIN_CONSTRAINTS_FAILURE'
  | 'SIG_CRYPTO_FAILURE'
  | 'CRYPTO_CONSTRAINTS_FAILURE'
  | 'FORMAT_FAILURE'
  | 'POLICY_PROCESSING_ERROR'
  | 'KEY_USAGE_FAILURE'
  | 'RGS_LEVEL_TOO_LOW';

export type RevocationStatus = 'good' | 'revoked' | 'unknown';

/** What was learnt about one certificate of the path. */
export interface CertificateRevocation {
  subject: string;
  serialNumber: string;
  status: RevocationStatus;
  source?: 'crl' | 'ocsp';
  /** Set when the certificate is revoked, also when revoked after the validation time. */
  revokedAt?: Date;
  reason?: string;
  /** True when a revocation exists but is later than the validation time. */
  revokedAfterTime?: boolean;
  /** True when no check was needed (trust anchor, OCSP no-check responder). */
  skipped?: boolean;
}

export interface PathRevocation {
  /** Status of the end-entity certificate at the validation time. */
  status: RevocationStatus;
  source?: 'crl' | 'ocsp';
  revokedAt?: Date;
  reason?: string;
  checkedCerts: CertificateRevocation[];
}

export interface PathValidationResult {
  indication: PathIndication;
  subIndication?: PathSubIndication;
  /** Plain French, precise. */
  reasons: string[];
  /** DER certificates, leaf → anchor, when a path was found. */
  path: Uint8Array[];
  revocation: PathRevocation;
  /** Revocation data that settled a status: what a verifier keeps in a DSS. */
  usedCrls: Uint8Array[];
  usedOcsp: Uint8Array[];
  /** Policy OIDs of the end-entity certificate. */
  policies: string[];
  /**
   * RFC 5280 §6.1.6: the policies valid for the path (the user-constrained policy set, in
   * the trust anchor's domain; 2.5.29.32.0 when any policy is); empty when none is.
   */
  validPolicies: string[];
  /** The best RGS level among the policies valid for the path (see docs/validation.md). */
  rgsLevel: RgsLevel | null;
}

export interface TimestampVerificationOptions {
  /** Data whose hash must equal the token's imprint, or */
  data?: Uint8Array;
  /** the expected imprint directly. */
  imprint?: Uint8Array;
  trustAnchors: Uint8Array[];
  intermediates?: Uint8Array[];
  crls?: Uint8Array[];
  ocspResponses?: Uint8Array[];
  /** Time the TSA chain is validated at; genTime when absent. */
  time?: Date;
  policyMap?: PolicyLevelMap;
  fetchRevocation?: RevocationFetcher;
  /** Passed to the TSA chain validation (default true). */
  revocationRequired?: boolean;
  /**
   * Read the token as BER (indefinite lengths, constructed strings), as common TSAs write
   * it: for a verifier reading other software's files. DER only by default.
   */
  ber?: boolean;
}

export interface TimestampVerification {
  ok: boolean;
  reasons: string[];
  genTime?: Date;
  serialNumber?: string;
  policy?: string;
  hashAlgorithm?: string;
  /** The imprint carried by the token. */
  imprint?: Uint8Array;
  imprintMatches: boolean;
  tsaCertificate?: Uint8Array;
  certificates: Uint8Array[];
  accuracyMs?: number;
  nonce?: bigint;
  /** The CMS signature over the signed attributes verifies and message-digest matches the TSTInfo. */
  signatureValid: boolean;
  essCertIdMatches: boolean;
  chain?: PathValidationResult;
}
