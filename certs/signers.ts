import crypto from 'node:crypto';
import { keyAlgorithmOf, sameBytes, type KeyAlgorithm } from '../asn1/index.ts';
import type { HashAlgorithm, Signer } from './types.ts';
import { certificateDer, readCertificate } from './certificates.ts';
import { keyTypeOf, spkiDer } from './keys.ts';
import { PkiError } from './errors.ts';

const NODE_HASH: Readonly<Record<string, string>> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

export function nodeHashName(hash: HashAlgorithm): string {
  const name = NODE_HASH[hash];
  if (!name) throw new PkiError('UNKNOWN_HASH', `Algorithme de hachage non pris en charge « ${String(hash)} » : SHA-256, SHA-384 ou SHA-512.`);
  return name;
}

export interface SoftwareSignerOptions {
  /** RSA only: PKCS#1 v1.5 (default) or PSS with an explicit salt length. */
  rsaPadding?: 'pkcs1' | 'pss';
  saltLength?: number;
  /**
   * Where the signature is computed: libuv's thread pool (default, keeps a server's
   * event loop free) or the calling thread (a command or batch: no thread hand-off,
   * less CPU per signature).
   */
  thread?: 'pool' | 'caller';
}

function asKeyObject(key: crypto.KeyObject | CryptoKey): crypto.KeyObject {
  return key instanceof crypto.KeyObject ? key : crypto.KeyObject.from(key);
}

/** The DER certificate's SubjectPublicKeyInfo must be the private key's public half. */
export function assertKeyMatchesCertificate(key: crypto.KeyObject, certificate: Uint8Array): void {
  if (!sameBytes(readCertificate(certificate).spki, spkiDer(key))) {
    throw new PkiError('KEY_CERTIFICATE_MISMATCH', 'La clé privée ne correspond pas au certificat fourni.');
  }
}

/** Signs with a node:crypto key held in memory (software certificate, server-side seal or CA key). */
export function softwareSigner(
  privateKey: crypto.KeyObject | CryptoKey,
  certificate: Uint8Array | string,
  chain: Array<Uint8Array | string> = [],
  options: SoftwareSignerOptions = {},
): Signer {
  const key = asKeyObject(privateKey);
  if (key.type !== 'private') throw new PkiError('NOT_A_PRIVATE_KEY', 'Une clé privée est attendue pour signer.');
  const certDer = certificateDer(certificate);
  assertKeyMatchesCertificate(key, certDer);
  const chainDer = chain.map((c) => certificateDer(c));
  keyTypeOf(key); // only the key types the engine issues for
  const keyAlgorithm: KeyAlgorithm = keyAlgorithmOf(key, { padding: options.rsaPadding ?? 'pkcs1', saltLength: options.saltLength ?? 32 });
  const input: crypto.SignKeyObjectInput =
    keyAlgorithm.name === 'RSA-PSS'
      ? { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: keyAlgorithm.saltLength }
      : keyAlgorithm.name === 'ECDSA'
        ? { key, dsaEncoding: 'der' }
        : { key, padding: crypto.constants.RSA_PKCS1_PADDING };
  const onCaller = options.thread === 'caller';
  return {
    certificate: certDer,
    chain: chainDer,
    keyAlgorithm,
    selfVerifying: true,
    async sign(data: Uint8Array, hash: HashAlgorithm): Promise<Uint8Array> {
      const algorithm = nodeHashName(hash);
      if (onCaller) return crypto.sign(algorithm, data, input);
      return new Promise((resolve, reject) => crypto.sign(algorithm, data, input, (err, sig) => (err ? reject(err) : resolve(new Uint8Array(sig)))));
    },
  };
}
