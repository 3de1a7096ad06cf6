import type { HashAlgorithm } from '../certs/types.ts';
import { newHash } from '../asn1/index.ts';
import { PdfHexPlaceholder, PdfRaw } from '../pdf/index.ts';
import { SignatureError } from './errors.ts';

/** Fixed width of each ByteRange number, so patching never moves a byte. */
const WIDTH = 10;
export const BYTE_RANGE_PLACEHOLDER = () => new PdfRaw(`[0 ${'9'.repeat(WIDTH)} ${'9'.repeat(WIDTH)} ${'9'.repeat(WIDTH)}]`);
export const CONTENTS_PLACEHOLDER = (bytes: number) => new PdfHexPlaceholder(bytes);

export interface SignatureSlot {
  /** Offset of the `<` of /Contents. */
  gapStart: number;
  /** Offset just past the `>` of /Contents. */
  gapEnd: number;
  byteRange: [number, number, number, number];
}

/**
 * Finds the placeholders of the dictionary written at `objectOffset`, writes the
 * final /ByteRange in place (same width) and returns the gap.
 */
export function fixByteRange(bytes: Buffer, objectOffset: number): SignatureSlot {
  const brAt = bytes.indexOf('/ByteRange ', objectOffset, 'latin1');
  const cAt = bytes.indexOf('/Contents <', objectOffset, 'latin1');
  if (brAt < 0 || cAt < 0) throw new SignatureError('SIGN_INTERNAL', 'Emplacement de signature introuvable dans la révision écrite (erreur interne).');
  const gapStart = cAt + '/Contents '.length;
  const gapEnd = bytes.indexOf(0x3e, gapStart) + 1;
  const byteRange: [number, number, number, number] = [0, gapStart, gapEnd, bytes.length - gapEnd];
  const text = `[${byteRange.map((n, i) => (i === 0 ? '0' : String(n).padEnd(WIDTH, ' '))).join(' ')}]`;
  const at = brAt + '/ByteRange '.length;
  const old = bytes.toString('latin1', at, at + text.length);
  if (!/^\[0 9+ 9+ 9+\]$/.test(old)) throw new SignatureError('SIGN_INTERNAL', 'Emplacement de signature introuvable dans la révision écrite (erreur interne).');
  bytes.write(text, at, 'latin1');
  return { gapStart, gapEnd, byteRange };
}

/** Hash of the two signed ranges, read in place. */
export function digestRanges(bytes: Uint8Array, slot: SignatureSlot, hash: HashAlgorithm): Buffer {
  return newHash(hash).update(bytes.subarray(0, slot.gapStart)).update(bytes.subarray(slot.gapEnd)).digest();
}

/** Writes the DER into the /Contents gap; refuses rather than truncating. */
export function embedContents(bytes: Buffer, slot: SignatureSlot, der: Uint8Array): void {
  const room = (slot.gapEnd - slot.gapStart - 2) / 2;
  if (der.length > room) {
    throw new SignatureError(
      'SIGN_RESERVE_TOO_SMALL',
      `La signature (${der.length} octets) ne tient pas dans l'emplacement réservé (${room} octets) : recommencez avec une réserve plus grande.`,
    );
  }
  bytes.write(Buffer.from(der.buffer, der.byteOffset, der.length).toString('hex'), slot.gapStart + 1, 'latin1');
}
