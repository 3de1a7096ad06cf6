/**
 * Every refusal of the signing ceremony, each with its precise reason, and the
 * workflow still waiting for a correct signature afterwards: out of order, the
 * wrong party's key, the wrong person or SIREN, an expired, a revoked, a
 * too-low certificate, a certificate revoked between preparation and
 * signature, a value that does not verify, an unknown preparation, a replay,
 * a decline and a lapsed offer (with its reminder).
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../db/seed.ts';
import { createCeremonyActivities } from '../../activities/ceremony.ts';
import { listEvents } from '../../db/repositories/events.ts';
import { listOutbox } from '../../db/repositories/outbox.ts';
import { startCeremonyStack, type CeremonyStack } from './support/stack.ts';
import { call, postSignature, prepare, signAs, waitForStatus } from './support/client.ts';
import { expiredPerson, issuePerson, revoke } from './support/certificates.ts';

let s: CeremonyStack;
let keys: { creator: string; largeCreator: string; reseller: string; bank: string };
const camille = { name: 'Camille Rousseau', organisation: DEMO.createurs.small.company, siren: DEMO.createurs.small.siren };

beforeAll(async () => {
  s = await startCeremonyStack();
  keys = {
    creator: s.key('creator', DEMO.createurs.small.siren),
    largeCreator: s.key('creator', DEMO.createurs.large.siren),
    reseller: s.key('reseller', DEMO.resellers.grenoble),
    bank: s.key('bank', DEMO.banks.alpes),
  };
});
afterAll(async () => s?.stop());

function refused(answer: { status: number; body: { code?: string; detail?: string } }, status: number, code: string, detail: RegExp): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body.code).toBe(code);
  expect(answer.body.detail).toMatch(detail);
}

describe('the créateur’s turn, on a small dossier (RGS * required)', () => {
  let id: string;
  beforeAll(async () => {
    id = await s.submit('small');
    await waitForStatus(s.apiUrl, keys.creator, id, 'awaiting_createur');
  });

  it('refuses each wrong attempt precisely, then takes the right signature; a replay is refused', async () => {
    const { createurSmall, reseller } = s.signers();

    // Out of order: the revendeur before the créateur.
    refused(
      await prepare(s.apiUrl, keys.reseller, id, 'revendeur', reseller.certificate, reseller.chain),
      409,
      'not_your_turn',
      /pas au fournisseur \(revendeur\) de signer maintenant : le contrat attend d’abord la signature du preneur/,
    );
    // The ceremony's row already at the revendeur's turn while the workflow has not taken the previous
    // signature in (a worker or Temporal restarting): « retry », not « not your turn ».
    await s.db.sql`update ceremonies set status = 'awaiting_revendeur' where dossier_id = ${id}`;
    const catchingUp = await prepare(s.apiUrl, keys.reseller, id, 'revendeur', reseller.certificate, reseller.chain);
    expect(catchingUp.status, JSON.stringify(catchingUp.body)).toBe(503);
    expect(catchingUp.body.detail).toMatch(/enregistre encore la signature précédente.*Réessayez/);
    await s.db.sql`update ceremonies set status = 'awaiting_createur' where dossier_id = ${id}`;
    // The reseller's key on the créateur's route.
    refused(await prepare(s.apiUrl, keys.reseller, id, 'createur', reseller.certificate), 403, 'wrong_party', /pas pour le preneur/);
    // The wrong person: the reseller's certificate offered for the créateur.
    refused(await prepare(s.apiUrl, keys.creator, id, 'createur', reseller.certificate, reseller.chain), 422, 'name_mismatch', /au nom de « Paul Girard ».*« Camille Rousseau »/);
    // The right name, another company's SIREN.
    const other = await issuePerson(s.db.sql, s.dataDir, { ...camille, siren: '732829320' });
    refused(await prepare(s.apiUrl, keys.creator, id, 'createur', other.signer.certificate, other.signer.chain), 422, 'siren_mismatch', /SIREN 732829320.*912345675/);
    // Expired yesterday.
    const expired = await expiredPerson(s.db.sql, s.dataDir, camille);
    refused(await prepare(s.apiUrl, keys.creator, id, 'createur', expired.certificate, expired.chain), 422, 'certificate_expired', /a expiré le/);
    // Revoked before it was offered.
    const revoked = await issuePerson(s.db.sql, s.dataDir, camille);
    await revoke(s.db.sql, revoked.serial);
    refused(await prepare(s.apiUrl, keys.creator, id, 'createur', revoked.signer.certificate, revoked.signer.chain), 422, 'certificate_revoked', /révoqué/);

    // Revoked between the preparation and the signature: checked again when the value arrives.
    const late = await issuePerson(s.db.sql, s.dataDir, camille);
    const latePrepared = await prepare(s.apiUrl, keys.creator, id, 'createur', late.signer.certificate, late.signer.chain);
    expect(latePrepared.status, JSON.stringify(latePrepared.body)).toBe(200);
    await revoke(s.db.sql, late.serial);
    const lateValue = await late.signer.sign(Buffer.from(latePrepared.body.dataToSign, 'base64'), 'SHA-256');
    refused(await postSignature(s.apiUrl, keys.creator, id, 'createur', latePrepared.body.preparationId, lateValue), 422, 'certificate_revoked', /révoqué/);

    // A value that does not verify: the right key over other data.
    const prepared = await prepare(s.apiUrl, keys.creator, id, 'createur', createurSmall.certificate, createurSmall.chain);
    expect(prepared.status, JSON.stringify(prepared.body)).toBe(200);
    expect(prepared.body).toMatchObject({ hash: 'SHA-256', fieldName: 'signature-createur' });
    const wrongValue = await createurSmall.sign(crypto.randomBytes(64), 'SHA-256');
    refused(await postSignature(s.apiUrl, keys.creator, id, 'createur', prepared.body.preparationId, wrongValue), 422, 'signature_invalid', /ne se vérifie pas/);
    // A preparation the engine never made.
    refused(await postSignature(s.apiUrl, keys.creator, id, 'createur', crypto.randomUUID(), wrongValue), 404, 'unknown_preparation', /pas été préparées/);

    // Still waiting: the right value is taken.
    const value = await createurSmall.sign(Buffer.from(prepared.body.dataToSign, 'base64'), 'SHA-256');
    const accepted = await postSignature(s.apiUrl, keys.creator, id, 'createur', prepared.body.preparationId, value);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.stage).toBe('awaiting_revendeur');

    // The same request again, and a new preparation: a signature applies once.
    refused(await postSignature(s.apiUrl, keys.creator, id, 'createur', prepared.body.preparationId, value), 409, 'already_signed', /a déjà signé/);
    refused(await prepare(s.apiUrl, keys.creator, id, 'createur', createurSmall.certificate, createurSmall.chain), 409, 'already_signed', /a déjà signé/);
    // The créateur's signature posted by the reseller for its own turn: not its preparation.
    refused(await postSignature(s.apiUrl, keys.reseller, id, 'revendeur', prepared.body.preparationId, value), 404, 'unknown_preparation', /pas été préparées pour vous/);

    // The journal keeps the refusals the engine's checks made, each with its code and where it came from.
    const refusals = (await listEvents(s.db.sql, id)).filter((e) => e.type === 'signature_refused').map((e) => e.payload as { code: string; ip: string; userAgent: string });
    expect(refusals.map((r) => r.code).sort()).toEqual(
      ['certificate_expired', 'certificate_revoked', 'certificate_revoked', 'name_mismatch', 'signature_invalid', 'siren_mismatch'].sort(),
    );
    expect(refusals[0]).toMatchObject({ ip: '127.0.0.1', userAgent: 'test-ceremonie/1.0' });

    expect((await signAs(s.apiUrl, keys.reseller, id, 'revendeur', reseller)).status).toBe(200);
    const sealed = await call(s.apiUrl, keys.bank, 'POST', `/v1/dossiers/${id}/contract/banque/countersignature`);
    expect(sealed.status, JSON.stringify(sealed.body)).toBe(200);
    const done = await waitForStatus(s.apiUrl, keys.bank, id, 'signed');
    expect((done.signatures as { party: string }[]).map((x) => x.party)).toEqual(['createur', 'revendeur', 'banque']);
    // Nothing was applied twice: one contract version per signature, then B-LT and B-LTA.
    const versions = await s.db.sql<{ version: number }[]>`select version from ceremony_documents where dossier_id = ${id} and kind = 'contract' order by version`;
    expect(versions.map((v) => v.version)).toEqual([0, 1, 2, 3, 4, 5]);
    refused(await call(s.apiUrl, keys.bank, 'POST', `/v1/dossiers/${id}/contract/banque/countersignature`), 409, 'ceremony_closed', /déjà signé/);
  });
});

describe('retried activities', () => {
  it('a countersignature retried after it was stored (the worker died before reporting) returns it; nothing is signed twice', async () => {
    const id = await s.submit('small');
    await waitForStatus(s.apiUrl, keys.creator, id, 'awaiting_createur');
    const { createurSmall, reseller } = s.signers();
    expect((await signAs(s.apiUrl, keys.creator, id, 'createur', createurSmall)).status).toBe(200);
    expect((await signAs(s.apiUrl, keys.reseller, id, 'revendeur', reseller)).status).toBe(200);
    expect((await call(s.apiUrl, keys.bank, 'POST', `/v1/dossiers/${id}/contract/banque/countersignature`)).status).toBe(200);
    // The same activity again, as Temporal retries it when its completion was lost.
    const activities = createCeremonyActivities({ sql: s.db.sql, ...s.parts });
    const again = await activities.countersign(id, { client: { ip: null, userAgent: null } }, 3);
    const [stored] = await s.db.sql<{ preparation_id: string; n: number }[]>`
      select preparation_id, count(*) over ()::int as n from contract_signatures where dossier_id = ${id} and party = 'banque'`;
    expect(stored).toMatchObject({ n: 1, preparation_id: again.preparationId });
    await waitForStatus(s.apiUrl, keys.bank, id, 'signed');
  });
});

describe('a large dossier (24 000 € HT): the créateur signs at RGS ** on a token', () => {
  it('refuses the RGS * certificate, takes the RGS ** token key', async () => {
    const id = await s.submit('large');
    await waitForStatus(s.apiUrl, keys.largeCreator, id, 'awaiting_createur');
    const status = await call<{ requiredLevels: Record<string, number> }>(s.apiUrl, keys.largeCreator, 'GET', `/v1/dossiers/${id}/contract`);
    expect(status.body.requiredLevels).toEqual({ createur: 2, revendeur: 1, banque: 3 });
    const star = await issuePerson(s.db.sql, s.dataDir, { name: 'Léa Fontaine', organisation: DEMO.createurs.large.company, siren: DEMO.createurs.large.siren });
    refused(await prepare(s.apiUrl, keys.largeCreator, id, 'createur', star.signer.certificate, star.signer.chain), 422, 'level_too_low', /RGS \*\* au moins.*RGS \*(?!\*)/);
    const { createurLarge } = s.signers();
    const signed = await signAs(s.apiUrl, keys.largeCreator, id, 'createur', createurLarge);
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    const [row] = await s.db.sql<{ facts: { rgsLevel: number; keyStore: string } }[]>`
      select facts from contract_signatures where dossier_id = ${id} and party = 'createur'`;
    expect(row?.facts).toMatchObject({ rgsLevel: 2, keyStore: 'token' });
  });
});

describe('a signer declines', () => {
  it('ends the ceremony for everyone, tells the others, journals the reason; later steps are refused', async () => {
    const id = await s.submit('small');
    await waitForStatus(s.apiUrl, keys.creator, id, 'awaiting_createur');
    expect((await signAs(s.apiUrl, keys.creator, id, 'createur', s.signers().createurSmall)).status).toBe(200);
    const empty = await call(s.apiUrl, keys.reseller, 'POST', `/v1/dossiers/${id}/contract/revendeur/decline`, { reason: '   ' });
    expect(empty.status).toBe(422);
    expect(empty.body.detail).toMatch(/pourquoi vous refusez/);
    // The créateur has signed: it cannot take its signature back by declining.
    refused(
      await call(s.apiUrl, keys.creator, 'POST', `/v1/dossiers/${id}/contract/createur/decline`, { reason: 'Je change d’avis' }),
      409,
      'already_signed',
      /ne peut plus être retirée/,
    );

    const reason = 'Le matériel proposé ne correspond plus au devis du client';
    const declined = await call(s.apiUrl, keys.reseller, 'POST', `/v1/dossiers/${id}/contract/revendeur/decline`, { reason });
    expect(declined.status, JSON.stringify(declined.body)).toBe(200);
    expect(declined.body).toMatchObject({ stage: 'declined', closing: { outcome: 'declined', party: 'revendeur', reason } });
    await waitForStatus(s.apiUrl, keys.bank, id, 'declined');
    refused(await call(s.apiUrl, keys.bank, 'POST', `/v1/dossiers/${id}/contract/banque/countersignature`), 409, 'ceremony_closed', /refusée par le fournisseur/);

    const notices = (await listOutbox(s.db.sql, id)).filter((m) => m.kind === 'ceremony_declined');
    expect(notices.map((m) => m.recipientOrganisationId).sort()).toEqual([DEMO.createurs.small.siren, DEMO.resellers.grenoble, DEMO.banks.alpes].sort());
    expect(notices[0]?.payload).toMatchObject({ declinedBy: 'revendeur', reason });
    const journal = (await listEvents(s.db.sql, id)).find((e) => e.type === 'contract_declined');
    expect(journal?.payload).toMatchObject({ party: 'revendeur', reason, ip: '127.0.0.1', userAgent: 'test-ceremonie/1.0' });
    // The unsigned contract and its evidence still go to the coffre-fort.
    await waitForArchive(id);
    const archived = await s.vault.list({ kind: 'archivist', name: 'tests' }, { dossierId: id });
    expect(archived.map((o) => o.name).sort()).toEqual(['contrat-non-signe.pdf', 'dossier-de-preuve.pdf', 'dossier.pdf', 'lettre-de-decision.pdf']);
  });
});

describe('an offer nobody signs', () => {
  it('reminds the party whose turn it is, then lapses: refused with 410 and everyone told', async () => {
    const id = await s.submit('small', { offerSeconds: 8, reminderOffsetsSeconds: [3] });
    await waitForStatus(s.apiUrl, keys.creator, id, 'lapsed', 30_000);
    const outbox = await listOutbox(s.db.sql, id);
    expect(outbox.filter((m) => m.kind === 'signature_reminder').map((m) => [m.recipientOrganisationId, m.offsetSeconds])).toEqual([[DEMO.createurs.small.siren, 3]]);
    expect(outbox.filter((m) => m.kind === 'ceremony_lapsed')).toHaveLength(3);
    const { createurSmall } = s.signers();
    refused(await prepare(s.apiUrl, keys.creator, id, 'createur', createurSmall.certificate, createurSmall.chain), 410, 'offer_lapsed', /expiré/);
  });
});

async function waitForArchive(id: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const [row] = await s.db.sql<{ package_id: string }[]>`select package_id from archive_deposits where dossier_id = ${id}`;
    if (row) return row.package_id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no archive deposit for ${id}`);
}
