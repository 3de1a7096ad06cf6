/**
 * PDF text strings. A UTF-16 string with an odd number of bytes is the file's fault: a
 * coded PdfError with a French detail (before, Buffer.swap16 threw Node's English RangeError,
 * which the signer reported as an unexpected error).
 */
import { describe, expect, it } from 'vitest';
import { PdfError, decodeText, encodeTextString } from '../../pdf/index.ts';

describe('decodeText', () => {
  it('reads PDFDocEncoding, UTF-16BE and UTF-8 with their BOMs', () => {
    expect(decodeText(encodeTextString('Signature 1'))).toBe('Signature 1');
    expect(decodeText(encodeTextString('Jeanne Créatrice — 1 €'))).toBe('Jeanne Créatrice — 1 €');
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0xc3, 0xa9]))).toBe('é');
  });

  it('refuses a UTF-16 string of an odd number of bytes as PDF_SYNTAX, in French', () => {
    const odd = new Uint8Array([0xfe, 0xff, 0x00, 0x41, 0x00]);
    expect(() => decodeText(odd)).toThrow(PdfError);
    expect(() => decodeText(odd)).toThrow(expect.objectContaining({ code: 'PDF_SYNTAX', message: expect.stringMatching(/nombre impair d’octets/) }));
  });
});
