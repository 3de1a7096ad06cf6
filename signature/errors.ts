/** Why the signer refused; callers branch on `code`, people read `message` (French). */
export type SigningErrorCode =
  /** A certificate of the signer's chain is past its notAfter. */
  | 'SIGNER_CERT_EXPIRED'
  /** A certificate of the signer's chain is before its notBefore. */
  | 'SIGNER_CERT_NOT_YET_VALID'
  /** The revocation data found (given, fetched) says a certificate of the chain is revoked. */
  | 'SIGNER_CERT_REVOKED';

export class SigningError extends Error {
  override readonly name = 'SigningError';
  constructor(
    readonly code: SigningErrorCode,
    message: string,
  ) {
    super(message);
  }
}
