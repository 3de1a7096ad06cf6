import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Signer } from '../../certs/types.ts';
import { softwareSigner } from '../../certs/signers.ts';
import { signPdf } from '../../signature/pades.ts';
import { makeContract } from './support/contract.ts';
import { judge, startHarness, type Harness } from './support/harness.ts';
import type { TestCert } from './support/pki.ts';

let h: Harness;
let contract: Buffer;
let rsa: TestCert;
let ec: TestCert;

beforeAll(async () => {
  h = await startHarness();
  contract = await makeContract({ pages: 2, targetKb: 8 });
  rsa = await h.pki.issue({ cn: 'Jeanne Créatrice', keyType: 'rsa2048' });
  ec = await h.pki.issue({ cn: 'Émile Ecdsa', keyType: 'ec256' });
});
afterAll(async () => h?.close());

describe('software signers on the calling thread', () => {
  const cases: [string, () => Signer][] = [
    ['RSA PKCS#1 v1.5', () => softwareSigner(rsa.privateKey, rsa.der, [h.pki.ca.der, h.pki.root.der], { thread: 'caller' })],
    ['RSA-PSS', () => softwareSigner(rsa.privateKey, rsa.der, [h.pki.ca.der], { thread: 'caller', rsaPadding: 'pss', saltLength: 32 })],
    ['ECDSA P-256', () => softwareSigner(ec.privateKey, ec.der, [h.pki.ca.der, h.pki.root.der], { thread: 'caller' })],
  ];
  for (const [label, make] of cases) {
    it(`${label}: B-B accepted by pdfsig, openssl and qpdf`, async () => {
      const signer = make();
      expect(signer.selfVerifying).toBe(true);
      await judge(h, contract, await signPdf(contract, signer, { level: 'B-B' }), { signatures: 1 });
    });
  }
});

describe('the value check before embedding', () => {
  // A token or remote key: its values are checked, whatever it returns.
  const outside = (sign: Signer['sign'], base: TestCert = rsa): Signer => ({
    certificate: base.der,
    chain: [h.pki.ca.der],
    keyAlgorithm: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048 },
    sign,
  });

  it('refuses a value from an outside signer that does not verify, and writes nothing', async () => {
    const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const signer = outside(async (data) => crypto.sign('sha256', data, other));
    await expect(signPdf(contract, signer, { level: 'B-B' })).rejects.toThrow('La valeur de signature ne correspond pas au certificat ou aux données préparées.');
  });

  it('refuses a value from an outside signer that signed other bytes', async () => {
    const signer = outside(async () => crypto.sign('sha256', Buffer.from('autre chose'), rsa.privateKey));
    await expect(signPdf(contract, signer, { level: 'B-B' })).rejects.toThrow('La valeur de signature ne correspond pas');
  });

  it('accepts the right value from an outside signer', async () => {
    const signer = outside(async (data) => crypto.sign('sha256', data, rsa.privateKey));
    await judge(h, contract, await signPdf(contract, signer, { level: 'B-B' }), { signatures: 1 });
  });

  it('a software signer cannot be made with a key that is not the certificate’s', () => {
    expect(() => softwareSigner(ec.privateKey, rsa.der, [], { thread: 'caller' })).toThrow('La clé privée ne correspond pas au certificat fourni.');
  });
});
