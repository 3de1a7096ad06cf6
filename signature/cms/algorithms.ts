import { createHash, type Hash } from 'node:crypto';
import type { HashAlgorithm, KeyAlgorithm } from '../../certs/types.ts';
import { nul, oid, seq, tlv, int } from './der.ts';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStamp: '1.2.840.113549.1.9.16.2.14',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
} as const;

const DIGEST_OID: Record<HashAlgorithm, string> = {
  'SHA-256': '2.16.840.1.101.3.4.2.1',
  'SHA-384': '2.16.840.1.101.3.4.2.2',
  'SHA-512': '2.16.840.1.101.3.4.2.3',
};
const RSA_OID: Record<HashAlgorithm, string> = {
  'SHA-256': '1.2.840.113549.1.1.11',
  'SHA-384': '1.2.840.113549.1.1.12',
  'SHA-512': '1.2.840.113549.1.1.13',
};
const ECDSA_OID: Record<HashAlgorithm, string> = {
  'SHA-256': '1.2.840.10045.4.3.2',
  'SHA-384': '1.2.840.10045.4.3.3',
  'SHA-512': '1.2.840.10045.4.3.4',
};

/** node:crypto's name for each digest. */
export const NODE_HASH: Record<HashAlgorithm, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
export const DIGEST_LENGTH: Record<HashAlgorithm, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

export function parseHash(name: string): HashAlgorithm {
  const n = name.toUpperCase().replace(/^SHA-?/, 'SHA-');
  if (n === 'SHA-256' || n === 'SHA-384' || n === 'SHA-512') return n;
  throw new Error(`Algorithme de hachage inconnu « ${name} » : choisissez sha256, sha384 ou sha512.`);
}

/** Digest AlgorithmIdentifier, parameters absent (RFC 5754). */
const digestIds = new Map<HashAlgorithm, Buffer>();
export function digestAlgorithmId(hash: HashAlgorithm): Buffer {
  let id = digestIds.get(hash);
  if (!id) digestIds.set(hash, (id = seq(oid(DIGEST_OID[hash]))));
  return id;
}

const signatureIds = new Map<string, Buffer>();
export function signatureAlgorithmId(key: KeyAlgorithm, hash: HashAlgorithm): Buffer {
  const k = `${key.name}/${key.name === 'RSA-PSS' ? key.saltLength : ''}/${hash}`;
  let id = signatureIds.get(k);
  if (!id) signatureIds.set(k, (id = encodeSignatureAlgorithmId(key, hash)));
  return id;
}

function encodeSignatureAlgorithmId(key: KeyAlgorithm, hash: HashAlgorithm): Buffer {
  switch (key.name) {
    case 'RSASSA-PKCS1-v1_5':
      return seq(oid(RSA_OID[hash]), nul);
    case 'ECDSA':
      return seq(oid(ECDSA_OID[hash]));
    case 'RSA-PSS': {
      const h = digestAlgorithmId(hash);
      const params = seq(tlv(0xa0, h), tlv(0xa1, seq(oid(OID.mgf1), h)), tlv(0xa2, int(key.saltLength)));
      return seq(oid(OID.rsaPss), params);
    }
  }
}

/** Empty hash contexts to copy: cheaper than a fresh createHash, which looks the digest up each time. */
const blank = new Map<HashAlgorithm, Hash>();
export function newHash(hash: HashAlgorithm): Hash {
  let b = blank.get(hash);
  if (!b) blank.set(hash, (b = createHash(NODE_HASH[hash])));
  return b.copy();
}
