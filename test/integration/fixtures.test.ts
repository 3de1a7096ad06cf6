/**
 * The fixtures' own guarantee: no two dossiers share a dirigeant. Excluded
 * persons registered for one scenario once matched another's dirigeant (names
 * drawn from a few thousand, skewed towards « Martinxxxxxx »), and a test of
 * another hard case saw an unexpected `excluded_person` (issue 9's flaky test).
 */
import { describe, expect, it } from 'vitest';
import { normaliseName } from '../../db/repositories/registries.ts';
import { uniqueLastName } from './support/fixtures.ts';

describe('test fixtures', () => {
  it('give every dirigeant a distinct name, as the excluded-persons registry compares them', () => {
    const names = Array.from({ length: 20_000 }, () => normaliseName(uniqueLastName()));
    expect(new Set(names).size).toBe(names.length);
  });
});
