import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pemOrDerToDer } from '../../asn1/index.ts';
import { verifyPdf, type VerifyOptions } from '../../signature/validation/verify-pdf.ts';

const dir = path.join(import.meta.dirname, '..', 'fixtures', 'pades');
const read = (name: string): Buffer => fs.readFileSync(path.join(dir, name));
const trusted: VerifyOptions = { trustAnchors: [pemOrDerToDer(read('root.pem'))] };
const withCrls: VerifyOptions = { ...trusted, crls: [read('ca.crl'), read('root.crl')].map((b) => new Uint8Array(b)) };

describe('universal verifier: pyHanko timestamps, DSS and document timestamps', () => {
  it('B-T with RSA-PSS on a file with cross-reference streams: the timestamp proves the time', async () => {
    const report = await verifyPdf(read('pyhanko-pss-bt-xrefstream.pdf'), withCrls);
    expect(report.indication).toBe('TOTAL_PASSED');
    const sig = report.signatures[0]!;
    expect(sig).toMatchObject({ padesLevel: 'B-T', indication: 'TOTAL_PASSED', rgsLevel: 1 });
    expect(sig.timestampTime).not.toBeNull();
    expect(sig.validationTime).toBe(sig.timestampTime);
  });

  it('B-T without revocation data anywhere is undecided', async () => {
    const report = await verifyPdf(read('pyhanko-pss-bt-xrefstream.pdf'), trusted);
    expect(report.indication).toBe('INDETERMINATE');
  });

  it('B-LT with ECDSA and a VRI: the DSS alone settles the chain, no outside CRL needed', async () => {
    const report = await verifyPdf(read('pyhanko-ecdsa-blt-vri.pdf'), trusted);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.dss!.vri).toBeGreaterThan(0);
    expect(report.dss!.crls).toBeGreaterThan(0);
    expect(report.signatures[0]).toMatchObject({ padesLevel: 'B-LT', coveredWholeDocument: false, modificationsAfter: [], revocation: { status: 'good' } });
  });

  it('B-LTA with RSA-PSS and no VRI: signature and document timestamp both pass', async () => {
    const report = await verifyPdf(read('pyhanko-pss-blta-novri.pdf'), trusted);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.dss!.vri).toBe(0);
    const [sig, ts] = report.signatures;
    expect(sig).toMatchObject({ type: 'signature', padesLevel: 'B-LTA', indication: 'TOTAL_PASSED' });
    expect(sig!.proofOfExistence).not.toBeNull();
    expect(ts).toMatchObject({ type: 'document-timestamp', subFilter: 'ETSI.RFC3161', indication: 'TOTAL_PASSED', padesLevel: null });
    expect(ts!.signer?.subject).toContain('TSA');
    expect(ts!.revisionIndex).toBeGreaterThan(sig!.revisionIndex);
  });

  it('two signatures then a document timestamp: every signature, in file order, reaches B-LTA', async () => {
    const report = await verifyPdf(read('pyhanko-two-signatures-blta.pdf'), { ...trusted, requiredRgsLevel: 1 });
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures.map((s) => [s.fieldName, s.type, s.padesLevel, s.indication, s.rgsLevel])).toEqual([
      ['Createur', 'signature', 'B-LTA', 'TOTAL_PASSED', 2],
      ['Banque', 'signature', 'B-LTA', 'TOTAL_PASSED', 1],
      [expect.stringMatching(/^Timestamp/), 'document-timestamp', null, 'TOTAL_PASSED', null],
    ]);
    expect(report.signatures[0]!.revisionIndex).toBeLessThan(report.signatures[1]!.revisionIndex);
  });

  it('a validation time far after the certificates expire still passes when timestamps prove the signing time', async () => {
    const report = await verifyPdf(read('pyhanko-pss-blta-novri.pdf'), { ...trusted, time: new Date('2060-01-01T00:00:00Z') });
    expect(report.signatures[0]!.validationTime).not.toContain('2060');
    expect(report.indication).toBe('TOTAL_PASSED');
  });

  it('bit flips in a B-LTA file, including inside the document timestamp token, never pass', async () => {
    const pdf = read('pyhanko-pss-blta-novri.pdf');
    const text = pdf.toString('latin1');
    const contents = text.lastIndexOf('/Contents <') + 10;
    const end = text.indexOf('>', contents);
    const spots = new Set<number>();
    for (let i = 0; i < 25; i++) spots.add(Math.floor(((i + 0.5) * pdf.length) / 25));
    for (let at = contents; at <= end; at += Math.ceil((end - contents) / 40)) spots.add(at);
    for (const at of spots) {
      const copy = Buffer.from(pdf);
      copy[at] = copy[at]! ^ 0x01;
      const report = await verifyPdf(copy, trusted);
      expect(report.indication, `bit flipped at ${at}`).not.toBe('TOTAL_PASSED');
    }
  });
});
