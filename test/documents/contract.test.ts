import { PDFDocument, PDFName, PDFRef, PDFSignature } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { formatEuros } from '../../domain/tariffs.ts';
import type { Quote } from '../../domain/rents.ts';
import { CONTRACT_SIGNATURE_FIELDS, DocumentError, renderContract, type ContractInput, type Rect } from '../../documents/index.ts';
import { qpdfCheck } from '../signature/support/judges.ts';
import { NOW, contractInput, largestDossier, quoteFor, typicalDossier } from './support/fixtures.ts';
import { A4_POINTS, pdfinfo, pdftext, removeTemp, scheduleFromText, wordBoxes, writeTemp, type WordBox } from './support/pdf-judges.ts';

afterAll(removeTemp);

interface RenderedContract {
  bytes: Uint8Array;
  file: string;
  pages: number;
  text: string;
  layoutText: string;
}

async function render(input: ContractInput): Promise<RenderedContract> {
  const bytes = await renderContract(input, { now: NOW });
  const file = writeTemp(bytes, 'contract');
  expect(await qpdfCheck(file)).toMatch(/No syntax or stream encoding errors found/);
  const info = await pdfinfo(file);
  expect(info.pageSizes).toHaveLength(info.pages);
  for (const size of info.pageSizes) expect(size).toEqual(A4_POINTS);
  return { bytes, file, pages: info.pages, text: await pdftext(file), layoutText: await pdftext(file, { layout: true }) };
}

function expectFullSchedule(layoutText: string, quote: Quote): void {
  const read = scheduleFromText(layoutText);
  expect(read).toEqual(quote.schedule.map((l) => ({ index: l.index, dueDate: l.dueDate, rentCents: l.rentCents })));
  expect(read.reduce((sum, l) => sum + l.rentCents, 0)).toBe(quote.totalCents);
  expect(read[read.length - 1]!.rentCents).toBe(quote.lastRentCents);
}

interface FieldRead {
  name: string;
  rect: Rect;
  pageRef: PDFRef | undefined;
  signed: boolean;
  fieldType: string | undefined;
}

/** The form read back with pdf-lib: each field's name, type, value and widget. */
async function signatureFields(bytes: Uint8Array): Promise<{ fields: FieldRead[]; lastPage: PDFRef; lastPageAnnots: PDFRef[] }> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const fields = doc
    .getForm()
    .getFields()
    .map((f): FieldRead => {
      expect(f).toBeInstanceOf(PDFSignature);
      const widgets = f.acroField.getWidgets();
      expect(widgets).toHaveLength(1);
      const r = widgets[0]!.getRectangle();
      return {
        name: f.getName(),
        rect: [r.x, r.y, r.x + r.width, r.y + r.height],
        pageRef: widgets[0]!.P(),
        signed: f.acroField.dict.get(PDFName.of('V')) !== undefined,
        fieldType: f.acroField.dict.get(PDFName.of('FT'))?.toString(),
      };
    });
  const pages = doc.getPages();
  const last = pages[pages.length - 1]!;
  const annots = last.node.Annots();
  const lastPageAnnots = annots ? annots.asArray().filter((a): a is PDFRef => a instanceof PDFRef) : [];
  for (const page of pages.slice(0, -1)) expect(page.node.Annots()?.size() ?? 0).toBe(0);
  return { fields, lastPage: last.ref, lastPageAnnots };
}

const overlap = (a: Rect, b: Rect) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

/** No word of the page lies on a field: a signature appearance would cover it. */
async function expectNothingDrawnOver(file: string, page: number, fields: FieldRead[]): Promise<void> {
  const words = (await wordBoxes(file)).filter((w) => w.page === page);
  expect(words.length).toBeGreaterThan(0);
  for (const w of words) {
    for (const f of fields) expect(overlap(f.rect, [w.xMin, w.yMin, w.xMax, w.yMax]), `« ${w.word} » drawn over ${f.name}`).toBe(false);
  }
}

