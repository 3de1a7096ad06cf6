/**
 * The contracts other modules (signature/, vault/, activities/) rely on.
 * Implementations live beside this file; keep these shapes stable.
 */
export type HashAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';

export type KeyAlgorithm =
  | { name: 'RSASSA-PKCS1-v1_5'; modulusLength: number }
  | { name: 'RSA-PSS'; modulusLength: number; saltLength: number }
  | { name: 'ECDSA'; namedCurve: 'P-256' | 'P-384' | 'P-521' };

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

/** ECDSA signatures come raw (r‖s) from WebCrypto and PKCS#11; CMS wants DER. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length % 2 !== 0 || raw.length === 0) throw new Error('ECDSA raw signature has an odd length');
  const half = raw.length / 2;
  const integer = (bytes: Uint8Array): number[] => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    const body = Array.from(bytes.subarray(i));
    if ((body[0] ?? 0) & 0x80) body.unshift(0);
    return [0x02, ...derLength(body.length), ...body];
  };
  const content = [...integer(raw.subarray(0, half)), ...integer(raw.subarray(half))];
  return Uint8Array.from([0x30, ...derLength(content.length), ...content]);
}

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  return [0x82, n >> 8, n & 0xff];
}
