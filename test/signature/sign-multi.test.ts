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
import { judge, startHarness, type Harness } from './support/harness.ts';
import { pyhankoJudge } from './support/pyhanko-verdicts.ts';

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

describe('three signatures: créateur, revendeur, then the bank on SoftHSM2, extended to B-LTA', () => {
  let final: Buffer;

  it('each signature is a new revision and every earlier one stays valid', async () => {
    const timestamper = httpTimestamper(h.tsa.url);
    const one = await signPdf(contract, createur, { level: 'B-T', timestamper, certify: true, fieldName: 'Preneur', appearance: true, reason: 'Le preneur accepte le contrat' });
    const text1 = one.subarray(contract.length).toString('latin1');
    expect(text1).toMatch(/\/TransformMethod \/DocMDP/);
    expect(text1).toMatch(/\/P 2/);
    expect(text1).toMatch(/\/Perms <<\/DocMDP \d+ 0 R/);
    await judge(h, contract, one, { signatures: 1, signatureTimestamps: true });

    const two = await signPdf(one, revendeur, { level: 'B-T', timestamper, fieldName: 'Fournisseur', appearance: { rect: [306, 36, 566, 106] } });
    await judge(h, one, two, { signatures: 2, signatureTimestamps: true });

    const three = await signPdf(two, banque, { level: 'B-T', timestamper, fieldName: 'Bailleur', page: 2, appearance: true, reason: 'Contresignature du bailleur' });
    expect(three.subarray(two.length).toString('latin1')).toMatch(/RGS \*\*\*/);
    await judge(h, two, three, { signatures: 3, signatureTimestamps: true });

    await expect(signPdf(three, createur, { certify: true })).rejects.toThrow(/première signature/);

    final = await extendPdf(three, { level: 'B-LTA', timestamper, fetchers, material: { certificates: [h.pki.root.der] } });
    await judge(h, three, final, {
      signatures: 3,
      documentTimestamps: 1,
      signatureTimestamps: true,
      embedded: [banque.certificate, h.pki.ca.der, h.pki.root.der, h.pki.tsa.der, await h.pki.caCrl()].slice(0, 4),
      vri: true,
    });
    expect(final.toString('latin1').match(/\/CRLs \[/g)?.length).toBeGreaterThanOrEqual(1);
  });

  it('re-timestamping an archive adds the last timestamp’s validation data and a new document timestamp', async () => {
    const again = await extendPdf(final, { level: 'B-LTA', timestamper: httpTimestamper(h.tsa.url), fetchers });
    await judge(h, final, again, { signatures: 3, documentTimestamps: 2, signatureTimestamps: true, vri: true });
  });

  it('the project verifier: every signature intact at B-LTA; the certification broken by the later visible fields, as pyHanko says', async () => {
    // The later signers add visible signature fields after a DocMDP P=2 certification: pyHanko
    // refuses that (only the fields the certifier prepared may be signed, or invisible ones), and
    // so does the verifier since issue 12. Issue 11 item 6 (signing prepared fields) brings TOTAL_PASSED back.
    const report = await verifyPdf(final, { trustAnchors: [h.pki.root.der], requiredRgsLevel: 1 });
    const sigs = report.signatures.filter((s) => s.type === 'signature');
    expect(sigs.map((s) => s.fieldName)).toEqual(['Preneur', 'Fournisseur', 'Bailleur']);
    // The certification (Preneur) is broken by the visible fields added after it; the approval
    // signatures are judged under their own (absent) DocMDP, as pyHanko does.
    expect(sigs[0], sigs[0]!.reasons.join(' ; ')).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'SIG_CONSTRAINTS_FAILURE' });
    expect(sigs[0]!.reasons[0]).toMatch(/modifié après la signature.*champs de signature/);
    expect(sigs[0]!.reasons).toContain('signature valide');
    for (const s of sigs.slice(1)) expect(s.indication, s.reasons.join(' ; ')).toBe('TOTAL_PASSED');
    expect(sigs[0]!.certificationLevel).toBe(2);
    for (const s of sigs) expect(s.padesLevel).toBe('B-LTA');
    expect(report.indication).toBe('TOTAL_FAILED');
    const pyhanko = pyhankoJudge([final], h.pki.root.pem, new Date());
    for (const s of sigs) {
      expect(pyhanko.find((j) => j.field === s.fieldName)?.docmdp_ok, `pyHanko on ${s.fieldName}`).toBe(s.modificationsAfter.length === 0);
    }
    expect(sigs.map((s) => s.rgsLevel)).toEqual([1, 1, 3]);
    expect(report.signatures.filter((s) => s.type === 'document-timestamp')).toHaveLength(1);
  });
});
