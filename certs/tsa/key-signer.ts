import crypto, { type KeyObject } from 'node:crypto';
import { DIGESTS, keyAlgorithmOf, type HashAlgorithm } from '../../asn1/index.ts';
import type { Signer } from '../types.ts';

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
