import type { HashAlgorithm, Timestamper } from '../certs/types.ts';
import { DIGESTS, newHash } from '../asn1/index.ts';
import { SignatureError } from './errors.ts';

/** Spare room over the probed token size: serial numbers and times grow a little. */
const MARGIN = 1024;
const probed = new WeakMap<Timestamper, Map<HashAlgorithm, number>>();

/** Asks the TSA once how large its tokens are, and remembers it. */
export async function timestampReserve(t: Timestamper, hash: HashAlgorithm): Promise<number> {
  let byHash = probed.get(t);
  if (!byHash) probed.set(t, (byHash = new Map()));
  let size = byHash.get(hash);
  if (size === undefined) {
    size = (await requestTimestamp(t, Buffer.alloc(DIGESTS[hash].length), hash)).length;
    byHash.set(hash, size);
  }
  return size + MARGIN;
}

/** Calls the TSA, turning any failure into one clear French reason. */
export async function requestTimestamp(t: Timestamper, imprint: Uint8Array, hash: HashAlgorithm): Promise<Uint8Array> {
  try {
    const token = await t.timestamp(imprint, hash);
    if (!token || token.length < 16 || token[0] !== 0x30) throw new Error('jeton vide ou illisible');
    return token;
  } catch (e) {
    throw new SignatureError('SIGN_TIMESTAMP_FAILED', `Horodatage impossible : ${(e as Error).message}`, { cause: e });
  }
}

export function hashOf(data: Uint8Array, hash: HashAlgorithm): Buffer {
  return newHash(hash).update(data).digest();
}
