/** PDF text strings (ISO 32000 §7.9.2). */
import { PdfError } from './errors.ts';

/** PDFDocEncoding when plain ASCII, UTF-16BE with its BOM otherwise. */
export function encodeTextString(s: string): Uint8Array {
  if (/^[\x20-\x7e]*$/.test(s)) return Buffer.from(s, 'latin1');
  const out = Buffer.alloc(2 + s.length * 2);
  out[0] = 0xfe;
  out[1] = 0xff;
  for (let i = 0; i < s.length; i++) out.writeUInt16BE(s.charCodeAt(i), 2 + i * 2);
  return out;
}

/**
 * UTF-16BE or UTF-8 with their BOM, else PDFDocEncoding (close enough to Latin-1 for names).
 * A UTF-16 string of an odd number of bytes is a PDF_SYNTAX error.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    if (bytes.length % 2 !== 0) throw new PdfError('PDF_SYNTAX', `une chaîne de texte UTF-16 compte un nombre impair d’octets (${bytes.length})`);
    return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return Buffer.from(bytes.subarray(3)).toString('utf8');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}
