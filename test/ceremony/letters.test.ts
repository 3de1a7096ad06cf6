/**
 * Every decision gets its letter, sealed by the bank as soon as it is taken:
 * an accord (the contract then waits for the créateur) and a refusal by an
 * analyst (its reason in plain words; no contract), both judged by pdfsig
 * against the engine's root, the refusal archived in the coffre-fort.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../db/seed.ts';
import crypto from 'node:crypto';
import { getCeremony, getDocument } from '../../db/repositories/ceremonies.ts';
import { insertDossierIdempotent } from '../../db/repositories/dossiers.ts';
import { createCeremonyActivities } from '../../activities/ceremony.ts';
import { createSealKeys } from '../../ceremony/seals.ts';
import { derToPem } from '../../asn1/index.ts';
import { pkiStore } from '../../db/repositories/pki.ts';
import { pdftext } from '../documents/support/pdf-judges.ts';
import { nssDb, pdfsig, qpdfCheck } from '../signature/support/judges.ts';
import { call, waitForStatus } from './support/client.ts';
import { demoDossier, startCeremonyStack, type CeremonyStack } from './support/stack.ts';

let s: CeremonyStack;
let nss: string;
beforeAll(async () => {
  s = await startCeremonyStack();
  const root = (await pkiStore(s.db.sql).listCas()).find((ca) => ca.name === 'root')!;
  nss = nssDb(s.dataDir, derToPem(root.certificate));
});
afterAll(async () => s?.stop());

async function judgeLetter(id: string): Promise<string> {
  const letter = await getDocument(s.db.sql, id, 'decision_letter');
  expect(letter).not.toBeNull();
  const file = path.join(s.dataDir, `lettre-${id}.pdf`);
  fs.writeFileSync(file, letter!.content);
  expect(await qpdfCheck(file)).toMatch(/No syntax or stream encoding errors found/);
  const verdicts = await pdfsig(file, nss);
  expect(verdicts).toHaveLength(1);
  expect(verdicts[0], verdicts[0]?.raw).toMatchObject({ valid: true, trusted: true, totalDocument: true, subFilter: 'ETSI.CAdES.detached' });
  expect(verdicts[0]!.raw).toMatch(/Banque Populaire des Alpes/);
  return pdftext(file);
}

describe('decision letters', () => {
  it('a letter that cannot be sealed yet leaves no ceremony saying « letter_sealed »; the retry seals it', async () => {
    const body = demoDossier('small');
    const { dossier } = await insertDossierIdempotent(s.db.sql, {
      resellerId: body.resellerId,
      bankId: body.bankId,
      idempotencyKey: crypto.randomUUID(),
      siren: body.company.siren,
      totalAmountCents: 240_000,
      body,
    });
    const decision = { outcome: 'approved' as const, decidedBy: 'rule' as const, decidedAt: new Date().toISOString() };
    const request = { dossierId: dossier.id, decision, offer: { expiresOn: '2099-01-01', lapsesAt: '2099-01-01T23:00:00.000Z' } };
    // The seal token's PIN is unknown to this worker: the seal cannot sign, the activity will be retried.
    const blind = createCeremonyActivities({ sql: s.db.sql, ...s.parts, seals: createSealKeys(s.db.sql, { pin: () => null }) });
    await expect(blind.sealDecisionLetter(request)).rejects.toMatchObject({ type: 'SealNotReady', nonRetryable: false });
    expect(await getCeremony(s.db.sql, dossier.id)).toBeNull();
    expect(await getDocument(s.db.sql, dossier.id, 'decision_letter')).toBeNull();
    const sealedNow = await createCeremonyActivities({ sql: s.db.sql, ...s.parts }).sealDecisionLetter(request);
    expect(await getCeremony(s.db.sql, dossier.id)).toMatchObject({ status: 'letter_sealed', outcome: 'approved' });
    expect((await getDocument(s.db.sql, dossier.id, 'decision_letter'))?.sha256).toBe(sealedNow.sha256);
  });

  it('an accord by default: the letter is sealed, then the contract waits for the créateur', async () => {
    const id = await s.submit('small');
    const creator = s.key('creator', DEMO.createurs.small.siren);
    await waitForStatus(s.apiUrl, creator, id, 'awaiting_createur');
    const text = await judgeLetter(id);
    expect(text).toMatch(/Bonne nouvelle : votre financement est accordé/);
    // The créateur reads it through the API too.
    const served = await call(s.apiUrl, creator, 'GET', `/v1/dossiers/${id}/decision-letter`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('application/pdf');
  });

  it('a refusal by the analyst: sealed too, with its reason in words; no contract; archived', async () => {
    const body = { ...demoDossier('small'), company: { ...demoDossier('small').company, naf: '56.10A' } };
    const view = await s.start(body);
    expect(view.status).toBe('awaiting_analyst');
    await s.engine.decide(view.dossierId, DEMO.banks.alpes, {
      decision: 'decline',
      analyst: 'Marc Analyste',
      reasonCode: 'sector',
      text: 'Trop de restaurants dans notre portefeuille.',
    });
    const bank = s.key('bank', DEMO.banks.alpes);
    const status = await waitForStatus(s.apiUrl, bank, view.dossierId, 'letter_sealed');
    expect(status.contract).toBeNull();
    const text = await judgeLetter(view.dossierId);
    expect(text).toMatch(/Votre demande de financement n.est pas acceptée/);
    expect(text).toMatch(/Le secteur d’activité de votre entreprise ne fait pas partie de ceux que la banque finance/);
    for (let i = 0; i < 100 && !(await s.db.sql`select 1 from archive_deposits where dossier_id = ${view.dossierId}`).length; i++) await new Promise((r) => setTimeout(r, 100));
    const archived = await s.vault.list({ kind: 'archivist', name: 'tests' }, { dossierId: view.dossierId });
    expect(archived.map((o) => [o.name, o.documentClass]).sort()).toEqual([
      ['dossier.pdf', 'decision'],
      ['lettre-de-decision.pdf', 'decision'],
    ]);
    // There is nothing to sign.
    const refused = await call(s.apiUrl, bank, 'POST', `/v1/dossiers/${view.dossierId}/contract/banque/countersignature`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'ceremony_closed' });
  });
});
