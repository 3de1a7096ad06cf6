import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Signer, Timestamper } from '../../certs/types.ts';
import { softwareSigner } from '../../certs/signers.ts';
import { extendPdf, signPdf } from '../../signature/pades.ts';
import { createTsaClient as httpTimestamper } from '../../certs/tsa/client.ts';
import type { PadesLevel } from '../../signature/levels.ts';
import { makeContract } from './support/contract.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { closedPortUrl, startOpensslTsa, type TestTsa } from './support/servers.ts';

let h: Harness;
let contract: Buffer;
let signer: Signer;
let broken: TestTsa;
let closedUrl: string;

beforeAll(async () => {
  h = await startHarness();
  contract = await makeContract();
  const leaf = await h.pki.issue({ cn: 'Jeanne Créatrice', keyType: 'ec256' });
  signer = softwareSigner(leaf.privateKey, leaf.der, [h.pki.ca.der, h.pki.root.der]);
  broken = await startOpensslTsa(h.dir, h.pki);
  closedUrl = await closedPortUrl();
});
afterAll(async () => {
  await broken?.close();
  await h?.close();
});

const levels: PadesLevel[] = ['B-T', 'B-LT', 'B-LTA'];

// Callers branch on the code (SignatureError, docs/errors.md); people read the French message.
describe('a TSA that is down or answers an error: B-T and above fail, never a lower level', () => {
  for (const level of levels) {
    it(`${level}: closed port`, async () => {
      await expect(signPdf(contract, signer, { level, timestamper: httpTimestamper(closedUrl) })).rejects.toMatchObject({
        code: 'SIGN_TIMESTAMP_FAILED',
        message: expect.stringMatching(/Horodatage impossible : Le service d'horodatage .* est injoignable/),
      });
    });
    it(`${level}: HTTP 500`, async () => {
      broken.mode = 'http500';
      await expect(signPdf(contract, signer, { level, timestamper: httpTimestamper(broken.url) })).rejects.toMatchObject({
        code: 'SIGN_TIMESTAMP_FAILED',
        message: expect.stringMatching(/Horodatage impossible : Le service d'horodatage .* a répondu par une erreur HTTP 500/),
      });
    });
    it(`${level}: rejection status`, async () => {
      broken.mode = 'reject';
      await expect(signPdf(contract, signer, { level, timestamper: httpTimestamper(broken.url) })).rejects.toMatchObject({
        code: 'SIGN_TIMESTAMP_FAILED',
        message: expect.stringMatching(/Horodatage impossible : Le service d'horodatage .* a refusé la demande \(statut 2/),
      });
    });
  }

  it('a TSA that fails after answering the size probe still fails the signature', async () => {
    broken.mode = 'ok';
    let calls = 0;
    const flaky: Timestamper = {
      async timestamp(imprint, hash) {
        if (++calls > 1) throw new Error('service interrompu');
        return httpTimestamper(broken.url).timestamp(imprint, hash);
      },
    };
    await expect(signPdf(contract, signer, { level: 'B-T', timestamper: flaky })).rejects.toMatchObject({
      code: 'SIGN_TIMESTAMP_FAILED',
      message: expect.stringMatching(/Horodatage impossible : service interrompu/),
    });
    expect(calls).toBe(2);
  });

  it('B-T without any timestamper is refused before signing', async () => {
    let signed = false;
    const watching: Signer = { ...signer, sign: async (d, hsh) => ((signed = true), signer.sign(d, hsh)) };
    await expect(signPdf(contract, watching, { level: 'B-T' })).rejects.toMatchObject({
      code: 'SIGN_TSA_REQUIRED',
      message: expect.stringMatching(/exige une autorité d’horodatage/),
    });
    expect(signed).toBe(false);
  });

  it('extend to B-LTA with the TSA down fails instead of stopping at B-LT', async () => {
    const signed = await signPdf(contract, signer, { level: 'B-B' });
    await expect(
      extendPdf(signed, { level: 'B-LTA', timestamper: httpTimestamper(closedUrl), material: { crls: [await h.pki.caCrl(), await h.pki.rootCrl()] } }),
    ).rejects.toMatchObject({ code: 'SIGN_TIMESTAMP_FAILED', message: expect.stringMatching(/Horodatage impossible/) });
  });

  it('B-LT fails when revocation data for a certificate with a CDP cannot be found', async () => {
    await expect(signPdf(contract, signer, { level: 'B-LT', timestamper: httpTimestamper(h.tsa.url) })).rejects.toMatchObject({
      code: 'SIGN_REVOCATION_MISSING',
      message: expect.stringMatching(/Données de révocation introuvables/),
    });
  });
});
