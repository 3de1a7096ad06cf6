import { afterAll, describe, expect, it } from 'vitest';
import { lineTotalCents, totalAmountCents } from '../../domain/dossier.ts';
import { formatEuros } from '../../domain/tariffs.ts';
import { DocumentError, renderDossierSummary } from '../../documents/index.ts';
import { qpdfCheck } from '../signature/support/judges.ts';
import { NOW, largestDossier, quoteFor, summaryInput, typicalDossier } from './support/fixtures.ts';
import { A4_POINTS, pdffonts, pdfinfo, pdftext, removeTemp, textIn, wordBoxes, writeTemp } from './support/pdf-judges.ts';

afterAll(removeTemp);

/** poppler's word boxes are 1.164 × the font size tall with DejaVu Sans. */
const sizeOf = (box: { yMin: number; yMax: number }) => (box.yMax - box.yMin) / 1.164;

describe('the one-page dossier summary', () => {
  it('tells everything the reseller submitted, in French, on one A4 page that qpdf accepts', async () => {
    const input = summaryInput();
    const file = writeTemp(await renderDossierSummary(input, { now: NOW }), 'summary');
    expect(await qpdfCheck(file)).toMatch(/No syntax or stream encoding errors found/);
    const info = await pdfinfo(file);
    expect(info.pages).toBe(1);
    expect(info.pageSizes[0]).toEqual(A4_POINTS);

    const text = await pdftext(file, { layout: true });
    const { dossier } = input;
    for (const expected of [
      'Dossier de financement',
      `dossier n° ${input.dossierId}`,
      'reçu le 5 mars 2026 à 10 h 30', // 09:30 UTC is 10:30 in Paris
      'Informatique Services du Vercors (label n° RA-2026-0001)',
      'Atelier Numérique du Vercors',
      'SIREN 912 345 675',
      'Raison sociale Atelier Numérique du Vercors',
      '62.02A',
      '01/09/2025',
      '38250 Villard-de-Lans',
      'PEN-2025-000101',
      'Camille Rousseau',
      '17/05/1988',
      'camille.rousseau@example.fr',
      '06 12 34 56 78',
      'Imprimante multifonction couleur',
      'Impression, numérisation',
      'Référent TIC (un an)',
      `Total hors taxes ${formatEuros(totalAmountCents(dossier))}`,
      'crédit-bail, avec option d’achat',
      '36 mois, loyers mensuels',
      `Premier loyer ${formatEuros(input.quote!.firstRentCents)} HT, le 01/04/2026`,
      `Loyers 2 à 35 ${formatEuros(input.quote!.rentCents)} HT chacun`,
      `Dernier loyer ${formatEuros(input.quote!.lastRentCents)} HT, le 01/03/2029`,
      'Le créateur a donné son accord aux vérifications',
    ]) {
      expect(text).toContain(expected);
    }
    for (const line of dossier.equipment) expect(text).toContain(formatEuros(lineTotalCents(line)));
    expect(text).toContain('4 359,90 €'); // the total written out, not only recomputed
  });

  it('embeds its fonts as subsets with a Unicode map, so every accent reads back', async () => {
    const file = writeTemp(await renderDossierSummary(summaryInput(), { now: NOW }), 'fonts');
    const fonts = await pdffonts(file);
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) {
      expect(font, font.name).toMatchObject({ embedded: true, subset: true, unicode: true });
      expect(font.name).toMatch(/^[A-Z]{6}\+DejaVuSansCondensed/);
    }
    expect(await pdftext(file)).toContain('Équipements et services à financer');
  });

  it('keeps the largest valid dossier (12 lines, every text at its maximum length) on one page, still readable', async () => {
    const dossier = largestDossier();
    const input = { ...summaryInput(dossier, false), quote: quoteFor(dossier, { amountCents: 40_000_000 }) };
    const file = writeTemp(await renderDossierSummary(input, { now: NOW }), 'largest');
    expect(await qpdfCheck(file)).toMatch(/No syntax or stream encoding errors found/);
    const info = await pdfinfo(file);
    expect(info.pages).toBe(1);
    expect(info.pageSizes[0]).toEqual(A4_POINTS);

    const boxes = await wordBoxes(file);
    const find = (word: string) => boxes.find((b) => b.word === word)!;
    const descriptions = textIn(boxes, { page: 1, xMax: find('Catégorie').xMin, yMax: find('Catégorie').yMin, yMin: find('hors').yMax });
    expect(descriptions).toBe(dossier.equipment.map((l) => l.description).join(' '));

    const text = await pdftext(file);
    for (const value of [dossier.company.legalName, dossier.company.legalForm, dossier.company.city, dossier.passportNumber, dossier.dirigeant.firstName]) {
      expect(text).toContain(value);
    }
    // The 254-character e-mail is cut between characters, never lost.
    expect(text.replace(/ /g, '')).toContain(dossier.dirigeant.email);

    const sizes = boxes.filter((b) => b.word === 'équipement').map(sizeOf);
    expect(sizes.length).toBeGreaterThan(0);
    for (const size of sizes) expect(size).toBeGreaterThanOrEqual(6.5);
    for (const b of boxes) expect(b.yMin, b.word).toBeGreaterThanOrEqual(0);
  });

  it('keeps even a dossier of 200 × "W" per line (no space to break at) on one page', async () => {
    const dossier = largestDossier(true);
    const input = { ...summaryInput(dossier, false), quote: quoteFor(dossier, { amountCents: 40_000_000 }) };
    const file = writeTemp(await renderDossierSummary(input, { now: NOW }), 'widest');
    expect((await pdfinfo(file)).pages).toBe(1);
    const text = (await pdftext(file)).replace(/ /g, '');
    expect(text).toContain(dossier.dirigeant.email);
    expect(text.match(/W/g)?.length).toBeGreaterThanOrEqual(12 * 200);
  });

  it('writes a short dossier at 9 pt', async () => {
    const file = writeTemp(await renderDossierSummary(summaryInput(typicalDossier(), false), { now: NOW }), 'typical');
    const box = (await wordBoxes(file)).find((b) => b.word === 'Imprimante')!;
    expect(sizeOf(box)).toBeCloseTo(9, 1);
  });

  it('refuses a rent schedule that does not add up, with a code and a French message', async () => {
    const input = summaryInput();
    const q = input.quote!;
    const broken = { ...input, quote: { ...q, schedule: q.schedule.map((l, i) => (i === 3 ? { ...l, rentCents: l.rentCents + 1 } : l)) } };
    await expect(renderDossierSummary(broken, { now: NOW })).rejects.toSatisfy(
      (e: unknown) => e instanceof DocumentError && e.code === 'document_input_invalid' && /la somme des loyers/.test(e.message),
    );
    await expect(renderDossierSummary(input, { now: 'hier' })).rejects.toSatisfy((e: unknown) => e instanceof DocumentError && e.code === 'document_input_invalid');
  });
});
