/**
 * The contracts other modules (signature/, vault/, activities/) rely on.
 * Implementations live beside this file; keep these shapes stable.
 */
import type { HashAlgorithm, KeyAlgorithm } from '../asn1/index.ts';

export type { HashAlgorithm, KeyAlgorithm };

/**
 * Anything that can sign with a private key it keeps to itself: a software key,
 * a PKCS#11 token, a server-side seal key, a remote device.
 */
export interface Signer {
  /** DER of the signer's own certificate. */
  readonly certificate: Uint8Array;
  /** DER certificates from the signer's issuer up to (optionally) the root. */
  readonly chain: Uint8Array[];
  readonly keyAlgorithm: KeyAlgorithm;
  /**
   * Hashes `data` with `hash` and signs it. The value is returned the way CMS
   * carries it: PKCS#1 v1.5 or PSS bytes for RSA, DER `SEQUENCE { r, s }` for ECDSA.
   */
  sign(data: Uint8Array, hash: HashAlgorithm): Promise<Uint8Array>;
  /**
   * True only when every value `sign` returns is known to verify under `certificate`:
   * an in-process OpenSSL key whose public half was matched against the certificate
   * when the signer was made (OpenSSL re-checks its own RSA-CRT results). Callers may
   * then skip their own check of the value; tokens, browsers and remote keys leave it unset.
   */
  readonly selfVerifying?: boolean;
}

/** An RFC 3161 client: returns the DER TimeStampToken (a CMS ContentInfo). */
export interface Timestamper {
  timestamp(messageImprint: Uint8Array, hash: HashAlgorithm): Promise<Uint8Array>;
}
