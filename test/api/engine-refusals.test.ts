/**
 * The engine's refusal contract (temporal/types.ts): every refusal of `decide` is a
 * DecisionRefusedError whose code the API's one error table turns into its problem —
 * a malformed decision included, which is a 422, never a 500.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDossier } from '../activities/fixtures.ts';
import { DEMO } from '../../db/seed.ts';
import { insertDossierIdempotent, markAwaitingAnalyst } from '../../db/repositories/dossiers.ts';
import { DossierSchema, totalAmountCents } from '../../domain/dossier.ts';
import { DecisionRefusedError, InvalidDecisionError, type DossierEngine } from '../../temporal/types.ts';
import { startApi, type ApiHarness } from './support.ts';

let api: ApiHarness;
let refusal: DecisionRefusedError = new InvalidDecisionError('Le nom de l’analyste est requis.');
const engine: DossierEngine = {
  start: async () => {
    throw new Error('engine.start must not be called');
  },
  decide: async () => {
    throw refusal;
  },
  status: async () => null,
};

beforeAll(async () => {
  api = await startApi(() => engine);
});
afterAll(async () => {
  await api?.close();
});

async function pendingDossier(): Promise<string> {
  const dossier = DossierSchema.parse(demoDossier({ resellerId: DEMO.resellers.grenoble, bankId: DEMO.banks.alpes }));
  const { dossier: record } = await insertDossierIdempotent(api.sql, {
    resellerId: DEMO.resellers.grenoble,
    bankId: DEMO.banks.alpes,
    idempotencyKey: crypto.randomUUID(),
    siren: dossier.company.siren,
    totalAmountCents: totalAmountCents(dossier),
    body: dossier,
  });
  await markAwaitingAnalyst(api.sql, record.id, [{ code: 'risky_sector', detail: 'Secteur' }], new Date(Date.now() + 3_600_000).toISOString());
  return record.id;
}

describe('refusals of the engine through the API', () => {
  it.each([
    [new InvalidDecisionError('Le nom de l’analyste est requis.'), 422, 'invalid-decision', 'Décision invalide'],
    [new DecisionRefusedError('invalid_decision', 'Le motif de refus est inconnu.'), 422, 'invalid-decision', 'Décision invalide'],
    [new DecisionRefusedError('wrong_bank', 'Ce dossier relève d’une autre banque.'), 403, 'wrong-bank', 'Dossier d’une autre banque'],
    [new DecisionRefusedError('not_pending', 'Ce dossier n’attend pas de décision.'), 409, 'not-pending', 'Dossier non en attente'],
    [new DecisionRefusedError('unknown_dossier', 'Ce dossier est inconnu.'), 404, 'unknown-dossier', 'Dossier introuvable'],
  ])('%s → %i %s', async (error, status, slug, title) => {
    refusal = error;
    const id = await pendingDossier();
    const res = await api.app.inject({
      method: 'POST',
      url: `/v1/bank/dossiers/${id}/decision`,
      headers: { authorization: `Bearer ${api.key('bank', DEMO.banks.alpes)}` },
      payload: { decision: 'approve', analyst: 'l.girard' },
    });
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status, type: `https://passeport.example/problems/${slug}`, title, detail: error.message });
  });
});
