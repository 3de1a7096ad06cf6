import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/db.ts';
import { createLocalGuarantor } from '../../guarantor/local.ts';
import type { GuaranteeRequest } from '../../guarantor/port.ts';
import { DEFAULT_GUARANTEE_SETTINGS } from '../../domain/guarantee.ts';

type TestDb = Awaited<ReturnType<typeof createTestDatabase>>;
let db: TestDb;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

// 24 November 2026, 17:00 in Paris.
const clock = () => new Date(Date.UTC(2026, 10, 24, 16, 0, 0));

async function registrationsOf(dossierId: string): Promise<number> {
  const rows = await db.sql`select 1 from guarantee_registrations where dossier_id = ${dossierId}`;
  return rows.length;
}

let next = 0;
function req(overrides: Partial<GuaranteeRequest> = {}): GuaranteeRequest {
  next += 1;
  return {
    dossierId: `dossier-${next}`,
    siren: '732829320',
    naf: '62.02A',
    amountCents: 1_234_567,
    durationMonths: 36,
    product: 'credit_bail',
    creationDate: '2025-03-15',
    bankId: 'banque-alpha',
    delegationCeilingCents: 2_500_000,
    ...overrides,
  };
}

describe('local guarantor', () => {
  it('grants the guarantee with a SOF reference, and returns the same answer when retried', async () => {
    const guarantor = createLocalGuarantor(db.sql, { now: clock });
    const r = req({ siren: '552100554' });
    const first = await guarantor.request(r);
    expect(first).toEqual({
      status: 'granted',
      reference: expect.stringMatching(/^SOF-2026-\d{6}$/),
      mode: 'delegated',
      quotityPercent: 60,
      feeBasisPoints: 90,
      guaranteedAmountCents: 740_740,
    });
    const again = await guarantor.request({ ...r });
    expect(again).toEqual(first);
    expect(await registrationsOf(r.dossierId)).toBe(1);
  });

  it('keeps one registration under concurrent retries of the same dossier', async () => {
    const guarantor = createLocalGuarantor(db.sql, { now: clock });
    const r = req({ siren: '443061841' });
    const results = await Promise.all(Array.from({ length: 6 }, () => guarantor.request({ ...r })));
    const references = new Set(results.map((x) => (x.status === 'granted' ? x.reference : 'refused')));
    expect(references.size).toBe(1);
    expect(await registrationsOf(r.dossierId)).toBe(1);
  });

  it('numbers references from a sequence, distinct per dossier', async () => {
    const guarantor = createLocalGuarantor(db.sql, { now: clock });
    const a = await guarantor.request(req({ siren: '542107651' }));
    const b = await guarantor.request(req({ siren: '542107651' }));
    if (a.status !== 'granted' || b.status !== 'granted') throw new Error('expected grants');
    expect(Number(b.reference.slice(9))).toBe(Number(a.reference.slice(9)) + 1);
  });

  it('decides individually above the delegation ceiling', async () => {
    const guarantor = createLocalGuarantor(db.sql, { now: clock });
    const r = await guarantor.request(req({ siren: '356000000', amountCents: 2_500_001 }));
    expect(r.status === 'granted' && r.mode).toBe('individual');
  });

  it('refuses, and remembers the refusal, for a company older than 3 years or an excluded sector', async () => {
    const guarantor = createLocalGuarantor(db.sql, { now: clock });
    const old = req({ creationDate: '2023-11-23' });
    const refused = await guarantor.request(old);
    expect(refused).toEqual({
      status: 'refused',
      reason: 'La garantie est réservée aux entreprises créées depuis moins de 3 ans (création le 23/11/2023).',
    });
    expect(await guarantor.request({ ...old, creationDate: '2025-01-01' })).toEqual(refused);
    expect(await guarantor.request(req({ creationDate: '2023-11-24', naf: '68.20B' }))).toEqual({
      status: 'refused',
      reason: "L'achat, la vente et la location de biens immobiliers ne sont pas couverts par la garantie.",
    });
  });

  it("tracks a company's guaranteed outstanding and refuses past the cap", async () => {
    const siren = '321000002';
    const small = { outstandingCapCents: 1_000_000 };
    const guarantor = createLocalGuarantor(db.sql, {
      now: clock,
      settings: { ...DEFAULT_GUARANTEE_SETTINGS, ...small },
    });
    // 10 000 € at 60 % = 6 000 € covered; the cap is 10 000 €.
    expect((await guarantor.request(req({ siren, amountCents: 1_000_000 }))).status).toBe('granted');
    expect(await guarantor.outstandingCents(siren)).toBe(600_000);
    const second = await guarantor.request(req({ siren, amountCents: 1_000_000 }));
    expect(second).toEqual({
      status: 'refused',
      reason: "L'encours garanti de l'entreprise dépasserait le plafond de 10 000,00 € (déjà garanti : 6 000,00 €, demandé : 6 000,00 €).",
    });
    // 6 666,67 € × 60 % = 4 000,00 € fits exactly.
    expect((await guarantor.request(req({ siren, amountCents: 666_667 }))).status).toBe('granted');
    expect(await guarantor.outstandingCents(siren)).toBe(1_000_000);
    // The outstanding runs down straight-line: after 12 of 36 months, two thirds remain.
    expect(await guarantor.outstandingCents(siren, '2027-11-24')).toBe(666_667);
    expect(await guarantor.outstandingCents(siren, '2029-11-24')).toBe(0);
  });

  it('counts the outstanding declared elsewhere in the cap', async () => {
    const guarantor = createLocalGuarantor(db.sql, {
      now: clock,
      settings: { ...DEFAULT_GUARANTEE_SETTINGS, outstandingCapCents: 1_000_000 },
    });
    // 6 000 € covered here + 4 000,01 € elsewhere > 10 000 €.
    const over = await guarantor.request(req({ siren: '780129987', amountCents: 1_000_000, otherOutstandingCents: 400_001 }));
    expect(over.status).toBe('refused');
    const fits = await guarantor.request(req({ siren: '780129987', amountCents: 1_000_000, otherOutstandingCents: 400_000 }));
    expect(fits.status).toBe('granted');
  });

  it('serialises concurrent dossiers of one company so the cap holds', async () => {
    const siren = '130005481';
    const guarantor = createLocalGuarantor(db.sql, {
      now: clock,
      settings: { ...DEFAULT_GUARANTEE_SETTINGS, outstandingCapCents: 1_500_000 },
    });
    // Each covers 6 000 €: only two fit under 15 000 €.
    const results = await Promise.all(Array.from({ length: 5 }, () => guarantor.request(req({ siren, amountCents: 1_000_000 }))));
    expect(results.filter((r) => r.status === 'granted')).toHaveLength(2);
    expect(await guarantor.outstandingCents(siren)).toBe(1_200_000);
  });
});
