import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GUARANTEE_SETTINGS,
  SOFARIS_QUOTITY,
  decideGuarantee,
  guaranteeFeeCents,
  guaranteeMode,
  guaranteedAmountCents,
  quotityPercent,
  type GuaranteeCase,
} from '../../domain/guarantee.ts';

function gcase(overrides: Partial<GuaranteeCase> = {}): GuaranteeCase {
  return {
    amountCents: 1_234_567,
    product: 'credit_bail',
    naf: '62.02A',
    creationDate: '2025-03-15',
    today: '2026-11-24',
    delegationCeilingCents: 2_500_000,
    outstandingCents: 0,
    ...overrides,
  };
}

describe('SOFARIS guarantee', () => {
  it('grants 60 % (Garantie Création) at 0.90 % a year, rounded once to the cent', () => {
    expect(decideGuarantee(gcase())).toEqual({
      status: 'granted',
      mode: 'delegated',
      quotityPercent: 60,
      feeBasisPoints: 90,
      guaranteedAmountCents: 740_740, // 12 345,67 € × 60 % = 7 407,402 €
    });
  });

  it('covers 70 % of creations by natural persons and 50 % otherwise under the SOFARIS rule', () => {
    expect(quotityPercent(SOFARIS_QUOTITY, true)).toBe(70);
    expect(quotityPercent(SOFARIS_QUOTITY, false)).toBe(50);
    const settings = { ...DEFAULT_GUARANTEE_SETTINGS, quotity: SOFARIS_QUOTITY };
    const natural = decideGuarantee(gcase(), settings);
    expect(natural.status === 'granted' && natural.guaranteedAmountCents).toBe(864_197); // × 70 % = 8 641,969
    const company = decideGuarantee(gcase({ createdByNaturalPersons: false }), settings);
    expect(company.status === 'granted' && company.guaranteedAmountCents).toBe(617_284); // × 50 % = 6 172,835
    expect(guaranteedAmountCents(1_000_001, 62.5)).toBe(625_001); // 625 000,625
  });

  it('is delegated up to the ceiling and individual above it', () => {
    expect(guaranteeMode(2_500_000, 2_500_000)).toBe('delegated');
    expect(guaranteeMode(2_500_001, 2_500_000)).toBe('individual');
    const above = decideGuarantee(gcase({ amountCents: 3_000_000 }));
    expect(above.status === 'granted' && above.mode).toBe('individual');
  });

  it('is reserved to companies less than 3 years old, to the day', () => {
    expect(decideGuarantee(gcase({ creationDate: '2023-11-24' })).status).toBe('granted');
    expect(decideGuarantee(gcase({ creationDate: '2023-11-23' }))).toEqual({
      status: 'refused',
      mode: 'delegated',
      reasons: ['La garantie est réservée aux entreprises créées depuis moins de 3 ans (création le 23/11/2023).'],
    });
  });

  it('refuses excluded sectors and products the settings leave out', () => {
    const r = decideGuarantee(gcase({ naf: '64.19Z' }));
    expect(r.status === 'refused' && r.reasons).toEqual(['Les activités financières (code NAF 64) ne sont pas couvertes par la garantie.']);
    const onlyCb = { ...DEFAULT_GUARANTEE_SETTINGS, products: ['credit_bail'] as const };
    expect(decideGuarantee(gcase({ product: 'location_financiere' }), onlyCb).status).toBe('refused');
    expect(decideGuarantee(gcase({ product: 'location_financiere' })).status).toBe('granted');
  });

  it("refuses when the company's guaranteed outstanding would pass the cap", () => {
    expect(decideGuarantee(gcase({ outstandingCents: 20_000_000 - 740_740 })).status).toBe('granted');
    const r = decideGuarantee(gcase({ outstandingCents: 20_000_000 - 740_739 }));
    expect(r.status === 'refused' && r.reasons).toEqual([
      "L'encours garanti de l'entreprise dépasserait le plafond de 200 000,00 € (déjà garanti : 192 592,61 €, demandé : 7 407,40 €).",
    ]);
  });

  it('collects every refusal reason', () => {
    const r = decideGuarantee(gcase({ naf: '41.10A', creationDate: '2020-01-01', outstandingCents: 20_000_000 }));
    expect(r.status === 'refused' && r.reasons.length).toBe(3);
  });

  it('computes the fee on the outstanding capital per period', () => {
    // 10 000 € × 0.90 % / 12 = 7,50 € a month; a quarter on 9 876,54 € = 22,222 €
    expect(guaranteeFeeCents(1_000_000, 90, 1)).toBe(750);
    expect(guaranteeFeeCents(987_654, 90, 3)).toBe(2_222);
    expect(guaranteeFeeCents(1_000_000, 90, 12)).toBe(9_000);
  });
});
