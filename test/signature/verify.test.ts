import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pemOrDerToDer } from '../../asn1/index.ts';
import { verifyPdf, type VerifyOptions } from '../../signature/validation/verify-pdf.ts';
import { renderHtmlReport } from '../../signature/validation/report-html.ts';

const dir = path.join(import.meta.dirname, '..', 'fixtures', 'pades');
const read = (name: string): Buffer => fs.readFileSync(path.join(dir, name));
const root = pemOrDerToDer(read('root.pem'));
const crls = [read('ca.crl'), read('root.crl')].map((b) => new Uint8Array(b));
const trusted: VerifyOptions = { trustAnchors: [root] };
const withCrls: VerifyOptions = { trustAnchors: [root], crls };

describe('universal verifier: third-party signatures without timestamps', () => {
  it('accepts an @signpdf adbe.pkcs7.detached RSA signature with signing-time, as legacy PKCS#7', async () => {
    const report = await verifyPdf(read('signpdf-rsa.pdf'), withCrls);
    expect(report.indication).toBe('TOTAL_PASSED');
    const [sig] = report.signatures;
    expect(report.signatures).toHaveLength(1);
    expect(sig).toMatchObject({ type: 'signature', subFilter: 'adbe.pkcs7.detached', indication: 'TOTAL_PASSED', padesLevel: 'PKCS7', coveredWholeDocument: true, rgsLevel: 1 });
    expect(sig!.signer?.subject).toContain('Dominique Durand');
    expect(sig!.claimedTime).not.toBeNull();
  });

  it('accepts a legacy PKCS#7 with no signed attributes (openssl cms -noattr): the signature covers the bytes directly', async () => {
    const pdf = read('openssl-noattr.pdf');
    const report = await verifyPdf(pdf, withCrls);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures[0]).toMatchObject({ padesLevel: 'PKCS7', claimedTime: expect.any(String) });
    const copy = Buffer.from(pdf);
    copy[200] = copy[200]! ^ 0x01; // inside the signed range: with no message-digest it is the signature value that fails
    const tampered = await verifyPdf(copy, withCrls);
    expect(tampered.signatures[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'SIG_CRYPTO_FAILURE' });
  });

  it('without any revocation data the same signature stays undecided, not valid', async () => {
    const report = await verifyPdf(read('signpdf-rsa.pdf'), trusted);
    expect(report.indication).toBe('INDETERMINATE');
    expect(report.signatures[0]!.indication).toBe('INDETERMINATE');
    expect(report.signatures[0]!.reasons.join(' ')).toMatch(/révocation/);
  });

  it('uses the revocation data a pyHanko adbe.pkcs7.detached signature carries in its signed attributes', async () => {
    const report = await verifyPdf(read('pyhanko-pkcs7-revinfo.pdf'), trusted);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures[0]).toMatchObject({ padesLevel: 'PKCS7', indication: 'TOTAL_PASSED', revocation: { status: 'good' } });
  });

  it('verifies a pyHanko ECDSA P-256 PAdES B-B signature and reads its RGS level', async () => {
    const report = await verifyPdf(read('pyhanko-ecdsa-bb.pdf'), { ...withCrls, requiredRgsLevel: 2 });
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures[0]).toMatchObject({ subFilter: 'ETSI.CAdES.detached', padesLevel: 'B-B', rgsLevel: 2, meetsRequiredLevel: true, timestampTime: null });
  });

  it('fails a signer below the required RGS level', async () => {
    const report = await verifyPdf(read('signpdf-rsa.pdf'), { ...withCrls, requiredRgsLevel: 2 });
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]).toMatchObject({ rgsLevel: 1, meetsRequiredLevel: false, subIndication: 'CHAIN_CONSTRAINTS_FAILURE' });
  });

  it('finds no chain when the root is not trusted', async () => {
    const report = await verifyPdf(read('pyhanko-ecdsa-bb.pdf'), { trustAnchors: [], crls });
    expect(report.indication).toBe('INDETERMINATE');
    expect(report.signatures[0]!.subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
  });

  it('reports an unsigned document as undecided with no signature found', async () => {
    const report = await verifyPdf(read('unsigned.pdf'), trusted);
    expect(report).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'SIGNED_DATA_NOT_FOUND', signatures: [] });
  });

  it('renders a self-contained French HTML report', async () => {
    const ok = await verifyPdf(read('pyhanko-ecdsa-bb.pdf'), { ...withCrls, fileName: 'contrat.pdf' });
    const bad = await verifyPdf(read('signpdf-rsa.pdf'), { ...trusted, fileName: 'autre <b>.pdf' });
    const html = renderHtmlReport([ok, bad]);
    expect(html).toContain('Rapport de vérification');
    expect(html).toContain('Signature valide');
    expect(html).toContain('Signature non confirmée');
    expect(html).toContain('autre &lt;b&gt;.pdf');
    expect(html).not.toMatch(/<script|<link|src=/);
  });
});
