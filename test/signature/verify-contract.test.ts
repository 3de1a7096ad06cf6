import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { x509 } from '../certs/validation/fixtures.ts';
import { POLICY_OIDS } from '../../certs/policies.ts';
import { softwareSigner } from '../../certs/signers.ts';
import { signPdf } from '../../signature/pades.ts';
import { createTsaClient as httpTimestamper } from '../../certs/tsa/client.ts';
import { verifyPdf } from '../../signature/validation/verify-pdf.ts';
import { appendUpdate, objectText, pageAndCatalog } from '../fixtures/pdf-builder.ts';
import { makeSignedContract, type SignedContract } from '../fixtures/contract-fixture.ts';
import { makeContract } from './support/contract.ts';

let c: SignedContract;

/** A CA CRL revoking `serial` as of now (the test PKI's own CRLs date revocations before everything). */
async function crlRevokingNow(serial: string): Promise<Uint8Array> {
  const ca = c.harness.pki.ca;
  const pkcs8 = ca.privateKey.export({ format: 'der', type: 'pkcs8' });
  const signingKey = await crypto.webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const now = Date.now();
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.cert.subject,
    thisUpdate: new Date(now - 100),
    nextUpdate: new Date(now + 86_400_000),
    entries: [{ serialNumber: serial, revocationDate: new Date(now - 100) }],
    signingKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(ca.cert), new x509.Extension('2.5.29.20', false, new Uint8Array([2, 1, 2]))],
  });
  return new Uint8Array(crl.rawData);
}
beforeAll(async () => {
  c = await makeSignedContract();
});
afterAll(async () => {
  await c?.harness.close();
});

describe('the project’s three-signature B-LTA contract', () => {
  it('verifies TOTAL_PASSED, every signature at B-LTA with its RGS level, the certification kept', async () => {
    const report = await verifyPdf(c.pdf, { trustAnchors: [c.root], requiredRgsLevel: 1 });
    expect(report.indication, JSON.stringify(report.signatures.map((s) => s.reasons))).toBe('TOTAL_PASSED');
    expect(report.signatures.map((s) => [s.fieldName, s.type, s.indication, s.padesLevel, s.rgsLevel])).toEqual([
      ['Preneur', 'signature', 'TOTAL_PASSED', 'B-LTA', 1],
      ['Fournisseur', 'signature', 'TOTAL_PASSED', 'B-LTA', 1],
      ['Bailleur', 'signature', 'TOTAL_PASSED', 'B-LTA', 3],
      [expect.any(String), 'document-timestamp', 'TOTAL_PASSED', null, null],
    ]);
    expect(report.signatures[0]!.certificationLevel).toBe(2);
    expect(report.signatures.slice(0, 3).every((s) => s.timestampTime !== null && s.modificationsAfter.length === 0)).toBe(true);
    expect(report.signatures[3]!.coveredWholeDocument).toBe(true);
  });

  it('before the extension (B-T ×3, no DSS): undecided offline, valid when revocation may be fetched from 127.0.0.1', async () => {
    const offline = await verifyPdf(c.beforeExtension, { trustAnchors: [c.root] });
    expect(offline.indication).toBe('INDETERMINATE');
    expect(c.harness.crls.hits.length).toBeGreaterThan(0); // the extension fetched CRLs; nothing is fetched without a fetcher
    const hitsBefore = c.harness.crls.hits.length;
    const fetched = await verifyPdf(c.beforeExtension, {
      trustAnchors: [c.root],
      fetchRevocation: async (url, kind) => (kind === 'crl' && url.startsWith('http://127.0.0.1') ? new Uint8Array(await (await fetch(url)).arrayBuffer()) : null),
    });
    expect(fetched.indication, JSON.stringify(fetched.signatures.map((s) => s.reasons))).toBe('TOTAL_PASSED');
    expect(fetched.signatures.map((s) => s.padesLevel)).toEqual(['B-T', 'B-T', 'B-T']);
    expect(c.harness.crls.hits.length).toBeGreaterThan(hitsBefore);
  });

  it('an appended page change fails every signature and the document timestamp', async () => {
    const { page, size } = pageAndCatalog(c.pdf);
    const content = 'BT /F1 12 Tf 50 50 Td (Loyer : 1 euro) Tj ET';
    const tampered = appendUpdate(c.pdf, {
      [page]: objectText(c.pdf, page).replace(/\/Contents\s*(\[[^\]]*\]|\d+\s+0\s+R)/, `/Contents ${size} 0 R`),
      [size]: `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    });
    const report = await verifyPdf(tampered, { trustAnchors: [c.root] });
    expect(report.indication).toBe('TOTAL_FAILED');
    for (const s of report.signatures) {
      expect(s.indication).toBe('TOTAL_FAILED');
      expect(s.modificationsAfter.flatMap((m) => m.objects)).toContain(page);
    }
  });

  it('bit flips anywhere in the contract never pass', async () => {
    const spots = Array.from({ length: 40 }, (_, i) => Math.floor(((i + 0.37) * c.pdf.length) / 40));
    for (const at of spots) {
      const copy = Buffer.from(c.pdf);
      copy[at] = copy[at]! ^ 0x04;
      expect((await verifyPdf(copy, { trustAnchors: [c.root] })).indication, `flip at ${at}`).not.toBe('TOTAL_PASSED');
    }
  });

  it('a revoked signer: REVOKED with its date without proof of time; valid when a timestamp proves signing came first', async () => {
    const h = c.harness;
    const cert = await h.pki.issue({ cn: 'Révoqué Plus Tard', o: 'Société Test', keyType: 'ec256', policy: POLICY_OIDS.rgs1 });
    const signer = softwareSigner(cert.privateKey, cert.der, [h.pki.ca.der, h.pki.root.der]);
    const pdf = await makeContract({ pages: 1 });
    const bb = await signPdf(pdf, signer, { level: 'B-B', fieldName: 'Sans horodatage' });
    const bt = await signPdf(pdf, signer, { level: 'B-T', fieldName: 'Horodatee', timestamper: httpTimestamper(h.tsa.url) });
    await new Promise((r) => setTimeout(r, 2100)); // CRL dates have one-second precision: revoke a full second after the timestamp
    const crls = [await crlRevokingNow(cert.cert.serialNumber), await h.pki.rootCrl()];

    const revoked = await verifyPdf(bb, { trustAnchors: [c.root], crls });
    expect(revoked.indication).not.toBe('TOTAL_PASSED');
    expect(revoked.signatures[0]!.subIndication).toMatch(/^REVOKED/);
    expect(revoked.signatures[0]!.revocation).toMatchObject({ status: 'revoked', source: 'crl' });
    expect(revoked.signatures[0]!.revocation!.revokedAt).not.toBeNull();

    const proven = await verifyPdf(bt, { trustAnchors: [c.root], crls });
    expect(proven.indication, JSON.stringify(proven.signatures[0]!.reasons)).toBe('TOTAL_PASSED');
    expect(proven.signatures[0]!.padesLevel).toBe('B-T');
  });
});
