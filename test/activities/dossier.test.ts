import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { createTestDatabase } from '../support/db.ts';
import type { Sql } from '../../db/connect.ts';
import { DEMO, seedDemo } from '../../db/seed.ts';
import { createDossierActivities } from '../../activities/dossier.ts';
import { createLocalGuarantor } from '../../guarantor/local.ts';
import { getDossier, insertDossierIdempotent } from '../../db/repositories/dossiers.ts';
import { listEvents } from '../../db/repositories/events.ts';
import { listOutbox } from '../../db/repositories/outbox.ts';
import { DossierSchema, totalAmountCents } from '../../domain/dossier.ts';
import type { DossierActivities } from '../../activities/types.ts';
import type { FinalDecision } from '../../domain/outcomes.ts';
import { demoDossier, type DossierOverrides } from './fixtures.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: Sql;
let activities: DossierActivities;

beforeAll(async () => {
  db = await createTestDatabase();
  sql = db.sql;
  await seedDemo(sql);
  activities = createDossierActivities({ sql, guarantor: createLocalGuarantor(sql) });
});
afterAll(async () => db?.drop());

async function submit(overrides: DossierOverrides = {}): Promise<string> {
  const dossier = DossierSchema.parse(demoDossier(overrides));
  const { dossier: record } = await insertDossierIdempotent(sql, {
    resellerId: dossier.resellerId,
    bankId: dossier.bankId,
    idempotencyKey: crypto.randomUUID(),
    siren: dossier.company.siren,
    totalAmountCents: totalAmountCents(dossier),
    body: dossier,
  });
  return record.id;
}

describe('checkEligibility', () => {
  it('finds no hard case for the default dossier and records one event across retries', async () => {
    const id = await submit();
    const first = await activities.checkEligibility(id);
    const retry = await activities.checkEligibility(id);
    expect(first).toEqual({ eligible: true, hardCases: [], autoDecline: null, timeoutDefault: 'decline' });
    expect(retry).toEqual(first);
    expect((await listEvents(sql, id)).filter((e) => e.type === 'eligibility_checked')).toHaveLength(1);
  });

  it('reads the registries: unknown, revoked and two-module passports, inactive reseller, suspended protocol', async () => {
    const cases: [DossierOverrides, string][] = [
      [{ passportNumber: 'PEN-0000-000000' }, 'passport_unknown'],
      [{ passportNumber: DEMO.passports.revoked.number, company: { siren: DEMO.passports.revoked.siren } }, 'passport_not_issued'],
      [{ passportNumber: DEMO.passports.twoModules.number, company: { siren: DEMO.passports.twoModules.siren } }, 'passport_too_few_modules'],
      [{ passportNumber: DEMO.passports.fourModules.number }, 'passport_other_company'],
      [{ resellerId: DEMO.resellers.inactive }, 'reseller_not_active'],
      [{ resellerId: DEMO.resellers.annecy }, 'no_active_protocol'],
      [{ equipment: [{ description: 'Souris', category: 'poste_de_travail', quantity: 1, unitPriceCents: 5_000 }] }, 'amount_below_minimum'],
    ];
    for (const [overrides, code] of cases) {
      const result = await activities.checkEligibility(await submit(overrides));
      expect(result.eligible, code).toBe(false);
      if (!result.eligible) expect(result.reasons.map((r) => r.code)).toContain(code);
    }
  });

  it('detects hard cases from the bank policy and the registries', async () => {
    const risky = await activities.checkEligibility(await submit({ company: { naf: '56.10A' } }));
    expect(risky).toMatchObject({ eligible: true, hardCases: [{ code: 'risky_sector' }], autoDecline: null });

    const banned = await activities.checkEligibility(await submit({ dirigeant: { lastName: 'DURAND', firstName: 'michel', birthDate: DEMO.excludedPersons.courtBan.birthDate } }));
    expect(banned).toMatchObject({ eligible: true, hardCases: [{ code: 'excluded_person' }] });

    const procedure = await activities.checkEligibility(
      await submit({ passportNumber: DEMO.passports.collectiveProcedure.number, company: { siren: DEMO.passports.collectiveProcedure.siren } }),
    );
    expect(procedure).toMatchObject({ eligible: true, hardCases: [{ code: 'collective_procedure' }] });

    // The leasing company declines excluded persons by policy, and its silence at 24 h declines.
    const leasing = await activities.checkEligibility(
      await submit({
        bankId: DEMO.banks.leasing,
        dirigeant: { ...DEMO.excludedPersons.dirigeant060 },
        financing: { product: 'location_financiere', durationMonths: 36, periodicity: 'monthly', residualValuePercent: undefined },
      }),
    );
    expect(leasing).toMatchObject({ eligible: true, hardCases: [{ code: 'dirigeant_060' }], autoDecline: { code: 'automatic_exclusion' } });

    const cooperatif = await activities.checkEligibility(await submit({ bankId: DEMO.banks.cooperatif }));
    expect(cooperatif).toMatchObject({ eligible: true, hardCases: [], timeoutDefault: 'approve' });
  });
});

