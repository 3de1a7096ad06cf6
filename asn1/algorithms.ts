/**
 * Algorithms by name and by AlgorithmIdentifier: digests, the signature schemes a
 * verifier accepts, and the identifiers a signer writes.
 */
import { createHash, type Hash, type KeyObject } from 'node:crypto';
import { Asn1Error } from './errors.ts';
import { OID } from './oids.ts';
import { parse, type Node } from './reader.ts';
import { ctx, integer, NULL, oid, seq, unsignedInteger } from './writer.ts';

/** Digests a signer may use. */
export type HashAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';
/** Digests a verifier may meet. */
export type DigestName = 'SHA-1' | 'SHA-224' | HashAlgorithm;

/** What a signer's key produces (the Signer contract of certs/types.ts). */
export type KeyAlgorithm =
  | { name: 'RSASSA-PKCS1-v1_5'; modulusLength: number }
  | { name: 'RSA-PSS'; modulusLength: number; saltLength: number }
  | { name: 'ECDSA'; namedCurve: 'P-256' | 'P-384' | 'P-521' };

/** An AlgorithmIdentifier: its OID and the DER of its parameters, if any. */
export interface AlgorithmIdentifier {
  oid: string;
  params?: Uint8Array;
}

export const DIGESTS: Readonly<Record<DigestName, { oid: string; length: number; node: string }>> = {
  'SHA-1': { oid: OID.sha1, length: 20, node: 'sha1' },
  'SHA-224': { oid: OID.sha224, length: 28, node: 'sha224' },
  'SHA-256': { oid: OID.sha256, length: 32, node: 'sha256' },
  'SHA-384': { oid: OID.sha384, length: 48, node: 'sha384' },
  'SHA-512': { oid: OID.sha512, length: 64, node: 'sha512' },
};

const DIGEST_BY_OID = new Map(Object.entries(DIGESTS).map(([name, d]) => [d.oid, name as DigestName]));

/** The digest an OID names, or null. */
export function digestByOid(dotted: string): DigestName | null {
  return DIGEST_BY_OID.get(dotted) ?? null;
}

export function digestOf(dotted: string): DigestName {
  const name = digestByOid(dotted);
  if (!name) throw new Asn1Error('UNSUPPORTED_ALGORITHM', `algorithme de hachage non pris en charge (${dotted})`);
  return name;
}

/** « sha256 », « SHA-384 »… as typed on a command line. */
export function parseHash(name: string): HashAlgorithm {
  const n = name.toUpperCase().replace(/^SHA-?/, 'SHA-');
  if (n === 'SHA-256' || n === 'SHA-384' || n === 'SHA-512') return n;
  throw new Asn1Error('UNSUPPORTED_ALGORITHM', `Algorithme de hachage inconnu « ${name} » : choisissez sha256, sha384 ou sha512.`);
}

export function hash(name: DigestName, ...data: Uint8Array[]): Uint8Array {
  const h = newHash(name);
  for (const part of data) h.update(part);
  return h.digest();
}

/** Empty hash contexts to copy: cheaper than a fresh createHash, which looks the digest up each time. */
const blank = new Map<DigestName, Hash>();
export function newHash(name: DigestName): Hash {
  let b = blank.get(name);
  if (!b) blank.set(name, (b = createHash(DIGESTS[name].node)));
  return b.copy();
}

/** Reads an AlgorithmIdentifier SEQUENCE { OID, parameters OPTIONAL }. */
export function readAlgorithm(node: Node | undefined, what = 'AlgorithmIdentifier'): AlgorithmIdentifier {
  if (!node) throw new Asn1Error('MALFORMED', `${what} absent`);
  const parts = node.items(what);
  if (parts.length > 2) throw new Asn1Error('MALFORMED', `${what} : trop d’éléments`);
  const dotted = node.child(0, `${what}`).oid(what);
  return parts[1] ? { oid: dotted, params: parts[1].raw } : { oid: dotted };
}

