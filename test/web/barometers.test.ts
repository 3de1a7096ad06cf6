/** The programme's figures computed by SQL (db/repositories/barometers.ts) on dossiers whose times and outcomes are known. */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/db.ts';
import { DEMO, seedDemo } from '../../db/seed.ts';
import { insertDossierIdempotent } from '../../db/repositories/dossiers.ts';
import { barometers } from '../../db/repositories/barometers.ts';
import { barometersCsv, barometerTable } from '../../api/routes/barometers.ts';
import { demoDossier } from '../activities/fixtures.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;

interface Fixture {
  bank: string;
  postcode: string;
  createdAt: string;
  status: 'received' | 'ineligible' | 'awaiting_analyst' | 'approved' | 'declined';
  decidedBy?: 'rule' | 'analyst' | 'deadline';
  secondsToDecision?: number;
  amountCents?: number;
  hardCases?: string[];
}

async function add(f: Fixture): Promise<void> {
  const body = demoDossier({ bankId: f.bank, company: { postcode: f.postcode } });
  const { dossier } = await insertDossierIdempotent(db.sql, {
    resellerId: DEMO.resellers.grenoble,
    bankId: f.bank,
    idempotencyKey: crypto.randomUUID(),
    siren: body.company.siren,
    totalAmountCents: f.amountCents ?? 1_000_000,
    body,
  });
  const decided = f.secondsToDecision === undefined ? null : new Date(Date.parse(f.createdAt) + f.secondsToDecision * 1000);
  const decision = f.decidedBy ? { outcome: f.status, decidedBy: f.decidedBy, decidedAt: decided!.toISOString() } : null;
  await db.sql`update dossiers set status = ${f.status}, created_at = ${f.createdAt}, accepted_at = ${f.createdAt}, decided_at = ${decided},
    decision = ${decision ? db.sql.json(decision) : null}, hard_cases = ${db.sql.json((f.hardCases ?? []).map((code) => ({ code, detail: '' })))}
    where id = ${dossier.id}`;
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.sql);
  const A = DEMO.banks.alpes;
  // 23:30 UTC on 31 January is 00:30 on 1 February in Paris: a February dossier.
  await add({ bank: A, postcode: '38000', createdAt: '2026-01-31T23:30:00Z', status: 'approved', decidedBy: 'rule', secondsToDecision: 10, amountCents: 500_000 });
  await add({
    bank: A,
    postcode: '75001',
    createdAt: '2026-02-10T09:00:00Z',
    status: 'approved',
    decidedBy: 'analyst',
    secondsToDecision: 3600,
    amountCents: 700_000,
    hardCases: ['risky_sector'],
  });
  await add({
    bank: A,
    postcode: '20100',
    createdAt: '2026-02-11T09:00:00Z',
    status: 'declined',
    decidedBy: 'deadline',
    secondsToDecision: 86_400,
    hardCases: ['risky_sector', 'above_delegation_ceiling'],
  });
  await add({ bank: A, postcode: '97400', createdAt: '2026-03-01T09:00:00Z', status: 'awaiting_analyst', hardCases: ['collective_procedure'] });
  await add({ bank: DEMO.banks.cooperatif, postcode: '69003', createdAt: '2026-01-15T09:00:00Z', status: 'ineligible' });
});
afterAll(async () => db?.drop());

describe('barometers', () => {
  it('counts by bank: statuses, approval rate, median and 99th percentile time to decision, defaults, hard cases, amounts', async () => {
    const rows = await barometers(db.sql, 'bank');
    const alpes = rows.find((r) => r.key === DEMO.banks.alpes)!;
    expect(alpes).toMatchObject({
      dossiers: 4,
      byStatus: { received: 0, ineligible: 0, awaiting_analyst: 1, approved: 2, declined: 1 },
      decided: 3,
      decidedByDefault: 1,
      medianSecondsToDecision: 3600,
      approvedAmountCents: 1_200_000,
      hardCases: { risky_sector: 2, above_delegation_ceiling: 1, collective_procedure: 1 },
    });
    expect(alpes.approvalRate).toBeCloseTo(2 / 3);
    expect(alpes.defaultShare).toBeCloseTo(1 / 3);
    // percentile_cont(0.99) of 10 s, 1 h, 24 h: 3600 + 0.98 × (86400 − 3600).
    expect(alpes.p99SecondsToDecision).toBeCloseTo(84_744);
    const coop = rows.find((r) => r.key === DEMO.banks.cooperatif)!;
    expect(coop).toMatchObject({ dossiers: 1, decided: 0, approvalRate: null, medianSecondsToDecision: null, defaultShare: null });
  });

  it('groups by Paris month, region and department (Corsica, overseas)', async () => {
    expect((await barometers(db.sql, 'month')).map((r) => [r.key, r.dossiers])).toEqual([
      ['2026-01', 1],
      ['2026-02', 3],
      ['2026-03', 1],
    ]);
    expect((await barometers(db.sql, 'region')).map((r) => [r.key, r.dossiers])).toEqual([
      ['Auvergne-Rhône-Alpes', 2],
      ['Corse', 1],
      ['La Réunion', 1],
      ['Île-de-France', 1],
    ]);
    expect((await barometers(db.sql, 'department')).map((r) => r.key)).toEqual(['2A', '38', '69', '75', '974']);
  });

  it('keeps to one bank and to a period of Paris days', async () => {
    const own = await barometers(db.sql, 'month', { bankId: DEMO.banks.cooperatif });
    expect(own.map((r) => r.key)).toEqual(['2026-01']);
    const february = await barometers(db.sql, 'bank', { from: '2026-02-01', to: '2026-02-10' });
    expect(february.map((r) => [r.key, r.dossiers])).toEqual([[DEMO.banks.alpes, 2]]);
  });

  it('exports CSV for a French spreadsheet, with names', async () => {
    const csv = barometersCsv('month', await barometerTable(db.sql, 'month', {}));
    const lines = csv
      .replace(/^\ufeff/, '')
      .trimEnd()
      .split('\r\n');
    expect(csv.startsWith('\ufeff')).toBe(true);
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^février 2026;2026-02;3;0;0;0;2;1;3;66,7;3600;84744;1;33,3;12000,00;2;0;0;0;1;0;0;0$/);
  });
});
