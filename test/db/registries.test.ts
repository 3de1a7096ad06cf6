import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { createTestDatabase } from '../support/db.ts';
import { DEMO, seedDemo } from '../../db/seed.ts';
import { loadEligibilityContext, loadProgrammeSettings, normaliseName } from '../../db/repositories/registries.ts';
import { insertDossierIdempotent, recordDecision, saveGuarantee } from '../../db/repositories/dossiers.ts';
import { DossierSchema, totalAmountCents } from '../../domain/dossier.ts';
import { demoDossier, type DossierOverrides } from '../activities/fixtures.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.sql);
});
afterAll(async () => db?.drop());

async function stored(overrides: DossierOverrides = {}) {
  const dossier = DossierSchema.parse(demoDossier(overrides));
  const { dossier: record } = await insertDossierIdempotent(db.sql, {
    resellerId: dossier.resellerId,
    bankId: dossier.bankId,
    idempotencyKey: crypto.randomUUID(),
    siren: dossier.company.siren,
    totalAmountCents: totalAmountCents(dossier),
    body: dossier,
  });
  return { id: record.id, dossier };
}

describe('registries', () => {
  it('normalises names for the excluded-persons registry', () => {
    expect(normaliseName(' Lefèvre-d’Arc ')).toBe('LEFEVRE D ARC');
    expect(normaliseName('JEAN-LUC')).toBe(normaliseName('jean luc'));
    expect(normaliseName('Éloïse')).toBe('ELOISE');
  });

  it('matches the dirigeant by normalised name and birth date only', async () => {
    const match = await stored({ dirigeant: { lastName: 'moreau', firstName: 'Jean Luc', birthDate: '1965-01-30' } });
    expect((await loadEligibilityContext(db.sql, match.id, match.dossier)).excludedPersons).toEqual([{ kind: 'dirigeant_060', until: null }]);
    const otherBirth = await stored({ dirigeant: { lastName: 'Moreau', firstName: 'Jean-Luc', birthDate: '1965-01-31' } });
    expect((await loadEligibilityContext(db.sql, otherBirth.id, otherBirth.dossier)).excludedPersons).toEqual([]);
  });

  it('builds the context from the passport, reseller, protocol and company', async () => {
    const { id, dossier } = await stored({ resellerId: DEMO.resellers.annecy });
    const context = await loadEligibilityContext(db.sql, id, dossier);
    expect(context.passport).toMatchObject({ number: DEMO.passports.sixModules.number, status: 'issued' });
    expect(context.passport?.validatedModules).toHaveLength(6);
    expect(context.reseller).toEqual({ id: DEMO.resellers.annecy, labelled: true, active: true });
    expect(context.protocol?.active).toBe(false);
    expect(context.company).toMatchObject({ collectiveProcedure: false, guaranteedOutstandingCents: 0 });
  });

  it('counts the guaranteed share of the company’s approved dossiers as outstanding', async () => {
    const first = await stored();
    await saveGuarantee(db.sql, first.id, { status: 'granted', reference: 'SOF-T-1', mode: 'delegated', quotityPercent: 60, feeBasisPoints: 90, guaranteedAmountCents: 600_000 });
    await recordDecision(db.sql, first.id, { outcome: 'approved', decidedBy: 'rule', decidedAt: new Date().toISOString() });
    const second = await stored();
    expect((await loadEligibilityContext(db.sql, second.id, second.dossier)).company.guaranteedOutstandingCents).toBe(600_000);
    // A dossier does not count against itself.
    expect((await loadEligibilityContext(db.sql, first.id, first.dossier)).company.guaranteedOutstandingCents).toBe(0);
  });

  it('reads programme settings over the defaults', async () => {
    expect((await loadProgrammeSettings(db.sql)).minValidatedModules).toBe(3);
    await db.sql`update programme_settings set value = ${db.sql.json({ minValidatedModules: 5, guarantee: { outstandingCapCents: 1 } })} where key = 'programme'`;
    const settings = await loadProgrammeSettings(db.sql);
    expect(settings.minValidatedModules).toBe(5);
    expect(settings.guarantee.outstandingCapCents).toBe(1);
    expect(settings.guarantee.feeBasisPoints).toBe(90);
    await db.sql`update programme_settings set value = ${db.sql.json({ minValidatedModules: 3 })} where key = 'programme'`;
  });
});