const isNull = (p: Uint8Array): boolean => p.length === 2 && p[0] === 0x05 && p[1] === 0x00;

/** RFC 5754 / RFC 4055: parameters absent or NULL, nothing else. */
function requireNullOrAbsent(algorithm: AlgorithmIdentifier): void {
  if (algorithm.params && !isNull(algorithm.params)) {
    throw new Asn1Error('UNSUPPORTED_ALGORITHM', `paramètres invalides pour l'algorithme ${algorithm.oid}`);
  }
}

/** A digest AlgorithmIdentifier: known hash, parameters absent or NULL. */
export function digestAlgorithm(algorithm: AlgorithmIdentifier): DigestName {
  requireNullOrAbsent(algorithm);
  return digestOf(algorithm.oid);
}

export interface SignatureScheme {
  kind: 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa' | 'ed25519';
  /** The message digest (for Ed25519, SHA-512 inside the algorithm). */
  hash: DigestName;
  /** RSA-PSS only. */
  saltLength?: number;
  mgf1Hash?: DigestName;
}

const RSA_PKCS1: Readonly<Record<string, DigestName>> = {
  [OID.sha1WithRsa]: 'SHA-1',
  [OID.sha224WithRsa]: 'SHA-224',
  [OID.sha256WithRsa]: 'SHA-256',
  [OID.sha384WithRsa]: 'SHA-384',
  [OID.sha512WithRsa]: 'SHA-512',
};
const ECDSA: Readonly<Record<string, DigestName>> = {
  [OID.ecdsaWithSha1]: 'SHA-1',
  [OID.ecdsaWithSha224]: 'SHA-224',
  [OID.ecdsaWithSha256]: 'SHA-256',
  [OID.ecdsaWithSha384]: 'SHA-384',
  [OID.ecdsaWithSha512]: 'SHA-512',
};

/**
 * Reads a signature AlgorithmIdentifier. CMS may name only the key type
 * (rsaEncryption, id-ecPublicKey): the digest then comes from `digestHint`, the
 * SignerInfo's digest algorithm.
 */
export function signatureScheme(algorithm: AlgorithmIdentifier, digestHint?: DigestName): SignatureScheme {
  const pkcs1 = RSA_PKCS1[algorithm.oid];
  if (pkcs1 || algorithm.oid === OID.rsaEncryption) requireNullOrAbsent(algorithm);
  if (pkcs1) return { kind: 'rsa-pkcs1', hash: pkcs1 };
  const ec = ECDSA[algorithm.oid];
  if (ec && algorithm.params) throw new Asn1Error('UNSUPPORTED_ALGORITHM', `paramètres inattendus pour ECDSA (${algorithm.oid})`);
  if (ec) return { kind: 'ecdsa', hash: ec };
  if (algorithm.oid === OID.rsaEncryption || algorithm.oid === OID.ecPublicKey) {
    if (!digestHint) throw new Asn1Error('UNSUPPORTED_ALGORITHM', `algorithme ${algorithm.oid} sans algorithme de hachage associé`);
    if (algorithm.oid === OID.ecPublicKey && algorithm.params && !isNull(algorithm.params)) {
      throw new Asn1Error('UNSUPPORTED_ALGORITHM', `paramètres inattendus pour ECDSA (${algorithm.oid})`);
    }
    return { kind: algorithm.oid === OID.rsaEncryption ? 'rsa-pkcs1' : 'ecdsa', hash: digestHint };
  }
  if (algorithm.oid === OID.rsaPss) return pssScheme(algorithm.params);
  // RFC 8410 §3: Ed25519 takes no parameters, and signs the message itself.
  if (algorithm.oid === OID.ed25519) {
    if (algorithm.params) throw new Asn1Error('UNSUPPORTED_ALGORITHM', 'paramètres inattendus pour Ed25519');
    return { kind: 'ed25519', hash: 'SHA-512' };
  }
  throw new Asn1Error('UNSUPPORTED_ALGORITHM', `algorithme de signature non pris en charge (${algorithm.oid})`);
}

