import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { softwareSigner } from '../../certs/signers.ts';
import { complete, prepare, type PreparedSignature } from '../../signature/deferred.ts';
import { signPdf } from '../../signature/pades.ts';
import { createTsaClient as httpTimestamper } from '../../certs/tsa/client.ts';
import { makeContract } from './support/contract.ts';
import { judge, startHarness, type Harness } from './support/harness.ts';
import type { TestCert } from './support/pki.ts';

let h: Harness;
let contract: Buffer;
let ec: TestCert;
let rsa: TestCert;

beforeAll(async () => {
  h = await startHarness();
  contract = await makeContract({ targetKb: 6 });
  ec = await h.pki.issue({ cn: 'Navigateur Créateur', keyType: 'ec256' });
  rsa = await h.pki.issue({ cn: 'Jeton Distant', keyType: 'rsa2048' });
});
afterAll(async () => h?.close());

describe('deferred signing: prepare, sign elsewhere, complete', () => {
  it('round-trips the state through JSON and completes with a WebCrypto ECDSA r‖s signature (the browser case)', async () => {
    const { toBeSigned, digestToSign, state } = prepare(contract, { certificate: ec.der, chain: [h.pki.ca.der, h.pki.root.der], level: 'B-T', reason: 'Signature à distance' });
    expect(toBeSigned[0]).toBe(0x31); // DER SET OF, not the [0] IMPLICIT form
    expect(Buffer.from(digestToSign)).toEqual(crypto.createHash('sha256').update(toBeSigned).digest());
    const stored = JSON.parse(JSON.stringify(state)) as PreparedSignature;
    expect(stored).toEqual(state);
    expect(JSON.stringify(state)).not.toMatch(/PRIVATE KEY/);

    // The "browser": WebCrypto signs and returns raw r‖s (64 bytes for P-256).
    const key = await crypto.webcrypto.subtle.importKey('pkcs8', ec.privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const raw = new Uint8Array(await crypto.webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, new Uint8Array(toBeSigned)));
    expect(raw).toHaveLength(64);

    const out = await complete(stored, raw, { timestamper: httpTimestamper(h.tsa.url) });
    await judge(h, contract, out, { signatures: 1, signatureTimestamps: true });
  });

  it('completes a signature made over digestToSign only (a remote HSM signing a hash), up to B-LTA', async () => {
    const { digestToSign, state } = prepare(contract, { certificate: rsa.der, chain: [h.pki.ca.der, h.pki.root.der], level: 'B-LTA' });
    // RSA PKCS#1 v1.5 over a precomputed digest: DigestInfo(sha256) || digest, as a token does.
    const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), Buffer.from(digestToSign)]);
    const value = crypto.privateEncrypt({ key: rsa.privateKey, padding: crypto.constants.RSA_PKCS1_PADDING }, digestInfo);
    const out = await complete(JSON.parse(JSON.stringify(state)), value, {
      timestamper: httpTimestamper(h.tsa.url),
      fetchers: { crl: async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer()) },
    });
    await judge(h, contract, out, { signatures: 1, documentTimestamps: 1, signatureTimestamps: true, embedded: [h.pki.tsa.der, h.pki.root.der], vri: true });
  });

  it('refuses a signature value that does not match the certificate', async () => {
    const { state } = prepare(contract, { certificate: ec.der, chain: [h.pki.ca.der] });
    const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const wrong = crypto.sign('sha256', Buffer.from(state.signedAttributes, 'base64'), other);
    await expect(complete(state, wrong)).rejects.toThrow(/ne correspond pas au certificat/);
  });

  it('refuses a stored state whose PDF was altered after preparation', async () => {
    const { toBeSigned, state } = prepare(contract, { certificate: ec.der, chain: [h.pki.ca.der] });
    const pdf = Buffer.from(state.pdf, 'base64');
    pdf[100] = pdf[100]! ^ 0x01;
    const tampered = { ...state, pdf: pdf.toString('base64') };
    const value = crypto.sign('sha256', toBeSigned, ec.privateKey);
    await expect(complete(tampered, value)).rejects.toThrow(/modifié depuis la préparation/);
  });

  it('fails clearly, without truncating, when the CMS would not fit the reserved placeholder', async () => {
    const signer = softwareSigner(ec.privateKey, ec.der, [h.pki.ca.der, h.pki.root.der]);
    await expect(signPdf(contract, signer, { contentsSize: 200 })).rejects.toThrow(/ne tient pas dans l’emplacement réservé|ne tient pas dans l'emplacement réservé/);
    const { toBeSigned, state } = prepare(contract, { certificate: ec.der, chain: [h.pki.ca.der], level: 'B-T', timestampReserve: 16 });
    await expect(complete(state, crypto.sign('sha256', toBeSigned, ec.privateKey), { timestamper: httpTimestamper(h.tsa.url) })).rejects.toThrow(/ne tient pas/);
  });
});
