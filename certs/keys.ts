import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { HashAlgorithm } from './types.ts';
import { PkiError } from './errors.ts';

export const KEY_TYPES = ['rsa2048', 'rsa3072', 'ec256', 'ec384'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

interface KeySpec {
  kind: 'rsa' | 'ec';
  bits: number;
  namedCurve?: 'P-256' | 'P-384';
  /** Hash used when this key signs certificates. */
  hash: HashAlgorithm;
}

export const KEY_SPECS: Readonly<Record<KeyType, KeySpec>> = {
  rsa2048: { kind: 'rsa', bits: 2048, hash: 'SHA-256' },
  rsa3072: { kind: 'rsa', bits: 3072, hash: 'SHA-256' },
  ec256: { kind: 'ec', bits: 256, namedCurve: 'P-256', hash: 'SHA-256' },
  ec384: { kind: 'ec', bits: 384, namedCurve: 'P-384', hash: 'SHA-384' },
};

export function parseKeyType(value: string): KeyType {
  if ((KEY_TYPES as readonly string[]).includes(value)) return value as KeyType;
  throw new PkiError('UNKNOWN_KEY_TYPE', `Type de clé inconnu « ${value} » : choisir parmi ${KEY_TYPES.join(', ')}.`);
}

const generateKeyPair = promisify(crypto.generateKeyPair);

/** A software key pair from node:crypto (generated off the main thread). */
export async function generateSoftwareKey(type: KeyType): Promise<{ privateKey: crypto.KeyObject; publicKey: crypto.KeyObject }> {
  const spec = KEY_SPECS[parseKeyType(type)];
  if (spec.kind === 'rsa') return generateKeyPair('rsa', { modulusLength: spec.bits, publicExponent: 0x10001 });
  return generateKeyPair('ec', { namedCurve: spec.namedCurve! });
}

/** The key type of a public or private key, or an error if the engine does not issue for it. */
export function keyTypeOf(key: crypto.KeyObject): KeyType {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    if (details.modulusLength === 2048) return 'rsa2048';
    if (details.modulusLength === 3072) return 'rsa3072';
  }
  if (key.asymmetricKeyType === 'ec') {
    if (details.namedCurve === 'prime256v1') return 'ec256';
    if (details.namedCurve === 'secp384r1') return 'ec384';
  }
  throw new PkiError('UNSUPPORTED_KEY', 'Clé non prise en charge : RSA 2048/3072 ou ECDSA P-256/P-384 attendue.');
}

export function spkiDer(key: crypto.KeyObject): Uint8Array {
  const pub = key.type === 'private' ? crypto.createPublicKey(key) : key;
  return new Uint8Array(pub.export({ format: 'der', type: 'spki' }));
}
