import type { HashAlgorithm, KeyAlgorithm } from '../types.ts';
import { nullValue, oid, seq, ctx, integer } from './der.ts';

/** Digest OIDs (NIST) with the byte length of their output. */
export const DIGESTS: Readonly<Record<HashAlgorithm, { oid: string; length: number; node: string }>> = {
  'SHA-256': { oid: '2.16.840.1.101.3.4.2.1', length: 32, node: 'sha256' },
  'SHA-384': { oid: '2.16.840.1.101.3.4.2.2', length: 48, node: 'sha384' },
  'SHA-512': { oid: '2.16.840.1.101.3.4.2.3', length: 64, node: 'sha512' },
};

/** Hash algorithms a message imprint may use, by OID. */
export function digestByOid(dotted: string): HashAlgorithm | null {
  for (const [name, d] of Object.entries(DIGESTS)) if (d.oid === dotted) return name as HashAlgorithm;
  return null;
}

/** AlgorithmIdentifier of a digest, parameters absent (RFC 5754 allows both; absent is preferred). */
export function digestAlgorithmId(hash: HashAlgorithm): Buffer {
  return seq(oid(DIGESTS[hash].oid));
}

/** AlgorithmIdentifier of the signature a Signer with `key` produces with `hash`. */
export function signatureAlgorithmId(key: KeyAlgorithm, hash: HashAlgorithm): Buffer {
  switch (key.name) {
    case 'RSASSA-PKCS1-v1_5': {
      const byHash = { 'SHA-256': '1.2.840.113549.1.1.11', 'SHA-384': '1.2.840.113549.1.1.12', 'SHA-512': '1.2.840.113549.1.1.13' };
      return seq(oid(byHash[hash]), nullValue());
    }
    case 'ECDSA': {
      const byHash = { 'SHA-256': '1.2.840.10045.4.3.2', 'SHA-384': '1.2.840.10045.4.3.3', 'SHA-512': '1.2.840.10045.4.3.4' };
      return seq(oid(byHash[hash]));
    }
    case 'RSA-PSS': {
      const digest = digestAlgorithmId(hash);
      const mgf = seq(oid('1.2.840.113549.1.1.8'), digest);
      return seq(oid('1.2.840.113549.1.1.10'), seq(ctx(0, digest), ctx(1, mgf), ctx(2, integer(key.saltLength))));
    }
  }
}

/** The hash that suits a key: SHA-384 for P-384, SHA-512 for P-521, SHA-256 otherwise. */
export function defaultHashFor(key: KeyAlgorithm): HashAlgorithm {
  if (key.name === 'ECDSA' && key.namedCurve === 'P-384') return 'SHA-384';
  if (key.name === 'ECDSA' && key.namedCurve === 'P-521') return 'SHA-512';
  return 'SHA-256';
}
