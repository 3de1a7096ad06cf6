/**
 * Where a signature goes (issue 11, item 6, signing side): a named empty
 * signature field is filled, not duplicated; a signed one, or a field of
 * another type, is refused; new visible fields never overlap by default; a
 * rectangle places one exactly (`passeport sign --rect`). Judged by pdfsig,
 * openssl and qpdf, and read back with pdf-lib.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument, PDFString } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPkcs12 } from '../../certs/pkcs12.ts';
import { POLICY_OIDS } from '../../certs/policies.ts';
import { softwareSigner } from '../../certs/signers.ts';
import type { Signer } from '../../certs/types.ts';
import { prepare } from '../../signature/deferred.ts';
import { signPdf } from '../../signature/pades.ts';
import { verifyPdf } from '../../signature/validation/verify-pdf.ts';
import { makeContract } from './support/contract.ts';
import { judge, startHarness, type Harness } from './support/harness.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

let h: Harness;
let signer: Signer;
let p12File: string;

beforeAll(async () => {
  h = await startHarness();
  const issued = await h.pki.issue({ cn: 'Camille Rousseau', o: 'Atelier Numérique du Vercors', keyType: 'ec256', policy: POLICY_OIDS.rgs1 });
  signer = softwareSigner(issued.privateKey, issued.der, [h.pki.ca.der, h.pki.root.der]);
  p12File = path.join(h.dir, 'camille.p12');
  fs.writeFileSync(p12File, buildPkcs12(issued.privateKey, issued.der, [h.pki.ca.der, h.pki.root.der], 'phrase-de-test-1'));
});
afterAll(async () => h?.close());

/** A two-page document with an empty signature field « preneur » on page 2 and a text field « nom ». */
async function formDocument(): Promise<Buffer> {
  const doc = await PDFDocument.load(await makeContract({ pages: 2 }));
  const form = doc.getForm();
  const page = doc.getPage(1);
  form.createTextField('nom').addToPage(page, { x: 50, y: 700, width: 200, height: 20 });
  const sig = doc.context.obj({ FT: 'Sig', T: PDFString.of('preneur'), Type: 'Annot', Subtype: 'Widget', F: 4, Rect: [320, 60, 540, 140], P: page.ref });
  const ref = doc.context.register(sig);
  page.node.addAnnot(ref);
  form.acroForm.addField(ref);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** Every widget rectangle of a page, by field name. */
async function widgets(pdf: Buffer, pageIndex: number): Promise<Map<string, number[]>> {
  const doc = await PDFDocument.load(pdf);
  const out = new Map<string, number[]>();
  for (const field of doc.getForm().getFields()) {
    for (const w of field.acroField.getWidgets()) {
      const p = w.P();
      if (p && doc.getPage(pageIndex).ref.toString() !== p.toString()) continue;
      const r = w.getRectangle();
      out.set(field.getName(), [r.x, r.y, r.x + r.width, r.y + r.height]);
    }
  }
  return out;
}

const overlap = (a: number[], b: number[]): boolean => a[0]! < b[2]! && b[0]! < a[2]! && a[1]! < b[3]! && b[1]! < a[3]!;

describe('a named empty signature field', () => {
  it('is filled in place (visible in its own rectangle), not duplicated, under a certification', async () => {
    const input = await formDocument();
    const signed = await signPdf(input, signer, { fieldName: 'preneur', certify: true, appearance: true });
    await judge(h, input, signed, { signatures: 1 });
    const doc = await PDFDocument.load(signed);
    expect(
      doc
        .getForm()
        .getFields()
        .map((f) => f.getName())
        .sort(),
    ).toEqual(['nom', 'preneur']);
    expect((await widgets(signed, 1)).get('preneur')).toEqual([320, 60, 540, 140]);
    const report = await verifyPdf(signed, { trustAnchors: [h.pki.root.der], crls: [await h.pki.caCrl(), await h.pki.rootCrl()] });
    expect(report.indication, JSON.stringify(report.reasons)).toBe('TOTAL_PASSED');
    expect(report.signatures[0]).toMatchObject({ fieldName: 'preneur', certificationLevel: 2 });
  });

  it('is refused once signed, and a field of another type is refused, before anything is written', async () => {
    const signed = await signPdf(await formDocument(), signer, { fieldName: 'preneur' });
    await expect(signPdf(signed, signer, { fieldName: 'preneur' })).rejects.toThrow(/Le champ de signature « preneur » est déjà signé/);
    expect(() => prepare(signed, { certificate: signer.certificate, chain: signer.chain, fieldName: 'nom' })).toThrow(/Le champ « nom » n’est pas un champ de signature/);
  });
});

describe('new visible signatures', () => {
  it('land clear of each other and of the page’s widgets by default', async () => {
    let pdf = await formDocument();
    for (let i = 0; i < 3; i++) pdf = await signPdf(pdf, signer, { page: 2, appearance: true });
    const rects = [...(await widgets(pdf, 1)).entries()];
    expect(rects.map(([name]) => name).sort()).toEqual(['Signature1', 'Signature2', 'Signature3', 'nom', 'preneur']);
    for (const [i, [a, ra]] of rects.entries()) {
      for (const [b, rb] of rects.slice(i + 1)) expect(overlap(ra, rb), `${a} × ${b}`).toBe(false);
    }
    const report = await verifyPdf(pdf, { trustAnchors: [h.pki.root.der], crls: [await h.pki.caCrl(), await h.pki.rootCrl()] });
    expect(report.indication, JSON.stringify(report.reasons)).toBe('TOTAL_PASSED');
  });

  it('passeport sign --rect puts the field exactly there; a bad rectangle is refused in French', async () => {
    const input = path.join(h.dir, 'form.pdf');
    fs.writeFileSync(input, await formDocument());
    const out = path.join(h.dir, 'rect.pdf');
    const env = { ...process.env, PASSEPORT_P12_PASSPHRASE: 'phrase-de-test-1' };
    await run(path.join(root, 'passeport'), ['sign', input, '--out', out, '--p12', p12File, '--rect', '60,300,280,370', '--page', '2'], { cwd: root, env });
    expect((await widgets(fs.readFileSync(out), 1)).get('Signature1')).toEqual([60, 300, 280, 370]);
    const bad = await run(path.join(root, 'passeport'), ['sign', input, '--out', out, '--p12', p12File, '--rect', '300,10,100,20'], { cwd: root, env }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((bad as { code: number }).code).toBe(1);
    expect((bad as { stderr: string }).stderr).toMatch(/Rectangle invalide « 300,10,100,20 »/);
  });
});
