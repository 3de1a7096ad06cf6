import { constants, verify, type KeyObject } from 'node:crypto';
import type { HashAlgorithm, KeyAlgorithm } from '../certs/types.ts';
import { importSpki } from '../certs/validation/public-keys.ts';
import { NODE_HASH } from './cms/algorithms.ts';
import { certificateFacts } from './cms/certificate.ts';

export function publicKeyOf(certificate: Uint8Array): KeyObject {
  return importSpki(certificateFacts(certificate).spki);
}

/** The signing algorithm a certificate's key implies (PKCS#1 v1.5 for plain RSA keys). */
export function keyAlgorithmOf(certificate: Uint8Array, hash: HashAlgorithm): KeyAlgorithm {
  const k = publicKeyOf(certificate);
  const d = k.asymmetricKeyDetails ?? {};
  if (k.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', modulusLength: d.modulusLength ?? 2048 };
  if (k.asymmetricKeyType === 'rsa-pss') return { name: 'RSA-PSS', modulusLength: d.modulusLength ?? 2048, saltLength: d.saltLength ?? hashLength(hash) };
  if (k.asymmetricKeyType === 'ec') {
    const curve = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[d.namedCurve ?? ''] as 'P-256' | 'P-384' | 'P-521' | undefined;
    if (curve) return { name: 'ECDSA', namedCurve: curve };
  }
  throw new Error('Type de clé du certificat non pris en charge : RSA ou ECDSA P-256/P-384/P-521 attendu.');
}

const hashLength = (h: HashAlgorithm): number => ({ 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 })[h];

/** Checks a signature value against the certificate before it is embedded. */
export function signatureMatches(certificate: Uint8Array, key: KeyAlgorithm, hash: HashAlgorithm, data: Uint8Array, signature: Uint8Array): boolean {
  const publicKey = publicKeyOf(certificate);
  try {
    if (key.name === 'RSA-PSS') {
      return verify(NODE_HASH[hash], data, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: key.saltLength }, signature);
    }
    if (key.name === 'ECDSA') return verify(NODE_HASH[hash], data, { key: publicKey, dsaEncoding: 'der' }, signature);
    return verify(NODE_HASH[hash], data, publicKey, signature);
  } catch {
    return false;
  }
}
