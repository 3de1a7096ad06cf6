import { beforeAll, describe, expect, it } from 'vitest';
import { softwareSigner } from '../../certs/signers.ts';
import { signPdf } from '../../signature/pades.ts';
import { verifyPdf, type VerifyOptions } from '../../signature/validation/verify-pdf.ts';
import { appendUpdate, buildPdf, objectText, pageAndCatalog } from '../fixtures/pdf-builder.ts';
import { createTestPki, type TestPki } from './support/pki.ts';
import { pyhankoJudge } from './support/pyhanko-verdicts.ts';

/**
 * DocMDP as strictly as pyHanko applies it: after a certification with P=2 a later signer
 * signs the empty signature field the certifier prepared (allowed) — adding a new visible
 * signature field is refused (pyHanko's test_double_sig_add_visible_field_certify). The
 * later signature is appended by hand (signers do not fill prepared fields yet): only what
 * the verifier says about the certification is looked at, and pyHanko is asked the same.
 */
let pki: TestPki;
let local: VerifyOptions;
let certified: Buffer;
beforeAll(async () => {
  pki = await createTestPki();
  const cert = await pki.issue({ cn: 'Certificateur', keyType: 'ec256' });
  local = { trustAnchors: [pki.root.der], crls: [await pki.caCrl(), await pki.rootCrl()] };
  const form = buildPdf([
    '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>',
    '<< /FT /Sig /T (Second) /Type /Annot /Subtype /Widget /Rect [300 36 560 106] /F 4 /P 3 0 R >>',
  ]);
  certified = await signPdf(form, softwareSigner(cert.privateKey, cert.der, [pki.ca.der]), { level: 'B-B', fieldName: 'Certification', certify: true });
});

/** A later signature value that readers can parse but that covers nothing: the certification's own CMS, copied. */
function sigValue(pdf: Buffer): string {
  const cms = /\/Contents\s*<([0-9a-fA-F]+)>/.exec(pdf.toString('latin1'))![1]!.replace(/(00)+$/, '');
  return `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 0 0 0] /Contents <${cms}> >>`;
}

function fillPreparedField(pdf: Buffer): Buffer {
  const { size } = pageAndCatalog(pdf);
  return appendUpdate(pdf, { 4: objectText(pdf, 4).replace(/>>\s*$/, `/V ${size} 0 R >>`), [size]: sigValue(pdf) });
}

/** A new field with its widget on the page: by default a visible signature field with its value. */
function addField(
  pdf: Buffer,
  field = (page: number, value: number) => `<< /FT /Sig /T (Nouveau) /Type /Annot /Subtype /Widget /Rect [36 700 296 770] /F 4 /P ${page} 0 R /V ${value} 0 R >>`,
): Buffer {
  const { page, catalog, size } = pageAndCatalog(pdf);
  const acroForm = /\/AcroForm\s+(\d+)\s+0\s+R/.exec(objectText(pdf, catalog));
  const edits: Record<number, string> = {
    [page]: objectText(pdf, page).replace(/\/Annots\s*\[/, `/Annots [${size} 0 R `),
    [size]: field(page, size + 1),
    [size + 1]: sigValue(pdf),
  };
  if (acroForm) edits[Number(acroForm[1])] = objectText(pdf, Number(acroForm[1])).replace(/\/Fields\s*\[/, `/Fields [${size} 0 R `);
  else edits[catalog] = objectText(pdf, catalog).replace(/\/Fields\s*\[/, `/Fields [${size} 0 R `);
  return appendUpdate(pdf, edits);
}

describe('DocMDP P=2 as pyHanko applies it', () => {
  it('the certified document passes and states P=2', async () => {
    const report = await verifyPdf(certified, local);
    expect(report.indication, report.reasons.join(' ; ')).toBe('TOTAL_PASSED');
    expect(report.signatures[0]!.certificationLevel).toBe(2);
  });

  it('signing the empty signature field the certifier prepared keeps the certification', async () => {
    const filled = fillPreparedField(certified);
    const report = await verifyPdf(filled, local);
    const certification = report.signatures.find((s) => s.fieldName === 'Certification')!;
    expect(certification.modificationsAfter).toEqual([]);
    expect(certification.indication, certification.reasons.join(' ; ')).toBe('TOTAL_PASSED');
    const judged = pyhankoJudge([filled], pki.root.pem, new Date()).find((j) => j.field === 'Certification')!;
    expect(judged.docmdp_ok).toBe(true);
  });

  it('a new visible signature field after the certification breaks it, for pyHanko and for us', async () => {
    const added = addField(certified);
    const report = await verifyPdf(added, local);
    const certification = report.signatures.find((s) => s.fieldName === 'Certification')!;
    expect(certification).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'SIG_CONSTRAINTS_FAILURE' });
    expect(certification.modificationsAfter.length).toBeGreaterThan(0);
    expect(report.indication).toBe('TOTAL_FAILED');
    const judged = pyhankoJudge([added], pki.root.pem, new Date()).find((j) => j.field === 'Certification')!;
    expect(judged.docmdp_ok).toBe(false);
  });

  it('a new invisible signature field keeps it; a new text field breaks it — for pyHanko and for us', async () => {
    const invisible = addField(certified, (page, value) => `<< /FT /Sig /T (Invisible) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /P ${page} 0 R /V ${value} 0 R >>`);
    const text = addField(certified, (page) => `<< /FT /Tx /T (Ajout) /Type /Annot /Subtype /Widget /Rect [36 700 296 770] /F 4 /P ${page} 0 R /V (Annulé) >>`);
    const [ours, theirs] = [await Promise.all([invisible, text].map((pdf) => verifyPdf(pdf, local))), pyhankoJudge([invisible, text], pki.root.pem, new Date())];
    const certificationOf = (i: number) => ours[i]!.signatures.find((s) => s.fieldName === 'Certification')!;
    expect(certificationOf(0).modificationsAfter).toEqual([]);
    expect(certificationOf(1).modificationsAfter.length, JSON.stringify(certificationOf(1).modificationsAfter)).toBeGreaterThan(0);
    const judgedCertifications = theirs.filter((j) => j.field === 'Certification');
    expect(judgedCertifications.map((j) => j.docmdp_ok)).toEqual([true, false]);
  });
});
