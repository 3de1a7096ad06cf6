import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { softwareSigner } from '../../certs/signers.ts';
import { createTsaClient } from '../../certs/tsa/client.ts';
import { httpValidationFetchers } from '../../signature/fetchers.ts';
import { signPdf } from '../../signature/pades.ts';
import { appendDss } from '../../signature/dss.ts';
import { verifyPdf } from '../../signature/validation/verify-pdf.ts';
import { makeContract } from './support/contract.ts';
import { judge, startHarness, type Harness } from './support/harness.ts';
import type { TestCert } from './support/pki.ts';
import { startOpensslOcsp } from './support/servers.ts';

const run = promisify(execFile);
let h: Harness;
let contract: Buffer;
let ocsp: Awaited<ReturnType<typeof startOpensslOcsp>>;
let leaf: TestCert;

beforeAll(async () => {
  h = await startHarness();
  contract = await makeContract();
  ocsp = await startOpensslOcsp(h.dir, h.pki);
  leaf = await h.pki.issue({ cn: 'Olivia Ocsp', keyType: 'ec256', ocspUrl: ocsp.url });
  ocsp.setGood([leaf]);
});
afterAll(async () => {
  await ocsp?.close();
  await h?.close();
});

describe('B-LT with OCSP responses', () => {
  it('fetches the signer’s OCSP response through the AIA URL (HTTP fetchers) and CRLs for the rest', async () => {
    const signer = softwareSigner(leaf.privateKey, leaf.der, [h.pki.ca.der, h.pki.root.der]);
    const out = await signPdf(contract, signer, { level: 'B-LT', timestamper: createTsaClient(h.tsa.url), fetchers: httpValidationFetchers({ timeoutMs: 10_000 }) });
    expect(ocsp.requests).toBeGreaterThanOrEqual(1);
    const text = out.toString('latin1');
    expect(text).toMatch(/\/OCSPs \[\d+ 0 R\]/);
    expect(text).toMatch(/\/OCSP \[\d+ 0 R\]/);
    expect(text).toMatch(/\/CRLs \[/);
    await judge(h, contract, out, { signatures: 1, signatureTimestamps: true, lastCoversAll: false, embedded: [h.pki.ca.der, h.pki.root.der, h.pki.tsa.der], vri: true });

    // The embedded response is one openssl accepts for this certificate: status good.
    const at = /\/OCSPs \[(\d+) 0 R\]/.exec(text)![1];
    const obj = new RegExp(`\\n${at} 0 obj\\n<</Length (\\d+)\\n>>\\nstream\\n`).exec(text)!;
    const der = out.subarray(obj.index + obj[0].length, obj.index + obj[0].length + Number(obj[1]));
    const d = fs.mkdtempSync(path.join(h.dir, 'ocspcheck-'));
    fs.writeFileSync(path.join(d, 'resp.der'), der);
    fs.writeFileSync(path.join(d, 'leaf.pem'), leaf.pem);
    fs.writeFileSync(path.join(d, 'ca.pem'), h.pki.ca.pem);
    fs.writeFileSync(path.join(d, 'root.pem'), h.pki.root.pem);
    const { stdout, stderr } = await run('openssl', [
      'ocsp',
      '-respin',
      path.join(d, 'resp.der'),
      '-issuer',
      path.join(d, 'ca.pem'),
      '-cert',
      path.join(d, 'leaf.pem'),
      '-CAfile',
      path.join(d, 'root.pem'),
      '-verify_other',
      path.join(d, 'ca.pem'),
    ]);
    expect(stderr + stdout).toMatch(/Response verify OK/);
    expect(stdout).toMatch(/: good/);
  });

  it('embeds OCSP responses given as material, byte for byte', async () => {
    const d = fs.mkdtempSync(path.join(h.dir, 'ocspmat-'));
    fs.writeFileSync(path.join(d, 'leaf.pem'), leaf.pem);
    fs.writeFileSync(path.join(d, 'ca.pem'), h.pki.ca.pem);
    await run('openssl', ['ocsp', '-issuer', path.join(d, 'ca.pem'), '-cert', path.join(d, 'leaf.pem'), '-url', ocsp.url, '-respout', path.join(d, 'resp.der'), '-noverify']);
    const response = fs.readFileSync(path.join(d, 'resp.der'));
    const signer = softwareSigner(leaf.privateKey, leaf.der, [h.pki.ca.der, h.pki.root.der]);
    const out = await signPdf(contract, signer, {
      level: 'B-LTA',
      timestamper: createTsaClient(h.tsa.url),
      material: { ocsps: [response], crls: [await h.pki.caCrl(), await h.pki.rootCrl()] },
    });
    expect(out.includes(response)).toBe(true);
    await judge(h, contract, out, { signatures: 1, documentTimestamps: 1, signatureTimestamps: true, embedded: [response, h.pki.tsa.der], vri: true });
  });

  it('B-LT needs the TSA chain’s revocation data in the DSS too, not only the signer’s', async () => {
    const d = fs.mkdtempSync(path.join(h.dir, 'ltv-tsa-'));
    fs.writeFileSync(path.join(d, 'leaf.pem'), leaf.pem);
    fs.writeFileSync(path.join(d, 'ca.pem'), h.pki.ca.pem);
    await run('openssl', ['ocsp', '-issuer', path.join(d, 'ca.pem'), '-cert', path.join(d, 'leaf.pem'), '-url', ocsp.url, '-respout', path.join(d, 'resp.der'), '-noverify']);
    const response = new Uint8Array(fs.readFileSync(path.join(d, 'resp.der')));
    const signer = softwareSigner(leaf.privateKey, leaf.der, [h.pki.ca.der, h.pki.root.der]);
    const bt = await signPdf(contract, signer, { level: 'B-T', timestamper: createTsaClient(h.tsa.url) });
    const certs = [h.pki.ca.der, h.pki.root.der, h.pki.tsa.der];
    // The signer's chain is settled by the OCSP response (and the root's CRL for the CA); the TSA's certificate needs the CA's CRL.
    const signerOnly = appendDss(bt, { certs, crls: [await h.pki.rootCrl()], ocsps: [response], entries: [] });
    const caCrl = await h.pki.caCrl();
    const options = { trustAnchors: [h.pki.root.der], fetchRevocation: async (url: string) => (url.endsWith('/ca.crl') ? caCrl : null) };
    const partial = await verifyPdf(signerOnly, options);
    expect(partial.indication, JSON.stringify(partial.signatures.map((s) => s.reasons))).toBe('TOTAL_PASSED');
    expect(partial.signatures[0]!.padesLevel).toBe('B-T');

    const complete = appendDss(bt, { certs, crls: [await h.pki.rootCrl(), caCrl], ocsps: [response], entries: [] });
    const full = await verifyPdf(complete, { trustAnchors: [h.pki.root.der] });
    expect(full.indication, JSON.stringify(full.signatures.map((s) => s.reasons))).toBe('TOTAL_PASSED');
    expect(full.signatures[0]!.padesLevel).toBe('B-LT');
  });
});
