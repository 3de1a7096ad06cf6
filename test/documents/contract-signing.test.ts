import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_OIDS } from '../../certs/policies.ts';
import { softwareSigner } from '../../certs/signers.ts';
import { createTsaClient } from '../../certs/tsa/client.ts';
import type { Signer } from '../../certs/types.ts';
import { CONTRACT_SIGNATURE_FIELDS, renderContract, type SigningParty } from '../../documents/index.ts';
import { signPdf } from '../../signature/pades.ts';
import { verifyPdf } from '../../signature/validation/verify-pdf.ts';
import { startHarness, type Harness } from '../signature/support/harness.ts';
import { isPrefix, pdfsig, qpdfCheck, type PdfsigSignature } from '../signature/support/judges.ts';
import { NOW, contractInput } from './support/fixtures.ts';

let h: Harness;
let contract: Buffer;
const signers = {} as Record<SigningParty, Signer>;

beforeAll(async () => {
  h = await startHarness();
  contract = Buffer.from(await renderContract(contractInput(), { now: NOW }));
  const chain = [h.pki.ca.der, h.pki.root.der];
  const createur = await h.pki.issue({ cn: 'Camille Rousseau', o: 'Atelier Numérique du Vercors', keyType: 'ec256', policy: POLICY_OIDS.rgs1 });
  const revendeur = await h.pki.issue({ cn: 'Paul Girard', o: 'Informatique Services du Vercors', keyType: 'rsa2048', policy: POLICY_OIDS.rgs1 });
  const banque = await h.pki.issue({ cn: 'Banque Populaire des Alpes', o: 'Banque Populaire des Alpes', keyType: 'ec256', policy: POLICY_OIDS.seal3 });
  signers.createur = softwareSigner(createur.privateKey, createur.der, chain);
  signers.revendeur = softwareSigner(revendeur.privateKey, revendeur.der, chain);
  signers.banque = softwareSigner(banque.privateKey, banque.der, chain);
});
afterAll(async () => {
  await h?.close();
});

/** pdfsig's verdict per field, unsigned fields included. */
async function pdfsigByField(pdf: Buffer, name: string): Promise<Map<string, PdfsigSignature & { signed: boolean }>> {
  const file = path.join(fs.mkdtempSync(path.join(h.dir, 'contract-')), `${name}.pdf`);
  fs.writeFileSync(file, pdf);
  expect(await qpdfCheck(file)).toMatch(/No syntax or stream encoding errors found/);
  const byField = new Map<string, PdfsigSignature & { signed: boolean }>();
  for (const s of await pdfsig(file, h.nss)) {
    const field = /Signature Field Name: (\S+)/.exec(s.raw)?.[1];
    expect(field, s.raw).toBeDefined();
    byField.set(field!, { ...s, signed: !/The signature form field is not signed/.test(s.raw) });
  }
  return byField;
}

describe('the contract under the existing signer', () => {
  it('signPdf takes the contract as it is (B-T, timestamped) and pdfsig accepts the signature', async () => {
    const signed = await signPdf(contract, signers.createur, { level: 'B-T', timestamper: createTsaClient(h.tsa.url), reason: 'Le preneur accepte le contrat' });
    expect(isPrefix(contract, signed)).toBe(true);
    const verdicts = await pdfsigByField(signed, 'signpdf');
    const done = [...verdicts.values()].filter((v) => v.signed);
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ valid: true, trusted: true, totalDocument: true });
    // The three pre-placed fields are untouched, still waiting for their signers.
    for (const f of CONTRACT_SIGNATURE_FIELDS) expect(verdicts.get(f.name)?.signed, f.name).toBe(false);
  });

  it('each pre-placed field takes its own signature in order, after a DocMDP P2 certification by the créateur', async () => {
    let pdf = contract;
    for (const [i, field] of CONTRACT_SIGNATURE_FIELDS.entries()) {
      // The signer fills the field of that name, visibly inside its block, instead of adding one.
      const next = await signPdf(pdf, signers[field.party], { fieldName: field.name, certify: i === 0, appearance: true });
      expect(isPrefix(pdf, next), `${field.name}: incremental`).toBe(true);
      const verdicts = await pdfsigByField(next, field.name);
      expect([...verdicts.keys()]).toEqual(CONTRACT_SIGNATURE_FIELDS.map((f) => f.name)); // no field added
      CONTRACT_SIGNATURE_FIELDS.forEach((f, j) => {
        const v = verdicts.get(f.name)!;
        expect(v.signed, f.name).toBe(j <= i);
        if (j <= i) {
          expect(v.valid, v.raw).toBe(true);
          expect(v.trusted, v.raw).toBe(true);
          expect(v.totalDocument, v.raw).toBe(j === i);
        }
      });
      pdf = next;
    }

    const report = await verifyPdf(pdf, { trustAnchors: [h.pki.root.der], crls: [await h.pki.caCrl(), await h.pki.rootCrl()] });
    expect(report.indication, JSON.stringify(report.reasons)).toBe('TOTAL_PASSED');
    expect(report.signatures.map((s) => s.fieldName)).toEqual(CONTRACT_SIGNATURE_FIELDS.map((f) => f.name));
    expect(report.signatures[0]!.certificationLevel).toBe(2);
    for (const s of report.signatures) {
      expect(s.indication, s.reasons.join(' ; ')).toBe('TOTAL_PASSED');
      expect(s.modificationsAfter, s.fieldName).toEqual([]);
    }
    expect(report.signatures.map((s) => s.rgsLevel)).toEqual([1, 1, 3]);
  });
});