describe('requestGuarantee', () => {
  it('asks the guarantor once per dossier and keeps its answer', async () => {
    const id = await submit();
    const first = await activities.requestGuarantee(id);
    const retry = await activities.requestGuarantee(id);
    expect(first.status).toBe('granted');
    if (first.status !== 'granted') return;
    expect(first.mode).toBe('delegated');
    expect(first.guaranteedAmountCents).toBe(600_000); // 60 % of 10 000 €
    expect(retry).toEqual(first);
    const stored = await getDossier(sql, id);
    expect(stored?.guaranteeReference).toBe(first.reference);
    expect((await listEvents(sql, id)).filter((e) => e.type === 'guarantee_answered')).toHaveLength(1);
  });

  it('tells the guarantor what other lenders already guarantee, so its cap can refuse', async () => {
    const siren = DEMO.passports.threeModules.siren;
    await sql`insert into companies (siren, external_guaranteed_outstanding_cents) values (${siren}, ${19_800_000})
      on conflict (siren) do update set external_guaranteed_outstanding_cents = excluded.external_guaranteed_outstanding_cents`;
    const id = await submit({ passportNumber: DEMO.passports.threeModules.number, company: { siren } });
    const eligibility = await activities.checkEligibility(id);
    expect(eligibility).toMatchObject({ eligible: true, hardCases: [{ code: 'guarantee_outstanding_cap' }] });
    expect(await activities.requestGuarantee(id)).toMatchObject({ status: 'refused' });
  });

  it('is individual above the delegation ceiling', async () => {
    const id = await submit({ equipment: [{ description: 'Parc complet', category: 'poste_de_travail', quantity: 30, unitPriceCents: 100_000 }] });
    const result = await activities.requestGuarantee(id);
    expect(result).toMatchObject({ mode: 'individual' });
  });
});

describe('recording activities', () => {
  const decision: FinalDecision = { outcome: 'approved', decidedBy: 'rule', guaranteeReference: 'X', decidedAt: '2026-11-24T16:00:00.000Z' };

  it('records a default accord once and notifies the reseller once', async () => {
    const id = await submit();
    await activities.recordDecision(id, decision);
    await activities.recordDecision(id, decision);
    const stored = await getDossier(sql, id);
    expect(stored).toMatchObject({ status: 'approved', decision, decidedAt: decision.decidedAt });
    expect((await listEvents(sql, id)).map((e) => e.type)).toEqual(['decided']);
    const outbox = await listOutbox(sql, id);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ kind: 'decision_notice', recipientOrganisationId: DEMO.resellers.grenoble });
  });

  it('refuses a different decision without retrying', async () => {
    const id = await submit();
    await activities.recordDecision(id, decision);
    const error = await activities.recordDecision(id, { ...decision, outcome: 'declined', decidedBy: 'deadline', reasonCode: 'deadline_expired' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'DECISION_CONFLICT', nonRetryable: true });
    expect((await getDossier(sql, id))?.status).toBe('approved');
  });

  it('records an ineligible dossier once', async () => {
    const id = await submit();
    const reasons = [{ code: 'passport_unknown' as const, detail: 'Aucun Passeport' }];
    await activities.recordIneligible(id, reasons);
    await activities.recordIneligible(id, reasons);
    expect(await getDossier(sql, id)).toMatchObject({ status: 'ineligible', ineligibility: reasons });
    expect((await listEvents(sql, id)).map((e) => e.type)).toEqual(['ineligible']);
    expect(await listOutbox(sql, id)).toHaveLength(1);
  });

  it('queues a hard case, one reminder per offset, then the analyst decision', async () => {
    const id = await submit({ company: { naf: '56.10A' } });
    const deadlineAt = new Date(Date.now() + 86_400_000).toISOString();
    const hardCases = [{ code: 'risky_sector' as const, detail: 'Secteur' }];
    await activities.recordAwaitingAnalyst(id, hardCases, deadlineAt);
    await activities.recordAwaitingAnalyst(id, hardCases, deadlineAt);
    expect(await getDossier(sql, id)).toMatchObject({ status: 'awaiting_analyst', hardCases, decisionDeadline: deadlineAt });

    await activities.sendReminder(id, 43_200);
    await activities.sendReminder(id, 43_200);
    await activities.sendReminder(id, 72_000);
    const reminders = (await listOutbox(sql, id)).filter((m) => m.kind === 'bank_reminder');
    expect(reminders.map((m) => [m.offsetSeconds, m.recipientOrganisationId])).toEqual([
      [43_200, DEMO.banks.alpes],
      [72_000, DEMO.banks.alpes],
    ]);

    const analyst: FinalDecision = {
      outcome: 'declined',
      decidedBy: 'analyst',
      analyst: 'j.blanc',
      reasonCode: 'sector',
      text: 'Hors politique',
      decidedAt: new Date().toISOString(),
    };
    await activities.recordDecision(id, analyst);
    // A reminder arriving after the decision changes nothing.
    await activities.sendReminder(id, 80_000);
    expect((await listOutbox(sql, id)).filter((m) => m.kind === 'bank_reminder')).toHaveLength(2);
    expect((await listEvents(sql, id)).map((e) => e.type)).toEqual(['awaiting_analyst', 'reminder_sent', 'reminder_sent', 'decided']);
  });

  it('retries, never fails for good, when the dossier cannot be read (issue 9: dossiers lost on an empty read)', async () => {
    for (const attempt of [
      () => activities.checkEligibility(crypto.randomUUID()),
      () => activities.requestGuarantee(crypto.randomUUID()),
      () => activities.recordDecision(crypto.randomUUID(), decision),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toMatchObject({ type: 'DossierNotFoundYet', nonRetryable: false });
    }
  });
});
