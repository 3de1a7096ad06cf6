/**
 * Certificate path validation (RFC 5280 §6 with CRL and OCSP revocation) and
 * RFC 3161 timestamp token verification. Pure: DER in, result objects out; the
 * network is reached only through a fetcher the caller passes in.
 */
export type {
  CertificateRevocation,
  PathIndication,
  PathRevocation,
  PathSubIndication,
  PathValidationInput,
  PathValidationResult,
  RevocationFetcher,
  RevocationStatus,
  TimestampVerification,
  TimestampVerificationOptions,
  ValidationPurpose,
} from './types.ts';
export { validatePath } from './path.ts';
export { verifyTimestampToken } from './timestamp.ts';
export { parseCertificate, CertificateFormatError, normalizeSerial } from './certificate.ts';
export type { ParsedCertificate, RawExtension } from './certificate.ts';
export { pemOrDerToDer, pemOrDerToDerList, DerFormatError } from './der.ts';
export { verifySignedData, signatureScheme, hash, digestOf, digestAlgorithm, UnsupportedAlgorithmError, HASH_OIDS } from './crypto.ts';
export type { AlgorithmRef, DigestName, SignatureScheme } from './crypto.ts';