describe('the leasing contract', () => {
  it('a crédit-bail names the three parties, the equipment, the amounts, the guarantee and the general conditions', async () => {
    const input = contractInput();
    const { text, layoutText, pages } = await render(input);
    expect(pages).toBeGreaterThanOrEqual(2);
    for (const expected of [
      'Contrat de crédit-bail',
      'Contrat n° CB-2026-000101',
      'Banque Populaire des Alpes, SIREN 605 520 071, 38000 Grenoble',
      'Atelier Numérique du Vercors, SARL, SIREN 912 345 675, siège 38250 Villard-de-Lans, représentée par Camille Rousseau',
      'Informatique Services du Vercors, revendeur agréé Passeport n° RA-2026-0001, SIREN 732 829 320',
      'le preneur peut les acheter pour 43,60 € HT (option d’achat)',
      'Poste de travail fixe',
      'Imprimante multifonction couleur',
      'Référent TIC (un an)',
      'payés d’avance, au début de chaque période (terme à échoir)',
      'référence SOF-2026-000042',
      'La garantie couvre 60 % du montant financé, soit 2 615,94 €',
      'Commission de garantie : 0,90 % par an du capital restant dû',
      'Le contrat est signé électroniquement, dans cet ordre : le preneur, le fournisseur, puis la banque',
      'La banque maintient son offre jusqu’au 4 avril 2026 inclus',
      'Fait le 5 mars 2026',
      `page ${pages} sur ${pages}`,
    ]) {
      expect(text).toContain(expected);
    }
    for (const clause of [
      '6.1 Livraison',
      '6.2 Propriété',
      '6.3 Utilisation',
      '6.4 Assurance',
      '6.5 Retard de paiement',
      '6.6 Fin du contrat',
      '6.7 Vos données',
      '6.8 Signature',
      '6.9 Durée de l’offre',
    ]) {
      expect(text).toContain(clause);
    }
    for (const expected of [
      'Total hors taxes 4 359,90 €',
      'Financement crédit-bail, 4 359,90 € HT sur 36 mois',
      `Option d’achat ${formatEuros(input.quote.residualValueCents)} HT à la fin du contrat`,
      `Total des loyers ${formatEuros(input.quote.totalCents)} HT`,
      'Taux annuel 6,00 %',
    ]) {
      expect(layoutText).toContain(expected);
    }
    expectFullSchedule(layoutText, input.quote);
  });

  it('prints every one of 60 monthly rents to the cent, the last one absorbing the rounding', async () => {
    const dossier = typicalDossier({ durationMonths: 60 });
    const input = contractInput(dossier);
    expect(input.quote.rentCount).toBe(60);
    expect(input.quote.lastRentCents).not.toBe(input.quote.rentCents);
    const { layoutText } = await render(input);
    expectFullSchedule(layoutText, input.quote);
  });

  it('a location financière has no purchase option; a deposit and a lower financed amount are written out', async () => {
    const dossier = typicalDossier({ product: 'location_financiere', residualValuePercent: undefined });
    const input = contractInput(dossier, { depositCents: 50_000, quote: quoteFor(dossier, { amountCents: 400_000 }) });
    const { text, layoutText } = await render(input);
    expect(text).toContain('Contrat de location financière');
    expect(text).toContain('le preneur rend le matériel à la banque : il n’y a pas d’option d’achat');
    expect(text).toContain('La banque finance 4 000,00 € HT. Le reste du prix, 359,90 € HT, est payé directement par le preneur au fournisseur.');
    expect(layoutText).not.toContain('Option d’achat');
    expect(layoutText).toContain('Dépôt de garantie 500,00 €, versé à la signature');
    expectFullSchedule(layoutText, input.quote);
  });

  it('carries three empty signature fields, named for their party, inside their blocks on the last page, apart', async () => {
    const input = contractInput();
    const { bytes, file, pages } = await render(input);
    const { fields, lastPage, lastPageAnnots } = await signatureFields(bytes);
    expect(fields.map((f) => f.name)).toEqual(['signature-createur', 'signature-revendeur', 'signature-banque']);
    for (const [i, f] of fields.entries()) {
      expect(f.fieldType).toBe('/Sig');
      expect(f.signed).toBe(false);
      expect(f.pageRef).toEqual(lastPage);
      expect(f.rect).toEqual(CONTRACT_SIGNATURE_FIELDS[i]!.rect);
      const [x1, y1, x2, y2] = f.rect;
      expect(x1).toBeGreaterThanOrEqual(0);
      expect(y1).toBeGreaterThanOrEqual(0);
      expect(x2).toBeLessThanOrEqual(A4_POINTS[0]);
      expect(y2).toBeLessThanOrEqual(A4_POINTS[1]);
      expect(x2 - x1).toBeGreaterThan(100);
      expect(y2 - y1).toBeGreaterThan(50);
    }
    expect(lastPageAnnots).toHaveLength(3);
    for (let a = 0; a < fields.length; a++) for (let b = a + 1; b < fields.length; b++) expect(overlap(fields[a]!.rect, fields[b]!.rect)).toBe(false);

    // Each block's text sits right above its own field: the page shows whose field it is.
    const words = (await wordBoxes(file)).filter((w) => w.page === pages);
    const above = (rect: Rect, w: WordBox) => w.xMin >= rect[0] - 1 && w.xMax <= rect[2] + 1 && w.yMin >= rect[3] && w.yMax <= rect[3] + 110;
    const blockText = (rect: Rect) =>
      words
        .filter((w) => above(rect, w))
        .map((w) => w.word)
        .join(' ');
    expect(blockText(fields[0]!.rect)).toMatch(/^Le preneur Atelier Numérique du Vercors SIREN 912 345 675 représentée par Camille Rousseau Signature électronique :$/);
    expect(blockText(fields[1]!.rect)).toMatch(/^Le fournisseur Informatique Services du Vercors .*label n° RA-2026-0001 Signature électronique :$/);
    expect(blockText(fields[2]!.rect)).toMatch(/^La banque, bailleur Banque Populaire des Alpes .*Signature électronique :$/);
    await expectNothingDrawnOver(file, pages, fields);
  });

  it('keeps the fields on the last page of a long contract (12 long equipment lines, 60 rents)', async () => {
    const dossier = largestDossier();
    const input = contractInput(dossier, { quote: quoteFor(dossier, { amountCents: 40_000_000 }) });
    const { bytes, file, pages, layoutText } = await render(input);
    expect(pages).toBeGreaterThanOrEqual(3);
    const { fields, lastPage } = await signatureFields(bytes);
    expect(fields.map((f) => f.pageRef)).toEqual([lastPage, lastPage, lastPage]);
    await expectNothingDrawnOver(file, pages, fields);
    expectFullSchedule(layoutText, input.quote);
  });

  it('refuses figures that do not hold together, with a code and a French message', async () => {
    const input = contractInput();
    const cases: Array<[ContractInput, RegExp]> = [
      [{ ...input, quote: { ...input.quote, product: 'location_financiere' } }, /produit de l’échéancier/],
      [{ ...input, quote: quoteFor(typicalDossier(), { amountCents: 900_000 }) }, /dépasse le total des équipements/],
      [{ ...input, quote: { ...input.quote, schedule: input.quote.schedule.slice(1) } }, /l’échéancier compte 35 loyer/],
      [{ ...input, offerExpiresOn: '2026-02-30' }, /Date invalide/],
      [{ ...input, depositCents: -1 }, /dépôt de garantie/],
    ];
    for (const [bad, message] of cases) {
      await expect(renderContract(bad, { now: NOW })).rejects.toSatisfy(
        (e: unknown) => e instanceof DocumentError && e.code === 'document_input_invalid' && message.test(e.message),
      );
    }
  });

  it('refuses a party text too long for its signature block rather than drawing it over the field', async () => {
    const input = contractInput();
    const bank = { ...input.bank, name: 'Banque '.repeat(150).trim() };
    await expect(renderContract({ ...input, bank }, { now: NOW })).rejects.toSatisfy(
      (e: unknown) => e instanceof DocumentError && e.code === 'document_too_long' && /bloc de signature/.test(e.message),
    );
  });
});
