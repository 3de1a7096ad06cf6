import { sha256Hex } from './hashing.ts';
import type { Party } from './types.ts';

/**
 * Identifiers derive from the package's content and business metadata, never from the
 * time or the depositor: depositing the same package again finds the same identifier.
 */
export interface Manifest {
  documentClass: string;
  dossierId: string | null;
  siren: string | null;
  parties: Party[];
  objects: { name: string; mediaType: string; documentClass: string; sha512: string }[];
}

export function manifestHash(m: Manifest): string {
  const parties = m.parties.map((p) => [p.role, p.id, p.name ?? ''].join('\u0000')).sort();
  return sha256Hex(JSON.stringify([m.documentClass, m.dossierId, m.siren, parties, m.objects.map((o) => [o.name, o.mediaType, o.documentClass, o.sha512])]));
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** `CF-` and 26 base32 characters (128 bits of the manifest's SHA-256). */
export function packageIdOf(manifestSha256: string): string {
  return `CF-${base32(Buffer.from(manifestSha256.slice(0, 32), 'hex'))}`;
}

export function objectIdOf(packageId: string, position: number): string {
  return `${packageId}-${String(position).padStart(2, '0')}`;
}

export const OBJECT_ID = /^CF-[a-z2-7]{26}-\d{2,4}$/;

export function sealIdOf(n: number): string {
  return `SC-${String(n).padStart(6, '0')}`;
}