/**
 * RSASSA-PSS-params (RFC 4055 §3.1): [0] hashAlgorithm DEFAULT sha1, [1] maskGenAlgorithm
 * DEFAULT mgf1SHA1, [2] saltLength DEFAULT 20, [3] trailerField DEFAULT 1 (the only value defined).
 */
function pssScheme(params: Uint8Array | undefined): SignatureScheme {
  if (!params || isNull(params)) throw new Asn1Error('UNSUPPORTED_ALGORITHM', 'RSA-PSS sans paramètres : ils sont obligatoires');
  let hashName: DigestName = 'SHA-1';
  let mgf1Hash: DigestName = 'SHA-1';
  let saltLength = 20;
  let trailerField = 1;
  try {
    let last = -1;
    for (const field of parse(params).items('paramètres RSA-PSS')) {
      if ((field.tag & 0xe0) !== 0xa0 || field.number <= last || field.number > 3) throw new Asn1Error('MALFORMED', 'champ inattendu');
      last = field.number;
      const value = field.child(0, 'valeur');
      if (field.number === 0) hashName = digestAlgorithm(readAlgorithm(value, 'hashAlgorithm'));
      else if (field.number === 1) {
        const mgf = readAlgorithm(value, 'maskGenAlgorithm');
        if (mgf.oid !== OID.mgf1) throw new Asn1Error('UNSUPPORTED_ALGORITHM', `fonction de masque RSA-PSS non prise en charge (${mgf.oid})`);
        if (!mgf.params) throw new Asn1Error('MALFORMED', 'MGF1 sans algorithme de hachage');
        mgf1Hash = digestAlgorithm(readAlgorithm(parse(mgf.params), 'hachage de MGF1'));
      } else if (field.number === 2) saltLength = value.smallInteger('saltLength');
      else trailerField = value.smallInteger('trailerField');
    }
  } catch (error) {
    if (error instanceof Asn1Error && error.code === 'UNSUPPORTED_ALGORITHM') throw error;
    throw new Asn1Error('UNSUPPORTED_ALGORITHM', `paramètres RSA-PSS illisibles : ${(error as Error).message}`, { cause: error });
  }
  if (saltLength < 0) throw new Asn1Error('UNSUPPORTED_ALGORITHM', `longueur de sel RSA-PSS invalide (${saltLength})`);
  if (trailerField !== 1) throw new Asn1Error('UNSUPPORTED_ALGORITHM', `champ final RSA-PSS ${trailerField} non pris en charge`);
  return { kind: 'rsa-pss', hash: hashName, saltLength, mgf1Hash };
}

/** AlgorithmIdentifier of a digest, parameters absent (RFC 5754 allows both; absent is preferred). */
const digestIds = new Map<DigestName, Buffer>();
export function digestAlgorithmId(name: DigestName): Buffer {
  let id = digestIds.get(name);
  if (!id) digestIds.set(name, (id = seq(oid(DIGESTS[name].oid))));
  return id;
}

const RSA_BY_HASH: Record<HashAlgorithm, string> = { 'SHA-256': OID.sha256WithRsa, 'SHA-384': OID.sha384WithRsa, 'SHA-512': OID.sha512WithRsa };
const ECDSA_BY_HASH: Record<HashAlgorithm, string> = { 'SHA-256': OID.ecdsaWithSha256, 'SHA-384': OID.ecdsaWithSha384, 'SHA-512': OID.ecdsaWithSha512 };

/** AlgorithmIdentifier of the signature a key of `key` makes with `hash` (cached: it is written in every signature). */
const signatureIds = new Map<string, Buffer>();
export function signatureAlgorithmId(key: KeyAlgorithm, hashName: HashAlgorithm): Buffer {
  const k = `${key.name}/${key.name === 'RSA-PSS' ? key.saltLength : ''}/${hashName}`;
  let id = signatureIds.get(k);
  if (!id) signatureIds.set(k, (id = encodeSignatureAlgorithmId(key, hashName)));
  return id;
}

