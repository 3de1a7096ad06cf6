import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pemOrDerToDer } from '../../asn1/index.ts';
import { verifyPdf, type VerifyOptions } from '../../signature/validation/verify-pdf.ts';
import { appendUpdate, objectText, pageAndCatalog } from '../fixtures/pdf-builder.ts';
import { pyhankoJudge } from './support/pyhanko-verdicts.ts';

const dir = path.join(import.meta.dirname, '..', 'fixtures', 'pades');
const read = (name: string): Buffer => fs.readFileSync(path.join(dir, name));
const options: VerifyOptions = {
  trustAnchors: [pemOrDerToDer(read('root.pem'))],
  crls: [read('ca.crl'), read('root.crl')].map((b) => new Uint8Array(b)),
};

/** Positions worth flipping: spread over the file, plus the xref, trailer, ByteRange and /Contents. */
function positions(pdf: Buffer, spread: number): number[] {
  const text = pdf.toString('latin1');
  const out = new Set<number>();
  for (let i = 0; i < spread; i++) out.add(Math.floor(((i + 0.5) * pdf.length) / spread));
  const xref = text.lastIndexOf('xref');
  for (const delta of [0, 5, 12, 25, 40]) out.add(xref + delta);
  const trailer = text.lastIndexOf('trailer');
  for (const delta of [0, 10, 20]) out.add(trailer + delta);
  const startxref = text.lastIndexOf('startxref');
  out.add(startxref + 11);
  const br = text.lastIndexOf('/ByteRange');
  for (const delta of [1, 12, 14, 16]) out.add(br + delta);
  const contents = text.lastIndexOf('/Contents <') >= 0 ? text.lastIndexOf('/Contents <') + 10 : text.lastIndexOf('/Contents<') + 9;
  const close = text.indexOf('>', contents);
  const lastNonZero = text.slice(contents + 1, close).search(/0+$/) + contents + 1;
  for (const at of [contents, contents + 1, contents + 40, contents + 300, lastNonZero - 4, lastNonZero - 200, lastNonZero + 10, close - 1, close]) out.add(at);
  // A sweep through the CMS itself: lengths, tags, versions, algorithms, certificates, the signature value.
  for (let at = contents + 1; at < lastNonZero; at += 11) out.add(at);
  return [...out].filter((p) => p >= 0 && p < pdf.length).sort((a, b) => a - b);
}

