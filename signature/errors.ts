import { PasseportError } from '../errors/index.ts';

/**
 * Why the signer refused or could not finish (docs/errors.md). `message` is French,
 * for the person signing; `code` is what callers branch on.
 */
export type SignatureErrorCode =
  /** A PAdES level other than B-B, B-T, B-LT, B-LTA. */
  | 'SIGN_LEVEL_UNKNOWN'
  /** B-T and above need a timestamping authority. */
  | 'SIGN_TSA_REQUIRED'
  /** The TSA did not answer, refused, or answered something unreadable. */
  | 'SIGN_TIMESTAMP_FAILED'
  /** The page asked for the signature field does not exist. */
  | 'SIGN_PAGE_NOT_FOUND'
  /** A field of that name exists and cannot take this signature (not a signature field, or already signed). */
  | 'SIGN_FIELD_EXISTS'
  /** No free room on the page for a visible signature of that size. */
  | 'SIGN_NO_ROOM'
  /** The document is certified with no change allowed (DocMDP P1). */
  | 'SIGN_DOCUMENT_LOCKED'
  /** Certification (DocMDP) asked for a document that is already signed. */
  | 'SIGN_CERTIFY_NOT_FIRST'
  /** A signature value that does not verify with the certificate over the prepared attributes. */
  | 'SIGN_VALUE_MISMATCH'
  /** A deferred signature's stored state that is unknown, corrupt or inconsistent. */
  | 'SIGN_PREPARED_INVALID'
  /** The stored prepared PDF no longer matches the attributes prepared for it. */
  | 'SIGN_PREPARED_ALTERED'
  /** The CMS does not fit the room reserved for it. */
  | 'SIGN_RESERVE_TOO_SMALL'
  /** `extend` on a document without any signature. */
  | 'SIGN_NOTHING_TO_EXTEND'
  /** A certificate whose issuer is neither given nor reachable. */
  | 'SIGN_CHAIN_INCOMPLETE'
  /** A certificate with revocation URLs for which no CRL or OCSP answer could be had. */
  | 'SIGN_REVOCATION_MISSING'
  /** A CRL, OCSP or certificate download that failed (unsupported address, no answer, HTTP error, too large). */
  | 'SIGN_FETCH_FAILED'
  /** The signer's own bookkeeping went wrong (a placeholder it wrote cannot be found). */
  | 'SIGN_INTERNAL'
  /** A certificate of the signer's chain is past its notAfter. */
  | 'SIGNER_CERT_EXPIRED'
  /** A certificate of the signer's chain is before its notBefore. */
  | 'SIGNER_CERT_NOT_YET_VALID'
  /** The revocation data found (given, fetched) says a certificate of the chain is revoked. */
  | 'SIGNER_CERT_REVOKED';

export class SignatureError extends PasseportError<SignatureErrorCode> {}
