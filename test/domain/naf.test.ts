import { describe, expect, it } from 'vitest';
import { guaranteeSectorExclusion, isValidNafFormat, nafDivision, nafMatchesPrefix, nafSection } from '../../domain/naf.ts';

describe('NAF codes', () => {
  it('checks the format', () => {
    expect(isValidNafFormat('62.02A')).toBe(true);
    expect(isValidNafFormat('62.02')).toBe(false);
    expect(isValidNafFormat('6202A')).toBe(false);
  });

  it('derives the division and the section', () => {
    expect(nafDivision('62.02A')).toBe('62');
    expect(nafSection('62.02A')).toBe('J');
    expect(nafSection('01.11Z')).toBe('A');
    expect(nafSection('41.10A')).toBe('F');
    expect(nafSection('68.20B')).toBe('L');
    expect(nafSection('04.00Z')).toBeNull();
  });

  it('matches prefixes at any level', () => {
    expect(nafMatchesPrefix('56.10A', '56')).toBe(true);
    expect(nafMatchesPrefix('56.10A', '56.10A')).toBe(true);
    expect(nafMatchesPrefix('56.10C', '56.10A')).toBe(false);
    expect(nafMatchesPrefix('56.30Z', '56.1')).toBe(false);
    expect(nafMatchesPrefix('56.30Z', '')).toBe(false);
  });

  it('excludes K64 except 64.2, L68.1, L68.2 and F41.1 from the guarantee', () => {
    expect(guaranteeSectorExclusion('64.19Z')).toMatch(/activités financières/);
    expect(guaranteeSectorExclusion('64.92Z')).toMatch(/activités financières/);
    expect(guaranteeSectorExclusion('64.20Z')).toBeNull();
    expect(guaranteeSectorExclusion('68.10Z')).toMatch(/immobiliers/);
    expect(guaranteeSectorExclusion('68.20A')).toMatch(/immobiliers/);
    expect(guaranteeSectorExclusion('68.31Z')).toBeNull();
    expect(guaranteeSectorExclusion('41.10A')).toMatch(/promotion immobilière/);
    expect(guaranteeSectorExclusion('41.20A')).toBeNull();
    expect(guaranteeSectorExclusion('65.11Z')).toBeNull();
    expect(guaranteeSectorExclusion('62.02A')).toBeNull();
  });

  it('excludes small agriculture only when the SOFARIS-years flag is on', () => {
    expect(guaranteeSectorExclusion('01.11Z')).toBeNull();
    const on = { excludeSmallAgriculture: true, smallAgricultureTurnoverCents: 7_600_000 };
    expect(guaranteeSectorExclusion('01.11Z', on, 7_599_999)).toMatch(/agricoles/);
    expect(guaranteeSectorExclusion('01.11Z', on, null)).toMatch(/agricoles/);
    expect(guaranteeSectorExclusion('01.11Z', on, 7_600_000)).toBeNull();
    expect(guaranteeSectorExclusion('10.11Z', on, 0)).toBeNull();
  });
});
