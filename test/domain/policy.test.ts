import { describe, expect, it } from 'vitest';
import { BankPolicySchema, DEFAULT_REQUIRED_RGS_LEVELS, requiredRgsLevel } from '../../domain/policy.ts';

const tariff = {
  pricing: 'rate',
  rates: [{ durationMonths: 36, yearlyRateBasisPoints: 600 }],
  minAmountCents: 100_000,
  maxAmountCents: 5_000_000,
  products: ['credit_bail'],
};

describe('bank policy', () => {
  it('fills the defaults: decline at the deadline, no automatic decline, default RGS levels', () => {
    const p = BankPolicySchema.parse({ tariff, delegationCeilingCents: 2_500_000 });
    expect(p.timeoutDefault).toBe('decline');
    expect(p.autoDeclineExcludedPersons).toBe(false);
    expect(p.riskyNafCodes).toEqual([]);
    expect(p.requiredRgsLevels).toEqual({ createur: { upToCents: 1_500_000, below: 1, above: 2 }, revendeur: 1, bank: 3 });
    expect(p.tariff.timing).toBe('advance');
    expect(p.tariff.periodicities).toEqual(['monthly', 'quarterly']);
    expect(p.tariff.firstRentIncreaseAllowed).toBe(true);
  });

  it('refuses unknown fields, bad NAF prefixes and unknown RGS levels', () => {
    const base = { tariff, delegationCeilingCents: 2_500_000 };
    expect(BankPolicySchema.safeParse({ ...base, minAmountCents: 1 }).success).toBe(false);
    expect(BankPolicySchema.safeParse({ ...base, riskyNafCodes: ['56', '56.1', '56.10', '56.10A'] }).success).toBe(true);
    expect(BankPolicySchema.safeParse({ ...base, riskyNafCodes: ['5610A'] }).success).toBe(false);
    expect(BankPolicySchema.safeParse({ ...base, requiredRgsLevels: { ...DEFAULT_REQUIRED_RGS_LEVELS, bank: 4 } }).success).toBe(false);
  });

  it('asks the créateur for RGS * up to 15 000 € excl. VAT and RGS ** above', () => {
    expect(requiredRgsLevel(DEFAULT_REQUIRED_RGS_LEVELS, 'createur', 1_500_000)).toBe(1);
    expect(requiredRgsLevel(DEFAULT_REQUIRED_RGS_LEVELS, 'createur', 1_500_001)).toBe(2);
    expect(requiredRgsLevel(DEFAULT_REQUIRED_RGS_LEVELS, 'revendeur', 9_000_000)).toBe(1);
    expect(requiredRgsLevel(DEFAULT_REQUIRED_RGS_LEVELS, 'bank', 100)).toBe(3);
  });
});
