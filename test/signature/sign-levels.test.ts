import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HashAlgorithm, Signer } from '../../certs/types.ts';
import { softwareSigner } from '../../certs/signers.ts';
import { signPdf } from '../../signature/pades.ts';
import { createTsaClient as httpTimestamper } from '../../certs/tsa/client.ts';
import type { PadesLevel } from '../../signature/levels.ts';
import { hybridXref, makeContract, withExtraRevision, withXrefStream } from './support/contract.ts';
import { verifyPdf } from '../../signature/validation/verify-pdf.ts';
import { PdfDict, openPdf } from '../../pdf/index.ts';
import { expectPyhankoPassed, judge, startHarness, type Harness } from './support/harness.ts';
import type { TestCert } from './support/pki.ts';

let h: Harness;
let contract: Buffer;
const keys: Record<string, TestCert> = {};
const crlFetcher = { crl: async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer()) };

beforeAll(async () => {
  h = await startHarness();
  contract = await makeContract({ pages: 2, targetKb: 8 });
  keys.rsa = await h.pki.issue({ cn: 'Jeanne Créatrice', keyType: 'rsa2048' });
  keys.pss = await h.pki.issue({ cn: 'Paul Pss', keyType: 'rsa2048' });
  keys.ec = await h.pki.issue({ cn: 'Émile Ecdsa', keyType: 'ec256' });
  keys.ec384 = await h.pki.issue({ cn: 'Lucie Sha384', keyType: 'ec384' });
});
afterAll(async () => h?.close());

const signers: Record<string, { signer: () => Signer; hash: HashAlgorithm }> = {
  'RSA-2048 PKCS#1 v1.5': { signer: () => softwareSigner(keys.rsa!.privateKey, keys.rsa!.der, [h.pki.ca.der, h.pki.root.der]), hash: 'SHA-256' },
  'RSA-2048 PSS': { signer: () => softwareSigner(keys.pss!.privateKey, keys.pss!.der, [h.pki.ca.der], { rsaPadding: 'pss', saltLength: 32 }), hash: 'SHA-256' },
  'ECDSA P-256': { signer: () => softwareSigner(keys.ec!.privateKey, keys.ec!.der, [h.pki.ca.der, h.pki.root.der]), hash: 'SHA-256' },
  'ECDSA P-384 SHA-384': { signer: () => softwareSigner(keys.ec384!.privateKey, keys.ec384!.der, [h.pki.ca.der, h.pki.root.der]), hash: 'SHA-384' },
};

const levels: PadesLevel[] = ['B-B', 'B-T', 'B-LT', 'B-LTA'];

describe('PAdES levels × key types, judged by pdfsig, openssl, qpdf and pyHanko', () => {
  for (const [label, s] of Object.entries(signers)) {
    for (const level of levels) {
      it(`${level} with ${label}`, async () => {
        const timestamper = httpTimestamper(h.tsa.url);
        const material = { certificates: [h.pki.root.der] };
        const out = await signPdf(contract, s.signer(), { level, hash: s.hash, timestamper, fetchers: crlFetcher, material, reason: 'Acceptation du contrat', location: 'Lyon' });
        const lt = level === 'B-LT' || level === 'B-LTA';
        await judge(h, contract, out, {
          signatures: 1,
          documentTimestamps: level === 'B-LTA' ? 1 : 0,
          signatureTimestamps: level !== 'B-B',
          lastCoversAll: level !== 'B-LT',
          ...(lt ? { embedded: [h.pki.ca.der, h.pki.root.der, h.pki.tsa.der], vri: true } : {}),
        });
        if (lt) {
          // CRLs come from the CDP URLs through the caller's fetcher.
          expect(h.crls.hits).toContain('/ca.crl');
          expect(h.crls.hits).toContain('/root.crl');
          expect(out.toString('latin1')).toMatch(/\/CRLs \[/);
        }
        // B-LT and B-LTA: long-term validation on the file's own data; B-B and B-T carry none, so the CRLs come from outside.
        await expectPyhankoPassed(h, out, {
          level,
          signatures: 1,
          documentTimestamps: level === 'B-LTA' ? 1 : 0,
          ...(lt ? {} : { externalCrls: [await h.pki.caCrl(), await h.pki.rootCrl()] }),
        });
      });
    }
  }

  it('SHA-512 with RSA PKCS#1 v1.5 at B-T', async () => {
    const signer = signers['RSA-2048 PKCS#1 v1.5']!.signer();
    const out = await signPdf(contract, signer, { level: 'B-T', hash: 'SHA-512', timestamper: httpTimestamper(h.tsa.url) });
    await judge(h, contract, out, { signatures: 1, signatureTimestamps: true });
  });
});

describe('input files', () => {
  it('keeps an xref stream + object streams file in xref-stream form, visible appearance on page 2', async () => {
    const input = withXrefStream(h.dir, contract);
    expect(input.toString('latin1')).toMatch(/\/Type\s*\/ObjStm/);
    const out = await signPdf(input, signers['ECDSA P-256']!.signer(), { level: 'B-T', timestamper: httpTimestamper(h.tsa.url), appearance: true, page: 2 });
    const tail = out.subarray(input.length).toString('latin1');
    expect(tail).toMatch(/\/Type \/XRef/);
    expect(tail).not.toMatch(/^xref$/m);
    expect(tail).toMatch(/Sign\\351 \\351lectroniquement par : \\311mile Ecdsa/);
    expect(tail).toMatch(/RGS \*/);
    await judge(h, input, out, { signatures: 1, signatureTimestamps: true });
  });

  for (const listedAsFree of [false, true]) {
    it(`signs a hybrid-reference file (xref table + /XRefStm, the compressed object ${listedAsFree ? 'listed as free' : 'left out of the table'}) and verifies it`, async () => {
      const input = hybridXref({ listedAsFree });
      const font = openPdf(input).load(4);
      expect(font instanceof PdfDict && font.get('BaseFont')).toMatchObject({ name: 'Helvetica' });
      const out = await signPdf(input, signers['ECDSA P-256']!.signer(), { level: 'B-T', timestamper: httpTimestamper(h.tsa.url), appearance: true });
      const tail = out.subarray(input.length).toString('latin1');
      expect(tail).toMatch(/^xref$/m);
      // The signed revision still finds the font, which only the stream of the earlier section lists.
      const signed = openPdf(out).load(4);
      expect(signed instanceof PdfDict && signed.get('BaseFont')).toMatchObject({ name: 'Helvetica' });
      await judge(h, input, out, { signatures: 1, signatureTimestamps: true });
      const report = await verifyPdf(out, { trustAnchors: [h.pki.root.der], crls: [await h.pki.caCrl(), await h.pki.rootCrl()] });
      expect(report.indication, JSON.stringify(report.signatures.map((s) => s.reasons))).toBe('TOTAL_PASSED');
      expect(report.signatures[0]).toMatchObject({ padesLevel: 'B-T', coveredWholeDocument: true, modificationsAfter: [] });
    });
  }

  it('signs a file that already holds several revisions, with a classic xref table', async () => {
    const input = withExtraRevision(contract);
    expect(input.toString('latin1').match(/%%EOF/g)).toHaveLength(2);
    const out = await signPdf(input, signers['RSA-2048 PSS']!.signer(), { level: 'B-B', appearance: { rect: [300, 700, 560, 780] } });
    const tail = out.subarray(input.length).toString('latin1');
    expect(tail).toMatch(/^xref$/m);
    expect(tail).toMatch(/\/Prev \d+/);
    await judge(h, input, out, { signatures: 1 });
  });
});
