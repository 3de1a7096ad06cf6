import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { softwareSigner } from '../../certs/signers.ts';
import { createTsaClient } from '../../certs/tsa/client.ts';
import { complete, prepare } from '../../signature/deferred.ts';
import { httpValidationFetchers } from '../../signature/fetchers.ts';
import { signPdf } from '../../signature/pades.ts';
import { makeContract } from './support/contract.ts';
import { judge, startHarness, type Harness } from './support/harness.ts';
import type { TestCert } from './support/pki.ts';
import { startOpensslOcsp } from './support/servers.ts';

let h: Harness;
let contract: Buffer;
let ocsp: Awaited<ReturnType<typeof startOpensslOcsp>>;
let revokedByOcsp: TestCert;
let revokedByCrl: TestCert;
let expired: TestCert;
const day = 86_400_000;

beforeAll(async () => {
  h = await startHarness();
  contract = await makeContract();
  ocsp = await startOpensslOcsp(h.dir, h.pki);
  revokedByOcsp = await h.pki.issue({ cn: 'Rémi Révoqué', keyType: 'ec256', ocspUrl: ocsp.url });
  ocsp.setGood([], [revokedByOcsp]);
  revokedByCrl = await h.pki.issue({ cn: 'Lucie Lcr', keyType: 'ec256' });
  expired = await h.pki.issue({ cn: 'Émile Expiré', keyType: 'ec256', notBefore: new Date(Date.now() - 30 * day), notAfter: new Date(Date.now() - day) });
});
afterAll(async () => {
  await ocsp?.close();
  await h?.close();
});

const signerOf = (c: TestCert) => softwareSigner(c.privateKey, c.der, [h.pki.ca.der, h.pki.root.der]);

describe('the signer’s own chain is checked before anything is written (issue 11, item 1)', () => {
  it('refuses a revoked certificate at B-LT when the OCSP response fetched says « revoked »', async () => {
    const attempt = signPdf(contract, signerOf(revokedByOcsp), { level: 'B-LT', timestamper: createTsaClient(h.tsa.url), fetchers: httpValidationFetchers({ timeoutMs: 10_000 }) });
    await expect(attempt).rejects.toMatchObject({
      name: 'SignatureError',
      code: 'SIGNER_CERT_REVOKED',
      message: expect.stringMatching(/« .*CN=Rémi Révoqué » est révoqué depuis le .* : signature refusée\./),
    });
    expect(ocsp.requests).toBeGreaterThanOrEqual(1);
  });

  it('refuses a certificate revoked by a CRL the caller gives, at B-T and at B-B', async () => {
    const crls = [await h.pki.caCrl([revokedByCrl]), await h.pki.rootCrl()];
    const timestamper = createTsaClient(h.tsa.url);
    for (const level of ['B-T', 'B-B'] as const) {
      await expect(signPdf(contract, signerOf(revokedByCrl), { level, timestamper, material: { crls } })).rejects.toMatchObject({ code: 'SIGNER_CERT_REVOKED' });
    }
    // Below B-LT, with nothing known about revocation, the same certificate still signs.
    const out = await signPdf(contract, signerOf(revokedByCrl), { level: 'B-B' });
    await judge(h, contract, out, { signatures: 1 });
  });

  it('refuses an expired certificate at every level', async () => {
    await expect(signPdf(contract, signerOf(expired), { level: 'B-B' })).rejects.toMatchObject({
      code: 'SIGNER_CERT_EXPIRED',
      message: expect.stringMatching(/« .*CN=Émile Expiré » a expiré le \d{4}-\d\d-\d\d .* UTC : signature refusée\./),
    });
  });

  it('deferred signing: complete() refuses a revoked signer after the device signed', async () => {
    const { toBeSigned, state } = prepare(contract, { certificate: revokedByCrl.der, chain: [h.pki.ca.der, h.pki.root.der], level: 'B-T' });
    const value = crypto.sign('sha256', toBeSigned, revokedByCrl.privateKey);
    const crls = [await h.pki.caCrl([revokedByCrl]), await h.pki.rootCrl()];
    await expect(complete(state, value, { timestamper: createTsaClient(h.tsa.url), material: { crls } })).rejects.toMatchObject({ code: 'SIGNER_CERT_REVOKED' });
    const expiredState = prepare(contract, { certificate: expired.der, chain: [h.pki.ca.der], level: 'B-B' });
    await expect(complete(expiredState.state, crypto.sign('sha256', expiredState.toBeSigned, expired.privateKey))).rejects.toMatchObject({ code: 'SIGNER_CERT_EXPIRED' });
  });
});
