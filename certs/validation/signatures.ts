import { verifySignatureCached, type AlgorithmIdentifier, type ParsedCertificate } from '../../asn1/index.ts';

/** A certificate, CRL or OCSP response: the signed bytes, the signature and its algorithm. */
export interface Signed {
  tbs: Uint8Array;
  signature: Uint8Array;
  signatureAlgorithm: AlgorithmIdentifier;
}

/**
 * Checks remembered by the identity of what was parsed. asn1/ shares one parse per
 * content (certificates, CRLs, OCSP responses), so the same TBS array comes back for
 * the next signature of a file and the next file of a batch, and a check made once is
 * found again without hashing the signed bytes. When asn1/ forgets a parse (eviction,
 * clearMemos) its arrays are unreachable and the entry goes with them.
 */
const checked = new WeakMap<Uint8Array, WeakMap<Uint8Array, boolean>>();

/** Whether `signer`'s key verifies `object`; throws an Asn1Error UNSUPPORTED_ALGORITHM as verifySignature does. */
export function signedWith(object: Signed, signer: ParsedCertificate): boolean {
  let bySigner = checked.get(object.tbs);
  if (!bySigner) checked.set(object.tbs, (bySigner = new WeakMap()));
  let ok = bySigner.get(signer.spki);
  if (ok === undefined) {
    ok = verifySignatureCached(signer.spki, object.signatureAlgorithm, object.tbs, object.signature);
    bySigner.set(signer.spki, ok);
  }
  return ok;
}
