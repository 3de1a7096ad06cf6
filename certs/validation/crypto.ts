import { constants, createHash, verify, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { RsaSaPssParams } from '@peculiar/asn1-rsa';
import { contentKey, Memo } from './memo.ts';
import { importSpki } from './public-keys.ts';

export class UnsupportedAlgorithmError extends Error {
  override name = 'UnsupportedAlgorithmError';
}

export type DigestName = 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** An AlgorithmIdentifier: its OID and the DER of its parameters, if any. */
export interface AlgorithmRef {
  oid: string;
  params?: Uint8Array;
}

export const HASH_OIDS: Readonly<Record<string, DigestName>> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.4': 'SHA-224',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

const RSA_PKCS1: Readonly<Record<string, DigestName>> = {
  '1.2.840.113549.1.1.5': 'SHA-1',
  '1.2.840.113549.1.1.14': 'SHA-224',
  '1.2.840.113549.1.1.11': 'SHA-256',
  '1.2.840.113549.1.1.12': 'SHA-384',
  '1.2.840.113549.1.1.13': 'SHA-512',
};
const ECDSA: Readonly<Record<string, DigestName>> = {
  '1.2.840.10045.4.1': 'SHA-1',
  '1.2.840.10045.4.3.1': 'SHA-224',
  '1.2.840.10045.4.3.2': 'SHA-256',
  '1.2.840.10045.4.3.3': 'SHA-384',
  '1.2.840.10045.4.3.4': 'SHA-512',
};
const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const RSA_PSS = '1.2.840.113549.1.1.10';
const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const MGF1 = '1.2.840.113549.1.1.8';

export interface SignatureScheme {
  kind: 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa';
  hash: DigestName;
  /** RSA-PSS only. */
  saltLength?: number;
  mgf1Hash?: DigestName;
}

/** RFC 5754 / RFC 4055: parameters absent or NULL, nothing else. */
function requireNullOrAbsent(algorithm: AlgorithmRef): void {
  const p = algorithm.params;
  if (p && !(p.length === 2 && p[0] === 0x05 && p[1] === 0x00)) {
    throw new UnsupportedAlgorithmError(`paramètres invalides pour l'algorithme ${algorithm.oid}`);
  }
}

/** A digest AlgorithmIdentifier: known hash, parameters absent or NULL. */
export function digestAlgorithm(algorithm: AlgorithmRef): DigestName {
  requireNullOrAbsent(algorithm);
  return digestOf(algorithm.oid);
}

export function digestOf(oid: string): DigestName {
  const name = HASH_OIDS[oid];
  if (!name) throw new UnsupportedAlgorithmError(`algorithme de hachage non pris en charge (${oid})`);
  return name;
}

export function hash(name: DigestName, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(name.replace('-', '').toLowerCase()).update(data).digest());
}

/**
 * Reads a signature AlgorithmIdentifier. CMS may name only the key type
 * (rsaEncryption, id-ecPublicKey): the digest then comes from `digestHint`.
 */
export function signatureScheme(algorithm: AlgorithmRef, digestHint?: DigestName): SignatureScheme {
  const pkcs1 = RSA_PKCS1[algorithm.oid];
  if (pkcs1 || algorithm.oid === RSA_ENCRYPTION) requireNullOrAbsent(algorithm);
  if (pkcs1) return { kind: 'rsa-pkcs1', hash: pkcs1 };
  const ec = ECDSA[algorithm.oid];
  if (ec && algorithm.params) throw new UnsupportedAlgorithmError(`paramètres inattendus pour ECDSA (${algorithm.oid})`);
  if (ec) return { kind: 'ecdsa', hash: ec };
  if (algorithm.oid === RSA_ENCRYPTION || algorithm.oid === EC_PUBLIC_KEY) {
    if (!digestHint) throw new UnsupportedAlgorithmError(`algorithme ${algorithm.oid} sans algorithme de hachage associé`);
    return { kind: algorithm.oid === RSA_ENCRYPTION ? 'rsa-pkcs1' : 'ecdsa', hash: digestHint };
  }
  if (algorithm.oid === RSA_PSS) return pssScheme(algorithm.params);
  throw new UnsupportedAlgorithmError(`algorithme de signature non pris en charge (${algorithm.oid})`);
}

