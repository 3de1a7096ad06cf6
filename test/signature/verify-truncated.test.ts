import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pemOrDerToDer } from '../../asn1/index.ts';
import { verifyPdf, type VerifyOptions } from '../../signature/validation/verify-pdf.ts';

/** A signed file cut short says it is truncated (« fichier tronqué »), not that data was appended. */
const dir = path.join(import.meta.dirname, '..', 'fixtures', 'pades');
const read = (name: string): Buffer => fs.readFileSync(path.join(dir, name));
const options: VerifyOptions = { trustAnchors: [pemOrDerToDer(read('root.pem'))], crls: [read('ca.crl'), read('root.crl')].map((b) => new Uint8Array(b)) };

describe('a truncated signed file', () => {
  const pdf = read('pyhanko-two-signatures-blta.pdf');
  const cuts = [10, 300, Math.floor(pdf.length * 0.2), Math.floor(pdf.length * 0.5)];
  for (const missing of cuts) {
    it(`missing its last ${missing} bytes: « fichier tronqué », FORMAT_FAILURE`, async () => {
      const report = await verifyPdf(pdf.subarray(0, pdf.length - missing), options);
      expect(report.indication).toBe('TOTAL_FAILED');
      expect(report.subIndication).toBe('FORMAT_FAILURE');
      expect(report.reasons.join(' ; ')).toMatch(/fichier tronqué/);
      expect(report.reasons.join(' ; ')).not.toMatch(/ajoutées/);
    });
  }

  it('complete objects appended after the last %%EOF are still appended data, not truncation', async () => {
    const report = await verifyPdf(Buffer.concat([read('signpdf-rsa.pdf'), Buffer.from('\n1 0 obj << /Type /Catalog >> endobj\n')]), options);
    expect(report.indication).toBe('TOTAL_FAILED');
    expect(report.reasons.join(' ; ')).toMatch(/ajoutées/);
  });
});
