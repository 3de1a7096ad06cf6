import crypto, { type KeyObject } from 'node:crypto';
import type { HashAlgorithm, KeyAlgorithm, Signer } from '../types.ts';
import { DIGESTS } from './algorithms.ts';

/**
 * A Signer over a node:crypto private key. Uses the callback form of
 * crypto.sign, which runs on libuv's thread pool: concurrent requests sign on
 * every core instead of queueing on the event loop.
 */
export function keyObjectSigner(privateKey: KeyObject, certificate: Uint8Array, chain: Uint8Array[] = []): Signer {
  const keyAlgorithm = keyAlgorithmOf(privateKey);
  return {
    certificate,
    chain,
    keyAlgorithm,
    sign(data: Uint8Array, hash: HashAlgorithm) {
      return new Promise<Uint8Array>((resolve, reject) => {
        crypto.sign(DIGESTS[hash].node, data, privateKey, (error, signature) => (error ? reject(error) : resolve(signature)));
      });
    },
  };
}

function keyAlgorithmOf(key: KeyObject): KeyAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', modulusLength: details.modulusLength ?? 2048 };
  if (key.asymmetricKeyType === 'ec') {
    const curves: Record<string, 'P-256' | 'P-384' | 'P-521'> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
    const namedCurve = curves[details.namedCurve ?? ''];
    if (namedCurve) return { name: 'ECDSA', namedCurve };
  }
  throw new Error(`Type de clé non pris en charge : ${key.asymmetricKeyType}`);
}
