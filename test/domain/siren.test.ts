import { describe, expect, it } from 'vitest';
import { isValidSiren, isValidSiret, luhnValid } from '../../domain/siren.ts';

describe('SIREN and SIRET', () => {
  it('applies the Luhn key to SIRENs', () => {
    expect(isValidSiren('732829320')).toBe(true);
    expect(isValidSiren('552100554')).toBe(true);
    expect(isValidSiren('732829321')).toBe(false);
    expect(isValidSiren('123456789')).toBe(false);
  });

  it('refuses anything but 9 digits', () => {
    for (const s of ['73282932', '7328293200', '73282932a', ' 732829320', '']) expect(isValidSiren(s), s).toBe(false);
  });

  it("accepts La Poste's SIREN", () => {
    expect(isValidSiren('356000000')).toBe(true);
  });

  it('applies the Luhn key to SIRETs', () => {
    expect(luhnValid('73282932000074')).toBe(true);
    expect(isValidSiret('73282932000074')).toBe(true);
    expect(isValidSiret('73282932000075')).toBe(false);
    expect(isValidSiret('7328293200007')).toBe(false);
  });

  it("checks La Poste's SIRETs by the sum of their digits (multiple of 5)", () => {
    // 3+5+6 + 4+9+8+3+7 = 45
    expect(isValidSiret('35600000049837')).toBe(true);
    expect(luhnValid('35600000049837')).toBe(false);
    // 3+5+6 + 4+8 = 26: not a multiple of 5
    expect(isValidSiret('35600000000048')).toBe(false);
    // 3+5+6 + 1 = 15 although it fails Luhn
    expect(isValidSiret('35600000000001')).toBe(true);
  });
});