/** The same identifier, decoded: what a signer's own value is checked against (asn1/verify.ts). */
const signatureAlgorithms = new Map<string, AlgorithmIdentifier>();
export function signatureAlgorithm(key: KeyAlgorithm, hashName: HashAlgorithm): AlgorithmIdentifier {
  const k = `${key.name}/${key.name === 'RSA-PSS' ? key.saltLength : ''}/${hashName}`;
  let id = signatureAlgorithms.get(k);
  if (!id) signatureAlgorithms.set(k, (id = readAlgorithm(parse(signatureAlgorithmId(key, hashName)))));
  return id;
}

function encodeSignatureAlgorithmId(key: KeyAlgorithm, hashName: HashAlgorithm): Buffer {
  switch (key.name) {
    case 'RSASSA-PKCS1-v1_5':
      return seq(oid(RSA_BY_HASH[hashName]), NULL);
    case 'ECDSA':
      return seq(oid(ECDSA_BY_HASH[hashName]));
    case 'RSA-PSS': {
      const digest = digestAlgorithmId(hashName);
      return seq(oid(OID.rsaPss), seq(ctx(0, digest), ctx(1, seq(oid(OID.mgf1), digest)), ctx(2, integer(key.saltLength))));
    }
  }
}

/** The hash that suits a key: SHA-384 for P-384, SHA-512 for P-521, SHA-256 otherwise. */
export function defaultHashFor(key: KeyAlgorithm): HashAlgorithm {
  if (key.name === 'ECDSA' && key.namedCurve === 'P-384') return 'SHA-384';
  if (key.name === 'ECDSA' && key.namedCurve === 'P-521') return 'SHA-512';
  return 'SHA-256';
}

const CURVES: Readonly<Record<string, 'P-256' | 'P-384' | 'P-521'>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/**
 * What a key signs with. A plain RSA key signs PKCS#1 v1.5 unless PSS is asked for; an
 * RSASSA-PSS key (id-RSASSA-PSS) always signs PSS, with its own salt length when it states one.
 */
export function keyAlgorithmOf(key: KeyObject, rsa: { padding?: 'pkcs1' | 'pss'; saltLength?: number } = {}): KeyAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  const modulusLength = details.modulusLength ?? 2048;
  if (key.asymmetricKeyType === 'rsa') {
    return rsa.padding === 'pss' ? { name: 'RSA-PSS', modulusLength, saltLength: rsa.saltLength ?? 32 } : { name: 'RSASSA-PKCS1-v1_5', modulusLength };
  }
  if (key.asymmetricKeyType === 'rsa-pss') return { name: 'RSA-PSS', modulusLength, saltLength: details.saltLength ?? rsa.saltLength ?? 32 };
  const namedCurve = key.asymmetricKeyType === 'ec' ? CURVES[details.namedCurve ?? ''] : undefined;
  if (namedCurve) return { name: 'ECDSA', namedCurve };
  throw new Asn1Error('UNSUPPORTED_ALGORITHM', `Type de clé non pris en charge (${key.asymmetricKeyType ?? 'inconnu'}) : RSA ou ECDSA P-256/P-384/P-521 attendu.`);
}

/** ECDSA signatures come raw (r‖s) from WebCrypto and PKCS#11; CMS and X.509 carry DER `SEQUENCE { r, s }`. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length % 2 !== 0 || raw.length === 0) throw new Asn1Error('MALFORMED', 'signature ECDSA brute de longueur impaire');
  const half = raw.length / 2;
  return new Uint8Array(seq(unsignedInteger(raw.subarray(0, half)), unsignedInteger(raw.subarray(half))));
}
