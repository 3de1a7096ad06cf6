/**
 * The one signature verification: chain validation (certificates, CRLs, OCSP
 * responses), CMS signatures and timestamp tokens all come here, so an algorithm
 * and its parameters are judged the same way wherever they appear.
 */
import { constants, verify, type KeyObject } from 'node:crypto';
import { signatureScheme, DIGESTS, type AlgorithmIdentifier, type DigestName } from './algorithms.ts';
import { Asn1Error } from './errors.ts';
import { contentKey, Memo } from './memo.ts';
import { importSpki } from './public-keys.ts';

/**
 * Verifies `signature` over `data` with native crypto: RSA PKCS#1 v1.5, RSA-PSS
 * (hash, MGF1 hash, salt length and trailer field from the parameters), ECDSA (DER
 * `SEQUENCE { r, s }`) and Ed25519. `digestHint` is the CMS SignerInfo's digest, used
 * when the algorithm names only the key type (rsaEncryption, id-ecPublicKey).
 * Returns false for a wrong signature or a key of the wrong type; throws an Asn1Error
 * UNSUPPORTED_ALGORITHM for an algorithm, parameters or a key it cannot use.
 */
export function verifySignature(publicKey: Uint8Array | KeyObject, algorithm: AlgorithmIdentifier, data: Uint8Array, signature: Uint8Array, digestHint?: DigestName): boolean {
  const scheme = signatureScheme(algorithm, digestHint);
  const key = publicKey instanceof Uint8Array ? importSpki(publicKey) : publicKey;
  const keyType = key.asymmetricKeyType;
  const digest = DIGESTS[scheme.hash].node;
  try {
    switch (scheme.kind) {
      case 'ed25519':
        return keyType === 'ed25519' && verify(null, data, key, signature);
      case 'ecdsa':
        return keyType === 'ec' && verify(digest, data, { key, dsaEncoding: 'der' }, signature);
      case 'rsa-pkcs1':
        return keyType === 'rsa' && verify(digest, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
      case 'rsa-pss':
        if (keyType !== 'rsa' && keyType !== 'rsa-pss') return false;
        // Node's verify uses the message digest for MGF1: a different MGF1 hash cannot be checked natively.
        if (scheme.mgf1Hash !== scheme.hash) {
          throw new Asn1Error('UNSUPPORTED_ALGORITHM', `RSA-PSS avec MGF1 ${scheme.mgf1Hash} différent du hachage ${scheme.hash} non pris en charge`);
        }
        return verify(digest, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength! }, signature);
    }
  } catch (error) {
    if (error instanceof Asn1Error) throw error;
    return false;
  }
}

const verified = new Memo<boolean>(5000);

/**
 * verifySignature with a memory: certificates, CRLs and OCSP responses are checked
 * once per process however many signatures and files they serve.
 */
export function verifySignatureCached(spki: Uint8Array, algorithm: AlgorithmIdentifier, data: Uint8Array, signature: Uint8Array, digestHint?: DigestName): boolean {
  const key = contentKey(spki, algorithm.oid, algorithm.params ?? '', data, signature, digestHint ?? '');
  return verified.get(key, () => verifySignature(spki, algorithm, data, signature, digestHint));
}
