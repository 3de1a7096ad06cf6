import { beforeAll, describe, expect, it } from 'vitest';
import { softwareSigner } from '../../certs/signers.ts';
import { signPdf } from '../../signature/pades.ts';
import { verifyPdf } from '../../signature/validation/verify-pdf.ts';
import { buildPdf } from '../fixtures/pdf-builder.ts';
import { createTestPki, type TestPki } from './support/pki.ts';

/**
 * Most of the world's signatures carry their chain without its root. A certificate whose
 * issuer is neither embedded nor trusted proves nothing either way: INDETERMINATE /
 * NO_CERTIFICATE_CHAIN_FOUND naming the missing issuer, as pyHanko and DSS say — never
 * "altered". Only a certificate that a known issuer key fails to verify is altered.
 */
let pki: TestPki;
let signed: Buffer;
beforeAll(async () => {
  pki = await createTestPki();
  const cert = await pki.issue({ cn: 'Signataire Sans Racine', keyType: 'ec256' });
  const doc = buildPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>']);
  // The CMS carries the signer and its CA, not the root.
  signed = await signPdf(doc, softwareSigner(cert.privateKey, cert.der, [pki.ca.der]), { level: 'B-B' });
});

describe('a CMS that omits its root', () => {
  it('without the root trusted: INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND naming the missing issuer, not altered', async () => {
    const report = await verifyPdf(signed, { trustAnchors: [] });
    const s = report.signatures[0]!;
    expect(s, s.reasons.join(' ; ')).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND' });
    const rootCn = /CN=([^,]+)/.exec(pki.root.cert.subject)![1]!;
    expect(s.reasons[0]).toContain(rootCn);
    expect(s.reasons.join(' ')).not.toMatch(/altéré/);
    expect(report.indication).toBe('INDETERMINATE');
  });

  it('with the root trusted: valid', async () => {
    const report = await verifyPdf(signed, { trustAnchors: [pki.root.der], crls: [await pki.caCrl(), await pki.rootCrl()] });
    expect(report.indication, report.reasons.join(' ; ')).toBe('TOTAL_PASSED');
  });

  it('a CMS certificate that the known issuer key does not verify is still altered', async () => {
    // Another PKI's root under the same name: the CA certificate no longer verifies under it.
    const other = await createTestPki();
    const report = await verifyPdf(signed, { trustAnchors: [other.root.der] });
    const s = report.signatures[0]!;
    expect(other.root.cert.subject).toBe(pki.root.cert.subject);
    expect(s, s.reasons.join(' ; ')).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE' });
    expect(s.reasons[0]).toMatch(/altéré/);
  });
});
