import { DIGESTS, keyAlgorithmOf, parseCertificate, publicKeyOf, signatureAlgorithm, verifySignature, type HashAlgorithm, type KeyAlgorithm } from '../asn1/index.ts';

/** The signing algorithm a certificate's key implies (PKCS#1 v1.5 for plain RSA keys; an RSASSA-PSS key's own salt, else the digest's length). */
export function signingAlgorithmOf(certificate: Uint8Array, hash: HashAlgorithm): KeyAlgorithm {
  return keyAlgorithmOf(publicKeyOf(parseCertificate(certificate)), { saltLength: DIGESTS[hash].length });
}

/** Checks a signature value against the certificate before it is embedded, by the verifier's own rules. */
export function signatureMatches(certificate: Uint8Array, key: KeyAlgorithm, hash: HashAlgorithm, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verifySignature(parseCertificate(certificate).spki, signatureAlgorithm(key, hash), data, signature);
  } catch {
    return false;
  }
}
