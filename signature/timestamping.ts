import type { HashAlgorithm, Timestamper } from '../certs/types.ts';
import { DIGESTS, newHash } from '../asn1/index.ts';
import { SignatureError } from './errors.ts';

/** Spare room over the probed token size: serial numbers and times grow a little. */
const MARGIN = 1024;
const probed = new WeakMap<Timestamper, Map<HashAlgorithm, Uint8Array>>();

/**
 * A token of the TSA over a zero imprint, asked once per Timestamper and hash: its size
 * sizes the reservations, its certificates tell which chain the TSA's timestamps need.
 */
export async function probeToken(t: Timestamper, hash: HashAlgorithm): Promise<Uint8Array> {
  let byHash = probed.get(t);
  if (!byHash) probed.set(t, (byHash = new Map()));
  let token = byHash.get(hash);
  if (token === undefined) {
    token = await requestTimestamp(t, Buffer.alloc(DIGESTS[hash].length), hash);
    byHash.set(hash, token);
  }
  return token;
}

/** Room for one of the TSA's tokens: the probed size and a margin. */
export async function timestampReserve(t: Timestamper, hash: HashAlgorithm): Promise<number> {
  return (await probeToken(t, hash)).length + MARGIN;
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
