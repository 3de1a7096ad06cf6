/** The pages' escaping, French formats and conversions (pure functions, no server). */
import { describe, expect, it } from 'vitest';
import { html, raw } from '../../web/html.ts';
import { durationFr, parseDecimal, parseEuros, timeLeft } from '../../web/format.ts';
import { compactDigits, tidyNaf } from '../../web/form-rules.ts';
import { DEPARTMENT_REGIONS, departmentOf } from '../../domain/regions.ts';
import { rentSentence, type QuoteBody } from '../../web/pages/quote-preview.ts';

describe('html``', () => {
  it('escapes every interpolated value, in text and in attributes, and nests safely', () => {
    const name = `<img src=x onerror="alert('x')"> & co`;
    const out = html`<p title="${name}">${name}</p>${[html`<b>${'<i>'}</b>`, null, false, undefined, 3]}${raw('<hr>')}`;
    expect(out.value).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt; &amp; co">&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt; &amp; co</p><b>&lt;i&gt;</b>3<hr>',
    );
  });
});

describe('timeLeft', () => {
  const now = new Date('2026-03-10T10:00:00Z');
  const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000 + 30_000).toISOString();
  it('says the time left as the bank reads it, never promising more than there is', () => {
    expect(timeLeft(at(200), now).text).toBe('3 h 20 restantes');
    expect(timeLeft(at(60), now).text).toBe('1 h 00 restantes');
    expect(timeLeft(at(12), now).text).toBe('12 min restantes');
    expect(timeLeft(at(1), now).text).toBe('1 min restante');
    expect(timeLeft(new Date(now.getTime() + 20_000).toISOString(), now).text).toBe('moins d’une minute restante');
  });
  it('says how late an overdue one is', () => {
    expect(timeLeft(new Date(now.getTime() - 12 * 60_000).toISOString(), now)).toMatchObject({ text: 'en retard de 12 min', overdue: true });
    expect(timeLeft(new Date(now.getTime() - 65 * 60_000).toISOString(), now).text).toBe('en retard de 1 h 05');
  });
});

describe('amounts and numbers as people type them', () => {
  it('reads euros with spaces, a decimal comma or point, and a € sign', () => {
    expect(parseEuros('1 200')).toBe(120_000);
    expect(parseEuros('1\u202f200,5')).toBe(120_050);
    expect(parseEuros('1200.05 €')).toBe(120_005);
    expect(parseEuros('0,99')).toBe(99);
    for (const bad of ['', 'deux mille', '-5', '1,234', '12 00', '1.200,00']) expect(parseEuros(bad), bad).toBeNull();
  });
  it('reads percents with a comma', () => {
    expect(parseDecimal('1,5')).toBe(1.5);
    expect(parseDecimal('2 %')).toBe(2);
    expect(parseDecimal('un')).toBeNull();
  });
  it('tidies a SIREN, a postcode and a NAF code', () => {
    expect(compactDigits('912 345.675')).toBe('912345675');
    expect(tidyNaf(' 62 02 a ')).toBe('62.02A');
    expect(tidyNaf('6202A')).toBe('62.02A');
    expect(tidyNaf('62-02')).toBe('62-02');
  });
  it('writes durations for figures', () => {
    expect(durationFr(42)).toBe('42 s');
    expect(durationFr(3 * 3600 + 20 * 60)).toBe('3 h 20');
    expect(durationFr(3 * 86_400 + 4 * 3600)).toBe('3 j 4 h');
  });
});

describe('rentSentence', () => {
  const q = (first: number, regular: number, last: number): QuoteBody => ({
    product: 'credit_bail',
    periodicity: 'monthly',
    rentCount: 36,
    rentCents: regular,
    firstRentCents: first,
    lastRentCents: last,
    residualValueCents: 0,
    totalCents: 0,
    costCents: 0,
    yearlyRateBasisPoints: 600,
  });
  it('names the first and last rents when they differ from the others', () => {
    expect(rentSentence(q(30_018, 30_018, 30_018))).toBe('36 loyers mensuels de 300,18\u00a0€ HT');
    expect(rentSentence(q(30_018, 30_018, 30_021))).toBe('35 loyers mensuels de 300,18\u00a0€ HT et un dernier loyer de 300,21\u00a0€ HT');
    expect(rentSentence(q(100_000, 27_000, 27_003))).toBe(
      'un premier loyer de 1\u202f000,00\u00a0€ HT, 34 loyers mensuels de 270,00\u00a0€ HT et un dernier loyer de 270,03\u00a0€ HT',
    );
  });
});

describe('departments and regions', () => {
  it('maps the 101 departments to the 18 regions, Corsica and overseas included', () => {
    expect(Object.keys(DEPARTMENT_REGIONS)).toHaveLength(101);
    expect(new Set(Object.values(DEPARTMENT_REGIONS)).size).toBe(18);
    expect(departmentOf('38250')).toBe('38');
    expect(departmentOf('20000')).toBe('2A');
    expect(departmentOf('20190')).toBe('2A');
    expect(departmentOf('20200')).toBe('2B');
    expect(departmentOf('97400')).toBe('974');
    expect(departmentOf('3800')).toBeNull();
    expect(DEPARTMENT_REGIONS[departmentOf('13001')!]).toBe('Provence-Alpes-Côte d’Azur');
  });
});
