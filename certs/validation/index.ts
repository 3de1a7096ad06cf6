/**
 * Certificate path validation (RFC 5280 §6 with CRL and OCSP revocation) and
 * RFC 3161 timestamp token verification. Pure: DER in, result objects out; the
 * network is reached only through a fetcher the caller passes in. Certificates,
 * algorithms and signatures are read and checked by asn1/.
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
export { parseCrl, CRL_REASONS, type ParsedCrl, type CrlEntry } from './crl.ts';
export { parseOcspResponse, buildOcspRequest, type ParsedOcsp, type OcspSingleResponse } from './ocsp.ts';
export { formatDate } from './dates.ts';
