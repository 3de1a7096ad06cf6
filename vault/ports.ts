/**
 * What the vault needs from the PKI and the PAdES modules, as small ports. The vault
 * never imports certs/ or signature/ itself: vault/adapters.ts is the one file that
 * wires today's implementations to these shapes.
 */

/** An RFC 3161 timestamp authority and the check of its tokens. */
export interface Timestamper {
  /** A DER TimeStampToken (CMS ContentInfo) over `imprint`, a SHA-512 digest. */
  timestamp(imprint: Uint8Array): Promise<Uint8Array>;
  /** Imprint, token signature, ESSCertIDv2 and the TSA's chain to the trust anchors at genTime. */
  verify(token: Uint8Array, imprint: Uint8Array): Promise<TimestampCheck>;
}

export interface TimestampCheck {
  ok: boolean;
  /** French, most important first; empty when ok. */
  reasons: string[];
  genTime: Date | null;
  /** The TSA certificate's subject and serial, for reports. */
  tsa: { subject: string; serialNumber: string; notAfter: Date } | null;
  /** DER certificates the token carries (the TSA's and its chain): exported beside the seals. */
  certificates: Uint8Array[];
}

/** Evidence kept beside a signed document: chains, CRLs, OCSP responses. */
export interface Evidence {
  certificates: Uint8Array[];
  crls: Uint8Array[];
  ocspResponses: Uint8Array[];
}

/** The PAdES verifier, run at the time of the evidence. */
export interface SignatureVerifier {
  verify(pdf: Uint8Array, context: { time: Date; evidence: Evidence }): Promise<SignatureVerdict>;
  /** DER trust anchors the verdicts and the seals' timestamps rest on: exported with the packages. */
  trustAnchors(): Promise<Uint8Array[]>;
}

export type Indication = 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';

export interface SignatureVerdict {
  /** False when the file holds no signature at all (nothing to judge). */
  signed: boolean;
  indication: Indication;
  subIndication: string | null;
  reasons: string[];
  signatures: {
    kind: 'signature' | 'document-timestamp';
    signer: string | null;
    indication: Indication;
    subIndication: string | null;
    level: string | null;
    /** Proven time (a timestamp's genTime) or null. */
    time: string | null;
  }[];
}

/** The newest timestamp of a signed PDF: what decides when it must be re-extended. */
export interface NewestTimestamp {
  genTime: Date;
  tsaCertificateNotAfter: Date;
  /** Imprint hash of the token, e.g. SHA-256. */
  hashAlgorithm: string;
  /** The TSA's key, e.g. RSA-2048, EC-P256. */
  keyAlgorithm: string;
}

/** What preservation needs to know of a PDF before deciding to extend it. */
export interface PdfInspection {
  /** Signatures and document timestamps found. */
  signatures: number;
  newestTimestamp: NewestTimestamp | null;
}

/** `passeport extend`'s logic: validation data for every signature and timestamp, then a new document timestamp. */
export interface PdfExtender {
  inspect(pdf: Uint8Array): Promise<PdfInspection>;
  extend(pdf: Uint8Array, options: { hash: 'SHA-256' | 'SHA-384' | 'SHA-512' }): Promise<Uint8Array>;
}

/** The ports together, as the vault receives them. */
export interface VaultPorts {
  timestamper: Timestamper;
  verifier: SignatureVerifier;
  extender: PdfExtender;
}
