import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_OIDS } from '../../certs/policies.ts';
import { TokenSession, generateTokenKey, openTokenSigner, storeCertificateOnToken, type TokenSigner } from '../../certs/pkcs11.ts';
import { softwareSigner } from '../../certs/signers.ts';
import type { Signer } from '../../certs/types.ts';
import { extendPdf, signPdf } from '../../signature/pades.ts';
import { createTsaClient as httpTimestamper } from '../../certs/tsa/client.ts';
import { verifyPdf } from '../../signature/validation/verify-pdf.ts';
import { makeContract } from './support/contract.ts';
import { expectDssGrown } from './support/dss.ts';
import { expectPyhankoPassed, judge, startHarness, type Harness } from './support/harness.ts';

const PIN = '4821';
let h: Harness;
let contract: Buffer;
let createur: Signer;
let revendeur: Signer;
let banque: TokenSigner;
const fetchers = { crl: async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer()) };

beforeAll(async () => {
  h = await startHarness();
  contract = await makeContract({ pages: 2, targetKb: 10 });
  const c = await h.pki.issue({ cn: 'Jeanne Créatrice', o: 'Boulangerie Dupont', keyType: 'ec256', policy: POLICY_OIDS.rgs1 });
  const r = await h.pki.issue({ cn: 'Paul Revendeur', o: 'Informatique Services', keyType: 'rsa2048', policy: POLICY_OIDS.rgs1 });
  createur = softwareSigner(c.privateKey, c.der, [h.pki.ca.der, h.pki.root.der]);
  revendeur = softwareSigner(r.privateKey, r.der, [h.pki.ca.der, h.pki.root.der], { rsaPadding: 'pss', saltLength: 32 });

  // The bank's RGS *** seal key lives on a SoftHSM2 token of its own (own config, temp dir).
  const hsm = fs.mkdtempSync(path.join(h.dir, 'softhsm-'));
  fs.mkdirSync(path.join(hsm, 'tokens'));
  fs.writeFileSync(path.join(hsm, 'softhsm2.conf'), `directories.tokendir = ${hsm}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = path.join(hsm, 'softhsm2.conf');
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'banque', '--pin', PIN, '--so-pin', '97531864'], { env: process.env, stdio: 'ignore' });
  const session = TokenSession.open({ tokenLabel: 'banque', pin: PIN });
  try {
    const key = generateTokenKey(session, 'ec256', 'cachet-banque');
    const cert = await h.pki.certify({ cn: 'Banque Exemple', o: 'Banque Exemple SA', spki: key.publicKey, policy: POLICY_OIDS.seal3 });
    storeCertificateOnToken(session, cert, key.id, 'cachet-banque');
  } finally {
    session.close();
  }
  banque = openTokenSigner({ tokenLabel: 'banque', pin: PIN, keyLabel: 'cachet-banque', chain: [h.pki.ca.der, h.pki.root.der] });
});
afterAll(async () => {
  banque?.close();
  await h?.close();
});

describe('three signatures: créateur and revendeur at B-T, the bank on SoftHSM2 at B-LTA, then extended twice', () => {
  let three: Buffer;
  let final: Buffer;
  const externalCrls = async (): Promise<Uint8Array[]> => [await h.pki.caCrl(), await h.pki.rootCrl()];

  it('each signature is a new revision and every earlier one stays valid', async () => {
    const timestamper = httpTimestamper(h.tsa.url);
    // Approval signatures: a certification (DocMDP P2) forbids the later signers' new field widgets in pyHanko's eyes;
    // pre-created fields for them are the ceremony's work (signature/fields.ts).
    const one = await signPdf(contract, createur, { level: 'B-T', timestamper, fieldName: 'Preneur', appearance: true, reason: 'Le preneur accepte le contrat' });
    await judge(h, contract, one, { signatures: 1, signatureTimestamps: true });
    await expectPyhankoPassed(h, one, { level: 'B-T', signatures: 1, externalCrls: await externalCrls() });

    const two = await signPdf(one, revendeur, { level: 'B-T', timestamper, fieldName: 'Fournisseur', appearance: { rect: [306, 36, 566, 106] } });
    await judge(h, one, two, { signatures: 2, signatureTimestamps: true });
    await expectPyhankoPassed(h, two, { level: 'B-T', signatures: 2, externalCrls: await externalCrls() });

    await expect(signPdf(two, createur, { certify: true })).rejects.toThrow(/première signature/);

    // The last signer's B-LTA settles the two earlier B-T signatures too: pyHanko reads only the file.
    three = await signPdf(two, banque, {
      level: 'B-LTA',
      timestamper,
      fetchers,
      material: { certificates: [h.pki.root.der] },
      fieldName: 'Bailleur',
      page: 2,
      appearance: true,
      reason: 'Contresignature du bailleur',
    });
    expect(three.subarray(two.length).toString('latin1')).toMatch(/RGS \*\*\*/);
    await judge(h, two, three, {
      signatures: 3,
      documentTimestamps: 1,
      signatureTimestamps: true,
      embedded: [banque.certificate, h.pki.ca.der, h.pki.root.der, h.pki.tsa.der],
      vri: true,
    });
    await expectPyhankoPassed(h, three, { level: 'B-LTA', signatures: 3, documentTimestamps: 1 });
  });

  it('extending twice grows the DSS append-only; pyHanko accepts every revision', async () => {
    const timestamper = httpTimestamper(h.tsa.url);
    final = await extendPdf(three, { level: 'B-LTA', timestamper, fetchers });
    await judge(h, three, final, { signatures: 3, documentTimestamps: 2, signatureTimestamps: true, vri: true });
    expectDssGrown(three, final);
    await expectPyhankoPassed(h, final, { level: 'B-LTA', signatures: 3, documentTimestamps: 2 });

    const again = await extendPdf(final, { level: 'B-LTA', timestamper, fetchers });
    await judge(h, final, again, { signatures: 3, documentTimestamps: 3, signatureTimestamps: true, vri: true });
    expectDssGrown(final, again);
    await expectPyhankoPassed(h, again, { level: 'B-LTA', signatures: 3, documentTimestamps: 3 });
  });

  it('the project verifier reports TOTAL_PASSED at B-LTA for every signature', async () => {
    const report = await verifyPdf(final, { trustAnchors: [h.pki.root.der], requiredRgsLevel: 1 });
    expect(report.indication, JSON.stringify(report.reasons)).toBe('TOTAL_PASSED');
    const sigs = report.signatures.filter((s) => s.type === 'signature');
    expect(sigs.map((s) => s.fieldName)).toEqual(['Preneur', 'Fournisseur', 'Bailleur']);
    for (const s of sigs) {
      expect(s.indication, s.reasons.join(' ; ')).toBe('TOTAL_PASSED');
      expect(s.padesLevel).toBe('B-LTA');
    }
    expect(sigs.map((s) => s.rgsLevel)).toEqual([1, 1, 3]);
    expect(report.signatures.filter((s) => s.type === 'document-timestamp')).toHaveLength(2);
  });
});
