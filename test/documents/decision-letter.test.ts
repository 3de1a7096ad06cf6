import { afterAll, describe, expect, it } from 'vitest';
import { DECLINE_CODES, type DeclineCode } from '../../domain/codes.ts';
import { formatEuros } from '../../domain/tariffs.ts';
import { DECLINE_REASONS, DocumentError, renderDecisionLetter, type DecisionLetterInput } from '../../documents/index.ts';
import { qpdfCheck } from '../signature/support/judges.ts';
import { BANK, NOW, RESELLER, approvalLetter, typicalDossier } from './support/fixtures.ts';
import { A4_POINTS, pdfinfo, pdftext, removeTemp, writeTemp } from './support/pdf-judges.ts';

afterAll(removeTemp);

async function render(input: DecisionLetterInput): Promise<{ text: string; layoutText: string; pages: number }> {
  const file = writeTemp(await renderDecisionLetter(input, { now: NOW }), 'letter');
  expect(await qpdfCheck(file)).toMatch(/No syntax or stream encoding errors found/);
  const info = await pdfinfo(file);
  for (const size of info.pageSizes) expect(size).toEqual(A4_POINTS);
  return { text: await pdftext(file), layoutText: await pdftext(file, { layout: true }), pages: info.pages };
}

function refusal(reasonCode: DeclineCode, text?: string): DecisionLetterInput {
  return {
    dossierId: 'd6f1c0de-2026-4a5b-9c3d-000000000101',
    dossier: typicalDossier(),
    bank: BANK,
    reseller: RESELLER,
    decision: {
      outcome: 'declined',
      decidedBy: reasonCode === 'deadline_expired' ? 'deadline' : 'analyst',
      decidedAt: '2026-03-05T16:00:00Z',
      reasonCode,
      ...(text ? { text } : {}),
    },
  };
}

describe('the decision letter', () => {
  it('an accord names the guarantee, the rents and what happens next, on one page', async () => {
    const input = approvalLetter();
    const { text, layoutText, pages } = await render(input);
    expect(pages).toBe(1);
    if (input.decision.outcome !== 'approved') throw new Error('fixture');
    const q = input.decision.quote;
    for (const expected of [
      'Banque Populaire des Alpes',
      'Atelier Numérique du Vercors',
      'SIREN 912 345 675',
      'À l’attention de Camille Rousseau',
      'Le 5 mars 2026',
      `dossier n° ${input.dossierId}`,
      'Bonne nouvelle : votre financement est accordé.',
      'l’accord a été donné tout de suite, le 5 mars 2026 à 10 h 30',
      'référence SOF-2026-000042',
      `La garantie couvre 60 % du montant financé, soit ${formatEuros(input.decision.guarantee!.guaranteedAmountCents)}`,
      'Commission de garantie : 0,90 % par an du capital restant dû',
      'Cette offre est valable jusqu’au 4 avril 2026 inclus',
      'Vous signez le contrat électroniquement en premier, puis le revendeur, puis la banque',
      'Claire Fabre, chargée d’affaires',
    ]) {
      expect(text).toContain(expected);
    }
    for (const expected of [
      `Premier loyer ${formatEuros(q.firstRentCents)} HT, le 01/04/2026`,
      `Loyers 2 à 35 ${formatEuros(q.rentCents)} HT chacun`,
      `Dernier loyer ${formatEuros(q.lastRentCents)} HT, le 01/03/2029`,
      `Total des loyers ${formatEuros(q.totalCents)} HT`,
      `Option d’achat ${formatEuros(q.residualValueCents)} HT`,
    ]) {
      expect(layoutText).toContain(expected);
    }
    expect(text).not.toMatch(/conditions de la banque/);
  });

  it('an accord with conditions spells out the lower amount, the shorter duration, the deposit and the analyst’s words', async () => {
    const { text, layoutText } = await render(
      approvalLetter(typicalDossier(), { amountCents: 400_000, durationMonths: 24, depositCents: 50_000, text: 'Livraison sur site exigée avant le premier loyer.' }),
    );
    for (const expected of [
      'Un montant financé plus bas : 4 000,00 € HT au lieu de 4 359,90 € HT',
      'Le reste du prix, 359,90 € HT, n’est pas financé',
      'Une durée plus courte : 24 mois au lieu de 36 mois',
      'Un dépôt de garantie de 500,00 €, versé à la signature et rendu à la fin du contrat',
      'Précision de la banque : « Livraison sur site exigée avant le premier loyer. »',
      'Un analyste de la banque a étudié votre dossier',
    ]) {
      expect(text).toContain(expected);
    }
    expect(layoutText).toContain('Financement crédit-bail, 4 000,00 € HT sur 24 mois');
    expect(layoutText).toContain('24 loyers mensuels');
  });

  it('a refusal gives the reason in plain words — never a code — and what the créateur can do', async () => {
    for (const code of DECLINE_CODES) {
      const { text, pages } = await render(refusal(code, code === 'other' ? 'Le projet ne correspond pas à notre politique actuelle.' : undefined));
      expect(pages).toBe(1);
      expect(text).toContain('Votre demande de financement n’est pas acceptée.');
      expect(text).toContain(DECLINE_REASONS[code].replace(/\s+/g, ' '));
      expect(text).toContain('peut vous aider à préparer une nouvelle demande');
      // 'dirigeant' is a French word as well as a code; every other code is English or snake_case.
      for (const other of DECLINE_CODES.filter((c) => c !== 'dirigeant')) expect(text, `code ${other} printed`).not.toMatch(new RegExp(`\\b${other}\\b`));
      expect(text).not.toMatch(/\b[a-z]+_[a-z_]+\b/);
    }
    const other = await render(refusal('other', 'Le projet ne correspond pas à notre politique actuelle.'));
    expect(other.text).toContain('Précision de la banque : « Le projet ne correspond pas à notre politique actuelle. »');
  });

  it('a refusal at the deadline says the 24 hours ran out, once, in the bank’s words', async () => {
    const { text } = await render(refusal('deadline_expired', 'analyse non réalisée dans les 24 heures'));
    expect(text).toContain('La banque n’a pas pu étudier votre dossier dans le délai promis de 24 heures');
    expect(text).not.toContain('analyse non réalisée');
  });

  it('refuses an accord whose conditions disagree with its schedule', async () => {
    const input = approvalLetter(typicalDossier(), { amountCents: 400_000 });
    if (input.decision.outcome !== 'approved') throw new Error('fixture');
    input.decision.conditions = { amountCents: 300_000 };
    await expect(renderDecisionLetter(input, { now: NOW })).rejects.toSatisfy(
      (e: unknown) => e instanceof DocumentError && e.code === 'document_input_invalid' && /montant accordé/.test(e.message),
    );
  });
});
