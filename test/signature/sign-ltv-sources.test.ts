import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { softwareSigner } from '../../certs/signers.ts';
import { createTsaClient } from '../../certs/tsa/client.ts';
import { httpValidationFetchers } from '../../signature/fetchers.ts';
import { extendPdf, signPdf } from '../../signature/pades.ts';
import { verifyPdf } from '../../signature/validation/verify-pdf.ts';
import { makeContract } from './support/contract.ts';
import { expectDssGrown } from './support/dss.ts';
import { expectPyhankoPassed, judge, startHarness, type Harness } from './support/harness.ts';
import { createTestPki, type TestPki } from './support/pki.ts';
import { startFileServer, startOpensslTsa, type TestServer, type TestTsa } from './support/servers.ts';

let h: Harness;
let contract: Buffer;
// Another hierarchy with a TSA of its own: the one that timestamped the file before the archive took it over.
let other: { pki: TestPki; tsa: TestTsa; crls: TestServer };

beforeAll(async () => {
  // The issuing CA's certificate names an OCSP responder that the root key itself signs for.
  h = await startHarness({ rootOcsp: true });
  contract = await makeContract();
  const files = new Map<string, () => Promise<Uint8Array>>();
  const crls = await startFileServer(files);
  const pki = await createTestPki({ crlBase: crls.url, name: 'autre' });
  files.set('/ca.crl', () => pki.caCrl());
  files.set('/root.crl', () => pki.rootCrl());
  other = { pki, crls, tsa: await startOpensslTsa(h.dir, pki) };
});
afterAll(async () => {
  await other?.tsa.close();
  await other?.crls.close();
  await h?.close();
});

describe('validation data every validator accepts', () => {
  it('settles the CA certificate with the root’s CRL, not the OCSP response signed by the root key (item 4)', async () => {
    const leaf = await h.pki.issue({ cn: 'Claire Crl', keyType: 'ec256' });
    const signer = softwareSigner(leaf.privateKey, leaf.der, [h.pki.ca.der, h.pki.root.der]);
    const out = await signPdf(contract, signer, { level: 'B-LTA', timestamper: createTsaClient(h.tsa.url), fetchers: httpValidationFetchers({ timeoutMs: 10_000 }) });
    expect(h.rootOcsp!.requests, 'the root’s OCSP responder was not needed').toBe(0);
    expect(out.toString('latin1')).not.toMatch(/\/OCSPs \[/);
    await judge(h, contract, out, { signatures: 1, documentTimestamps: 1, signatureTimestamps: true, embedded: [h.pki.ca.der, h.pki.tsa.der], vri: true });
    await expectPyhankoPassed(h, out, { level: 'B-LTA', signatures: 1, documentTimestamps: 1 });
  });

  it('extend with our TSA adds its chain and revocation data before the new document timestamp, when another TSA timestamped the file (item 5)', async () => {
    const leaf = await other.pki.issue({ cn: 'Ailleurs Signataire', keyType: 'ec256' });
    const signer = softwareSigner(leaf.privateKey, leaf.der, [other.pki.ca.der, other.pki.root.der]);
    const fetchers = httpValidationFetchers({ timeoutMs: 10_000 });
    const signed = await signPdf(contract, signer, { level: 'B-LTA', timestamper: createTsaClient(other.tsa.url), fetchers });
    await expectPyhankoPassed(h, signed, { level: 'B-LTA', signatures: 1, documentTimestamps: 1, extraRootsPem: other.pki.root.pem });

    const extended = await extendPdf(signed, { level: 'B-LTA', timestamper: createTsaClient(h.tsa.url), fetchers, material: { certificates: [h.pki.root.der] } });
    expectDssGrown(signed, extended);
    // Our TSA's certificate, its CA's and the CA's CRL sit in the DSS the new timestamp covers.
    const dssPart = extended.subarray(signed.length, extended.lastIndexOf(Buffer.from('/DocTimeStamp')));
    for (const der of [h.pki.tsa.der, h.pki.ca.der]) expect(dssPart.includes(Buffer.from(der))).toBe(true);
    await expectPyhankoPassed(h, extended, { level: 'B-LTA', signatures: 1, documentTimestamps: 2, extraRootsPem: other.pki.root.pem });
    const report = await verifyPdf(extended, { trustAnchors: [h.pki.root.der, other.pki.root.der] });
    expect(report.indication, JSON.stringify(report.signatures.map((s) => s.reasons))).toBe('TOTAL_PASSED');
  });
});