function flip(pdf: Buffer, at: number): Buffer {
  const copy = Buffer.from(pdf);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

describe('tampering is never TOTAL_PASSED', () => {
  for (const fixture of ['pyhanko-ecdsa-bb.pdf', 'signpdf-rsa.pdf']) {
    it(`flipping one bit anywhere in ${fixture}`, async () => {
      const pdf = read(fixture);
      expect((await verifyPdf(pdf, options)).indication).toBe('TOTAL_PASSED');
      const spots = positions(pdf, 120);
      expect(spots.length).toBeGreaterThan(500);
      for (const at of spots) {
        const report = await verifyPdf(flip(pdf, at), options);
        expect(report.indication, `bit flipped at ${at} (${JSON.stringify(pdf.toString('latin1', at - 8, at + 8))})`).not.toBe('TOTAL_PASSED');
      }
    });
  }

  it('an appended update that changes the page content fails the signature and names the page', async () => {
    const pdf = read('pyhanko-ecdsa-bb.pdf');
    const { page, size } = pageAndCatalog(pdf);
    const content = 'BT /F1 14 Tf 72 700 Td (Montant : 1 euro) Tj ET';
    const pageText = objectText(pdf, page).replace(/\/Contents\s+\d+\s+\d+\s+R/, `/Contents ${size} 0 R`);
    const tampered = appendUpdate(pdf, { [page]: pageText, [size]: `<< /Length ${content.length} >>\nstream\n${content}\nendstream` });
    const report = await verifyPdf(tampered, options);
    expect(report.indication).toBe('TOTAL_FAILED');
    const sig = report.signatures[0]!;
    expect(sig).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'SIG_CONSTRAINTS_FAILURE', coveredWholeDocument: false });
    expect(sig.modificationsAfter[0]!.objects).toContain(page);
    expect(sig.reasons[0]).toMatch(/modifié après la signature.*page/);
  });

  it('an appended update that adds an annotation to the page is a modification', async () => {
    const pdf = read('pyhanko-ecdsa-bb.pdf');
    const { page, size } = pageAndCatalog(pdf);
    let pageText = objectText(pdf, page);
    pageText = /\/Annots\s*\[/.test(pageText) ? pageText.replace(/\/Annots\s*\[/, `/Annots [${size} 0 R `) : pageText.replace(/>>\s*$/, `/Annots [${size} 0 R] >>`);
    const tampered = appendUpdate(pdf, {
      [page]: pageText,
      [size]: '<< /Type /Annot /Subtype /FreeText /Rect [72 600 300 640] /Contents (Annule) /DA (/Helv 12 Tf 0 g) >>',
    });
    const report = await verifyPdf(tampered, options);
    expect(report.indication).toBe('TOTAL_FAILED');
    expect(report.signatures[0]!.modificationsAfter).toHaveLength(1);
  });

  it('an appended catalog change other than the form or the DSS is a modification', async () => {
    const pdf = read('signpdf-rsa.pdf');
    const { catalog } = pageAndCatalog(pdf);
    const tampered = appendUpdate(pdf, { [catalog]: objectText(pdf, catalog).replace(/>>\s*$/, '/OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>') });
    const report = await verifyPdf(tampered, options);
    expect(report.indication).toBe('TOTAL_FAILED');
    expect(report.signatures[0]!.reasons[0]).toMatch(/catalogue.*OpenAction/);
  });

  it('an appended DSS update is allowed: the signature still passes (control)', async () => {
    const pdf = read('pyhanko-ecdsa-bb.pdf');
    const { catalog, size } = pageAndCatalog(pdf);
    const crl = read('ca.crl');
    const tampered = appendUpdate(pdf, {
      [catalog]: objectText(pdf, catalog).replace(/>>\s*$/, `/DSS ${size} 0 R >>`),
      [size]: `<< /CRLs [${size + 1} 0 R] >>`,
      [size + 1]: `<< /Length ${crl.length} >>\nstream\n${crl.toString('latin1')}\nendstream`,
    });
    const report = await verifyPdf(tampered, { trustAnchors: options.trustAnchors, crls: [new Uint8Array(read('root.crl'))] });
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.dss).toMatchObject({ crls: 1 });
    expect(report.signatures[0]).toMatchObject({ coveredWholeDocument: false, modificationsAfter: [] });
  });

  it('whitespace slipped into the zero padding of /Contents is refused (the gap must be hex digits only)', async () => {
    const pdf = read('signpdf-rsa.pdf');
    const close = pdf.indexOf('>', pdf.indexOf('/Contents <'));
    const copy = Buffer.from(pdf);
    copy[close - 10] = 0x20;
    const report = await verifyPdf(copy, options);
    expect(report.signatures[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE' });
  });

  it('a damaged certificate copy in the unsigned DSS revision is flagged even when the CMS holds a good copy', async () => {
    const pdf = read('pyhanko-ecdsa-blt-vri.pdf');
    const text = pdf.toString('latin1');
    const signedEnd = Number(
      /\/ByteRange\s*\[\s*0\s+\d+\s+(\d+)\s+(\d+)/
        .exec(text)!
        .slice(1)
        .reduce((a, b) => String(Number(a) + Number(b))),
    );
    const certStream = text.indexOf('stream\n0\x82', signedEnd) + 7;
    expect(certStream).toBeGreaterThan(signedEnd);
    const copy = Buffer.from(pdf);
    copy[certStream + 300] = copy[certStream + 300]! ^ 0x01;
    const report = await verifyPdf(copy, { trustAnchors: options.trustAnchors });
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.reasons.join(' ')).toMatch(/DSS/);
  });

  it('garbage appended after the last revision is not accepted', async () => {
    const report = await verifyPdf(Buffer.concat([read('signpdf-rsa.pdf'), Buffer.from('\n1 0 obj << /Type /Catalog >> endobj\n')]), options);
    expect(report.indication).not.toBe('TOTAL_PASSED');
  });
});

describe('certification (DocMDP)', () => {
  it('a new signature field appended to a document certified with P=1 breaks the certification; without certification it is allowed', async () => {
    // Appends a signature field and value by hand (signers refuse to sign a P=1 document).
    const appendSignatureField = (pdf: Buffer): Buffer => {
      const { page, catalog, size } = pageAndCatalog(pdf);
      const acroForm = Number(/\/AcroForm\s+(\d+)\s+0\s+R/.exec(objectText(pdf, catalog))![1]);
      return appendUpdate(pdf, {
        [acroForm]: objectText(pdf, acroForm).replace(/\/Fields\s*\[/, `/Fields [${size} 0 R `),
        [page]: objectText(pdf, page).replace(/\/Annots\s*\[/, `/Annots [${size} 0 R `),
        [size]: `<< /FT /Sig /T (Suivant) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /P ${page} 0 R /V ${size + 1} 0 R >>`,
        [size + 1]: '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 0 0 0] /Contents <00> >>',
      });
    };
    const certified = read('pyhanko-certified-p1.pdf');
    const alone = await verifyPdf(certified, options);
    expect(alone.indication).toBe('TOTAL_PASSED');
    expect(alone.signatures[0]!.certificationLevel).toBe(1);
    const report = await verifyPdf(appendSignatureField(certified), options);
    expect(report.indication).toBe('TOTAL_FAILED');
    const certification = report.signatures.find((s) => s.fieldName === 'Certification')!;
    expect(certification).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'SIG_CONSTRAINTS_FAILURE' });
    expect(certification.modificationsAfter.length).toBeGreaterThan(0);

    const plain = await verifyPdf(appendSignatureField(read('pyhanko-ecdsa-bb.pdf')), options);
    expect(plain.signatures.find((s) => s.fieldName === 'Signature1')).toMatchObject({ indication: 'TOTAL_PASSED', modificationsAfter: [] });
    expect(plain.signatures.find((s) => s.fieldName === 'Suivant')).toMatchObject({ subIndication: 'FORMAT_FAILURE' });
  });

  it('filling a form field after signing: allowed under a DocMDP P=2 certification and after an approval signature, as pyHanko says', async () => {
    const { createTestPki } = await import('./support/pki.ts');
    const { softwareSigner } = await import('../../certs/signers.ts');
    const { signPdf } = await import('../../signature/pades.ts');
    const { buildPdf } = await import('../fixtures/pdf-builder.ts');
    const pki = await createTestPki();
    const cert = await pki.issue({ cn: 'Signataire Formulaire', keyType: 'ec256' });
    const signer = softwareSigner(cert.privateKey, cert.der, [pki.ca.der]);
    const local: VerifyOptions = { trustAnchors: [pki.root.der], crls: [await pki.caCrl(), await pki.rootCrl()] };
    const form = buildPdf([
      '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /DA (/Helv 0 Tf 0 g) >> >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>',
      '<< /FT /Tx /T (Montant) /Type /Annot /Subtype /Widget /Rect [50 700 250 720] /P 3 0 R /V (1000) >>',
    ]);
    for (const certify of [true, false]) {
      const signed = await signPdf(form, signer, { level: 'B-B', fieldName: 'Signature', certify });
      expect((await verifyPdf(signed, local)).indication).toBe('TOTAL_PASSED');
      const filled = appendUpdate(signed, { 4: objectText(signed, 4).replace('(1000)', '(9000)') });
      const report = await verifyPdf(filled, local);
      expect(report.indication, `certify: ${certify}`).toBe('TOTAL_PASSED');
      expect(report.signatures[0]!.modificationsAfter).toEqual([]);
      // pyHanko: FORM_FILLING, within P=2 and within what an approval signature tolerates.
      const [judged] = pyhankoJudge([filled], pki.root.pem, new Date());
      expect(judged, `certify: ${certify}`).toMatchObject({ intact: true, modification_level: 'FORM_FILLING', docmdp_ok: true });
      // Changing the page itself stays a modification for both.
      const page = appendUpdate(filled, { 3: objectText(filled, 3).replace('/MediaBox [0 0 595 842]', '/MediaBox [0 0 842 595]') });
      expect((await verifyPdf(page, local)).signatures[0]!.modificationsAfter.map((m) => m.objects)).toEqual([[3]]);
      expect(pyhankoJudge([page], pki.root.pem, new Date())[0]!.docmdp_ok).toBe(false);
    }
  });
});