function pssScheme(params: Uint8Array | undefined): SignatureScheme {
  if (!params || (params.length === 2 && params[0] === 0x05)) {
    throw new UnsupportedAlgorithmError('RSA-PSS sans paramètres : ils sont obligatoires');
  }
  let parsed: RsaSaPssParams;
  try {
    parsed = AsnConvert.parse(params, RsaSaPssParams);
  } catch (error) {
    throw new UnsupportedAlgorithmError(`paramètres RSA-PSS illisibles : ${(error as Error).message}`);
  }
  const hashName = digestOf(parsed.hashAlgorithm.algorithm);
  if (parsed.maskGenAlgorithm.algorithm !== MGF1) {
    throw new UnsupportedAlgorithmError(`fonction de masque RSA-PSS non prise en charge (${parsed.maskGenAlgorithm.algorithm})`);
  }
  const mgfParams = parsed.maskGenAlgorithm.parameters;
  const mgf1Hash = mgfParams ? digestOf(AsnConvert.parse(mgfParams, AlgorithmIdentifier).algorithm) : 'SHA-1';
  if (parsed.trailerField !== 1) throw new UnsupportedAlgorithmError(`champ final RSA-PSS ${parsed.trailerField} non pris en charge`);
  return { kind: 'rsa-pss', hash: hashName, saltLength: parsed.saltLength, mgf1Hash };
}

/** Imports an SPKI once: the same CA keys verify certificate after certificate. */
export function publicKeyFrom(spki: Uint8Array | KeyObject): KeyObject {
  if (!(spki instanceof Uint8Array)) return spki;
  try {
    return importSpki(spki);
  } catch (error) {
    throw new UnsupportedAlgorithmError(`clé publique illisible : ${(error as Error).message}`);
  }
}

/**
 * Verifies `signature` over `data` with native crypto: RSA PKCS#1 v1.5, RSA-PSS
 * (hash, MGF1 hash and salt length from the parameters) and ECDSA (DER signature).
 * Returns false for a wrong signature or a key of the wrong type; throws
 * UnsupportedAlgorithmError for an algorithm or parameters it cannot handle.
 */
export function verifySignedData(
  publicKey: Uint8Array | KeyObject,
  algorithm: AlgorithmRef,
  data: Uint8Array,
  signature: Uint8Array,
  digestHint?: DigestName,
): boolean {
  const scheme = signatureScheme(algorithm, digestHint);
  const key = publicKeyFrom(publicKey);
  const keyType = key.asymmetricKeyType;
  const digest = scheme.hash.replace('-', '').toLowerCase();
  try {
    if (scheme.kind === 'ecdsa') {
      if (keyType !== 'ec') return false;
      return verify(digest, data, { key, dsaEncoding: 'der' }, signature);
    }
    if (keyType !== 'rsa' && keyType !== 'rsa-pss') return false;
    if (scheme.kind === 'rsa-pkcs1') {
      if (keyType === 'rsa-pss') return false;
      return verify(digest, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
    }
    // Node's verify uses the message digest for MGF1: a different MGF1 hash cannot be checked natively.
    if (scheme.mgf1Hash !== scheme.hash) {
      throw new UnsupportedAlgorithmError(`RSA-PSS avec MGF1 ${scheme.mgf1Hash} différent du hachage ${scheme.hash} non pris en charge`);
    }
    return verify(digest, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength }, signature);
  } catch (error) {
    if (error instanceof UnsupportedAlgorithmError) throw error;
    return false;
  }
}

const verified = new Memo<boolean>(5000);

/**
 * verifySignedData with a memory: certificates, CRLs and OCSP responses are checked
 * once per process however many signatures and files they serve.
 */
export function verifySignedDataCached(
  spki: Uint8Array,
  algorithm: AlgorithmRef,
  data: Uint8Array,
  signature: Uint8Array,
  digestHint?: DigestName,
): boolean {
  const key = contentKey(spki, algorithm.oid, algorithm.params ?? '', data, signature, digestHint ?? '');
  return verified.get(key, () => verifySignedData(spki, algorithm, data, signature, digestHint));
}
