import { PdfString, type PdfDict, type PdfRevisions } from '../../pdf/index.ts';
import type { VerifyLimits } from './limits.ts';

export type ByteRangeCheck =
  { ok: true; byteRange: [number, number, number, number]; contents: Uint8Array; signedEnd: number } | { ok: false; reason: string; byteRange: number[] | null };

/**
 * ISO 32000 §12.8.1: four non-negative integers starting at 0, the gap exactly the
 * /Contents hex string (its < and > included), inside the file, no overlap.
 */
export function checkByteRange(dict: PdfDict, file: Uint8Array, storedDirectly: boolean, limits: VerifyLimits): ByteRangeCheck {
  const fileLength = file.length;
  const raw = dict.get('ByteRange');
  const numbers = Array.isArray(raw) && raw.every((x) => typeof x === 'number') ? (raw as number[]) : null;
  const fail = (reason: string): ByteRangeCheck => ({ ok: false, reason, byteRange: numbers });
  if (!numbers || numbers.length !== 4) return fail('la zone signée (/ByteRange) est absente ou mal formée');
  if (!numbers.every((n) => Number.isSafeInteger(n) && n >= 0)) return fail('la zone signée contient des valeurs négatives ou non entières');
  const [a, b, c, d] = numbers as [number, number, number, number];
  if (a !== 0) return fail('la zone signée ne commence pas au début du fichier');
  if (c <= b) return fail('les deux parties de la zone signée se chevauchent');
  if (c + d > fileLength || b > fileLength) return fail('la zone signée dépasse la fin du fichier');
  const contents = dict.get('Contents');
  if (!(contents instanceof PdfString) || !contents.hex) return fail('la valeur de signature (/Contents) est absente ou n’est pas hexadécimale');
  if (!storedDirectly) return fail('la signature est rangée dans un flux compressé : sa position ne peut pas être vérifiée');
  if (contents.start !== b || contents.end !== c) return fail('la partie non signée ne correspond pas exactement à la valeur de signature');
  if (contents.end - contents.start - 2 > limits.maxContentsHexChars) return fail('la valeur de signature est trop grande');
  // Signers write the value as contiguous hex digits; anything else in the gap (even
  // whitespace, which PDF syntax would skip) means the unsigned bytes were edited.
  for (let i = b + 1; i < c - 1; i++) {
    const ch = file[i]!;
    if (!((ch >= 0x30 && ch <= 0x39) || (ch >= 0x41 && ch <= 0x46) || (ch >= 0x61 && ch <= 0x66))) {
      return fail('la valeur de signature contient autre chose que des chiffres hexadécimaux');
    }
  }
  if ((c - b - 2) % 2 !== 0) return fail('la valeur de signature a un nombre impair de chiffres');
  return { ok: true, byteRange: [a, b, c, d], contents: contents.bytes, signedEnd: c + d };
}

/** The bytes a signature covers. */
export function signedBytes(file: Uint8Array, br: [number, number, number, number]): Uint8Array[] {
  return [file.subarray(br[0], br[0] + br[1]), file.subarray(br[2], br[2] + br[3])];
}

/**
 * Whether the signed bytes stop inside the revision that holds the signature, before its
 * `%%EOF`: part of that revision (its cross-reference section or trailer) is then unsigned
 * and could change unnoticed. pyHanko calls this coverage CONTIGUOUS_BLOCK_FROM_START.
 */
export function endsInsideRevision(doc: PdfRevisions, signedEnd: number): boolean {
  let own: number | undefined;
  for (const s of doc.sections) if (s.offset < signedEnd && (own === undefined || s.offset > own)) own = s.offset;
  if (own === undefined) return false;
  const eof = Buffer.from(doc.bytes.buffer, doc.bytes.byteOffset, doc.bytes.length).indexOf('%%EOF', own, 'latin1');
  return eof >= 0 && eof + 5 > signedEnd;
}
