import crypto from 'node:crypto';

export const sha256Hex = (data: Uint8Array | string): string => crypto.createHash('sha256').update(data).digest('hex');
export const sha512Hex = (data: Uint8Array | string): string => crypto.createHash('sha512').update(data).digest('hex');
export const sha512 = (data: Uint8Array | string): Buffer => crypto.createHash('sha512').update(data).digest();

/** Both fingerprints the vault records, in one pass over the bytes. */
export function fingerprints(data: Uint8Array): { sha256: string; sha512: string } {
  return { sha256: sha256Hex(data), sha512: sha512Hex(data) };
}

/** 128 zeros: the `previous` of the first journal entry. */
export const GENESIS_HASH = '0'.repeat(128);
