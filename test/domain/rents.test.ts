import { describe, expect, it } from 'vitest';
import { QuoteRefused, quote, type QuoteInput } from '../../domain/rents.ts';
import { TariffGridSchema, checkTerms, formatEuros, type TariffGridInput } from '../../domain/tariffs.ts';

function grid(overrides: Partial<TariffGridInput> = {}) {
  return TariffGridSchema.parse({
    pricing: 'rate',
    rates: [
      { durationMonths: 24, yearlyRateBasisPoints: 550 },
      { durationMonths: 36, yearlyRateBasisPoints: 600 },
      { durationMonths: 48, yearlyRateBasisPoints: 650 },
    ],
    minAmountCents: 100_000,
    maxAmountCents: 5_000_000,
    products: ['credit_bail', 'location_financiere'],
    ...overrides,
  } as TariffGridInput);
}

function input(overrides: Partial<QuoteInput> = {}): QuoteInput {
  return {
    amountCents: 1_000_000,
    product: 'credit_bail',
    durationMonths: 36,
    periodicity: 'monthly',
    tariff: grid(),
    startDate: '2026-11-24',
    ...overrides,
  };
}

function refusal(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof QuoteRefused) return e.reasons.map((r) => r.code);
    throw e;
  }
  throw new Error('expected QuoteRefused');
}

describe('rent schedule', () => {
  it('gives the check value: 10 000 €, 6 %, 36 monthly rents, VR 1 % → 300,18 € in advance', () => {
    const q = quote(input());
    expect(q.rentCents).toBe(30_018);
    expect(q.residualValueCents).toBe(10_000);
    expect(q.periodicRate).toBeCloseTo(0.005, 12);
    expect(q.rentCount).toBe(36);
    expect(q.timing).toBe('advance');
  });

  it('gives the check value in arrears: 301,68 €', () => {
    const q = quote(input({ tariff: grid({ timing: 'arrears' }) }));
    expect(q.rentCents).toBe(30_168);
  });

  it('amortises exactly to the residual value, the last rent absorbing rounding', () => {
    for (const timing of ['advance', 'arrears'] as const) {
      const q = quote(input({ tariff: grid({ timing }) }));
      expect(q.schedule).toHaveLength(36);
      expect(q.schedule.slice(0, 35).every((l) => l.rentCents === q.rentCents)).toBe(true);
      const last = q.schedule[35]!;
      expect(Math.abs(last.rentCents - q.rentCents)).toBeLessThan(20);
      const principal = q.schedule.reduce((s, l) => s + l.principalCents, 0);
      expect(principal).toBe(1_000_000 - last.outstandingCents);
      expect(q.totalCents).toBe(q.schedule.reduce((s, l) => s + l.rentCents, 0));
      expect(q.totalWithResidualValueCents).toBe(q.totalCents + 10_000);
      expect(q.costCents).toBe(q.totalWithResidualValueCents - 1_000_000);
      for (const l of q.schedule) expect(Number.isInteger(l.rentCents) && Number.isInteger(l.interestCents)).toBe(true);
    }
    const arrears = quote(input({ tariff: grid({ timing: 'arrears' }) }));
    expect(arrears.schedule[35]!.outstandingCents).toBe(10_000);
    // In advance the last period's interest (0.5 %) brings 9 950 back to 10 000.
    expect(quote(input()).schedule[35]!.outstandingCents).toBe(9_950);
  });

  it('matches a hand-computed table to the cent (1 000 €, 12 %/year, 24 monthly rents, no VR)', () => {
    const tariff = grid({ rates: [{ durationMonths: 24, yearlyRateBasisPoints: 1200 }], minAmountCents: 0 });
    const arrears = quote(input({ amountCents: 100_000, product: 'location_financiere', durationMonths: 24, tariff: { ...tariff, timing: 'arrears' } }));
    expect(arrears.rentCount).toBe(24);
    // 1 % a month, 24 rents in arrears: L = 1000 × 0.01 / (1 − 1.01^−24) = 47.0735 €.
    expect(arrears.rentCents).toBe(4_707);
    expect(arrears.schedule[0]).toEqual({
      index: 1,
      dueDate: '2026-12-24',
      rentCents: 4_707,
      interestCents: 1_000,
      principalCents: 3_707,
      outstandingCents: 96_293,
    });
    // 962.93 € × 1 % = 9.6293 → 9.63 €
    expect(arrears.schedule[1]).toMatchObject({ interestCents: 963, principalCents: 3_744, outstandingCents: 92_549 });
    expect(arrears.schedule[23]!.outstandingCents).toBe(0);

    const advance = quote(input({ amountCents: 100_000, product: 'location_financiere', durationMonths: 24, tariff }));
    // In advance: 47.0735 / 1.01 = 46.6074 €.
    expect(advance.rentCents).toBe(4_661);
    expect(advance.schedule[0]).toEqual({
      index: 1,
      dueDate: '2026-11-24',
      rentCents: 4_661,
      interestCents: 0,
      principalCents: 4_661,
      outstandingCents: 95_339,
    });
    // 953.39 € × 1 % = 9.5339 → 9.53 €
    expect(advance.schedule[1]).toMatchObject({ interestCents: 953, principalCents: 3_708, outstandingCents: 91_631 });
    expect(advance.schedule[23]!.outstandingCents).toBe(0);
  });

  it('splits evenly at a zero rate, the last rent taking the remainder', () => {
    const tariff = grid({ rates: [{ durationMonths: 36, yearlyRateBasisPoints: 0 }] });
    const cb = quote(input({ tariff }));
    expect(cb.rentCents).toBe(27_500); // (10 000 − 100) / 36
    expect(cb.lastRentCents).toBe(27_500);
    const lf = quote(input({ tariff, product: 'location_financiere' }));
    expect(lf.residualValueCents).toBe(0);
    expect(lf.rentCents).toBe(27_778);
    expect(lf.lastRentCents).toBe(1_000_000 - 35 * 27_778);
    expect(lf.totalCents).toBe(1_000_000);
  });

  it('ignores a residual value for location financière and applies the dossier one for crédit-bail', () => {
    expect(quote(input({ product: 'location_financiere', residualValuePercent: 5 })).residualValueCents).toBe(0);
    const q = quote(input({ residualValuePercent: 5 }));
    expect(q.residualValueCents).toBe(50_000);
    expect(q.residualValuePercent).toBe(5);
    expect(q.rentCents).toBeLessThan(30_018);
  });

  it('raises the first rent to X % of the amount and recomputes the others', () => {
    const q = quote(input({ firstRentIncreasePercent: 10 }));
    expect(q.firstRentCents).toBe(100_000);
    // (10 000 − 1 000 − 100 × 1.005^−36) × 0.005 / (1 − 1.005^−35) = 278.33 €
    expect(q.rentCents).toBe(27_833);
    expect(q.schedule[1]!.rentCents).toBe(27_833);
    expect(q.schedule[35]!.outstandingCents).toBe(9_950);
    expect(Math.abs(q.lastRentCents - q.rentCents)).toBeLessThan(20);
  });

  it('lists due dates on the Paris calendar, monthly and quarterly, clamping month ends', () => {
    const monthly = quote(input({ startDate: '2026-01-31' }));
    expect(monthly.schedule.slice(0, 4).map((l) => l.dueDate)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
    expect(monthly.schedule[35]!.dueDate).toBe('2028-12-31');
    const quarterly = quote(input({ periodicity: 'quarterly', durationMonths: 24, startDate: '2026-11-24' }));
    expect(quarterly.rentCount).toBe(8);
    expect(quarterly.periodicRate).toBeCloseTo(0.055 / 4, 12);
    expect(quarterly.schedule.map((l) => l.dueDate)).toEqual(['2026-11-24', '2027-02-24', '2027-05-24', '2027-08-24', '2027-11-24', '2028-02-24', '2028-05-24', '2028-08-24']);
    const arrears = quote(input({ periodicity: 'quarterly', durationMonths: 24, tariff: grid({ timing: 'arrears' }) }));
    expect(arrears.schedule[0]!.dueDate).toBe('2027-02-24');
    expect(arrears.schedule[7]!.dueDate).toBe('2028-11-24');
  });

  it('prices with a coefficient: rent = amount × coefficient', () => {
    const tariff = TariffGridSchema.parse({
      pricing: 'coefficient',
      coefficients: [
        { durationMonths: 36, periodicity: 'monthly', coefficientPpm: 30_018 },
        { durationMonths: 36, periodicity: 'quarterly', coefficientPpm: 91_000 },
      ],
      minAmountCents: 100_000,
      maxAmountCents: 5_000_000,
      products: ['credit_bail'],
    });
    const q = quote(input({ tariff, amountCents: 1_234_567 }));
    expect(q.rentCents).toBe(37_059); // 12 345,67 € × 3,0018 % = 370,5925 €
    expect(q.coefficientPpm).toBe(30_018);
    expect(q.schedule.slice(0, 35).every((l) => l.rentCents === 37_059)).toBe(true);
    expect(Math.abs(q.lastRentCents - q.rentCents)).toBeLessThan(20);
    // The coefficient of the check value implies about 6 % a year.
    expect(q.yearlyRateBasisPoints).toBeGreaterThan(595);
    expect(q.yearlyRateBasisPoints).toBeLessThan(605);
    expect(quote(input({ tariff, periodicity: 'quarterly' })).rentCents).toBe(91_000);
    expect(refusal(() => quote(input({ tariff, durationMonths: 48 })))).toEqual(['duration_not_offered']);
  });

  it('refuses terms outside the grid with every reason', () => {
    expect(refusal(() => quote(input({ amountCents: 99_999 })))).toEqual(['amount_below_minimum']);
    expect(refusal(() => quote(input({ amountCents: 5_000_001 })))).toEqual(['amount_above_maximum']);
    expect(refusal(() => quote(input({ durationMonths: 60 })))).toEqual(['duration_not_offered']);
    expect(refusal(() => quote(input({ tariff: grid({ products: ['location_financiere'] }) })))).toEqual(['product_not_offered']);
    expect(refusal(() => quote(input({ tariff: grid({ periodicities: ['quarterly'] }) })))).toEqual(['periodicity_not_offered']);
    expect(refusal(() => quote(input({ firstRentIncreasePercent: 5, tariff: grid({ firstRentIncreaseAllowed: false }) })))).toEqual(['first_rent_increase_not_allowed']);
    expect(refusal(() => quote(input({ amountCents: 50, durationMonths: 60, tariff: grid({ products: ['location_financiere'] }) })))).toEqual([
      'amount_below_minimum',
      'product_not_offered',
      'duration_not_offered',
    ]);
    expect(refusal(() => quote(input({ amountCents: 0, tariff: grid({ minAmountCents: 0 }) })))).toEqual(['amount_below_minimum']);
  });

  it('explains refusals in French with amounts in euros', () => {
    const [below] = checkTerms(input({ amountCents: 99_999 }), grid());
    expect(below?.detail).toBe('Le montant de 999,99 € HT est inférieur au minimum de la banque (1 000,00 € HT).');
    const [duration] = checkTerms(input({ durationMonths: 60 }), grid());
    expect(duration?.detail).toBe('La banque ne propose pas de durée de 60 mois (durées proposées : 24, 36, 48 mois).');
    expect(formatEuros(123_456_789)).toBe('1 234 567,89 €');
    expect(formatEuros(5)).toBe('0,05 €');
  });

  it('refuses an inconsistent tariff grid', () => {
    expect(TariffGridSchema.safeParse({ ...grid(), minAmountCents: 6_000_000 }).success).toBe(false);
    expect(TariffGridSchema.safeParse({ ...grid(), surprise: true }).success).toBe(false);
    expect(TariffGridSchema.safeParse({ ...grid(), rates: [] }).success).toBe(false);
  });
});
