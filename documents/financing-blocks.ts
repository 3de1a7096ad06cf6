/**
 * Blocks more than one document prints: the equipment table, the rent
 * schedule's summary and full table, a party's identity — and the checks that
 * a rent schedule handed in adds up before anyone signs it.
 */
import { isCalendarDate } from '../domain/dates.ts';
import { lineTotalCents, totalAmountCents, type Dossier } from '../domain/dossier.ts';
import type { Quote } from '../domain/rents.ts';
import { invalidInput } from './errors.ts';
import { CATEGORY_NAMES, PERIODICITY_ADJECTIVES, PRODUCT_NAMES, basisPointsText, euros, percentText, plural, shortDate, sirenText } from './french.ts';
import type { GuaranteeTerms, Organisation } from './inputs.ts';
import { CONTENT_WIDTH, type Column, type Layout } from './layout.ts';

/** The dossier's equipment lines and their total, excl. VAT; the description takes what the figures leave. */
export function equipmentTable(layout: Layout, dossier: Pick<Dossier, 'equipment'>): void {
  const rows = dossier.equipment.map((line) => [line.description, CATEGORY_NAMES[line.category], String(line.quantity), euros(line.unitPriceCents), euros(lineTotalCents(line))]);
  rows.push(['Total hors taxes', '', '', '', euros(totalAmountCents(dossier))]);
  const fitted = (header: string, i: number): Column => ({
    header,
    width: layout.columnWidth(
      rows.map((r) => r[i] ?? ''),
      header,
    ),
    align: 'right',
  });
  const figures = [fitted('Qté', 2), fitted('Prix unitaire HT', 3), fitted('Total HT', 4)];
  const category: Column = {
    header: 'Catégorie',
    width: Math.min(
      layout.columnWidth(
        rows.map((r) => r[1] ?? ''),
        'Catégorie',
      ),
      0.22 * CONTENT_WIDTH,
    ),
  };
  const description: Column = { header: 'Équipement ou service', width: CONTENT_WIDTH - category.width - figures.reduce((sum, c) => sum + c.width, 0) };
  layout.table([description, category, ...figures], rows);
}

/** How the rents are paid, in words. */
export function rentTimingText(quote: Pick<Quote, 'timing'>): string {
  return quote.timing === 'advance' ? 'payés d’avance, au début de chaque période (terme à échoir)' : 'payés à la fin de chaque période (terme échu)';
}

/** 'crédit-bail, 10 000,00 € HT sur 36 mois'. */
export function financingText(quote: Pick<Quote, 'product' | 'amountCents' | 'durationMonths'>): string {
  return `${PRODUCT_NAMES[quote.product]}, ${euros(quote.amountCents)} HT sur ${quote.durationMonths} mois`;
}

/** The schedule in a few label/value rows: count, first, regular and last rent, totals. */
export function rentSummaryRows(quote: Quote): Array<[string, string]> {
  const n = quote.rentCount;
  const first = quote.schedule[0]!;
  const last = quote.schedule[n - 1]!;
  const adjective = PERIODICITY_ADJECTIVES[quote.periodicity];
  const rows: Array<[string, string]> = [
    ['Loyers', `${plural(n, 'loyer')} ${n > 1 ? adjective.plural : adjective.singular}, ${rentTimingText(quote)}`],
    ['Premier loyer', `${euros(first.rentCents)} HT, le ${shortDate(first.dueDate)}`],
  ];
  if (n > 2) rows.push([`Loyers 2 à ${n - 1}`, `${euros(quote.rentCents)} HT chacun`]);
  if (n > 1) rows.push(['Dernier loyer', `${euros(last.rentCents)} HT, le ${shortDate(last.dueDate)} (il reprend les arrondis au centime)`]);
  rows.push(['Total des loyers', `${euros(quote.totalCents)} HT`]);
  if (quote.product === 'credit_bail') {
    rows.push([
      'Option d’achat',
      `${euros(quote.residualValueCents)} HT à la fin du contrat pour devenir propriétaire (valeur résiduelle : ${percentText(quote.residualValuePercent)} du montant financé)`,
    ]);
  }
  rows.push(['Coût du financement', `${euros(quote.costCents)} HT (${quote.product === 'credit_bail' ? 'loyers et option d’achat' : 'loyers'} moins le montant financé)`]);
  return rows;
}

/**
 * Every rent with its due date, in `groups` side-by-side columns read top to
 * bottom; a schedule that runs onto a new page starts on it.
 */
export function scheduleTable(layout: Layout, quote: Quote, groups = SCHEDULE_GROUPS): void {
  const rowsPerGroup = Math.ceil(quote.rentCount / groups);
  const groupWidth = CONTENT_WIDTH / groups;
  const columns: Column[] = [];
  for (let g = 0; g < groups; g++) {
    columns.push({ header: 'N°', width: 24, align: 'right' }, { header: 'Échéance', width: 62 }, { header: 'Loyer HT', width: groupWidth - 24 - 62, align: 'right' });
  }
  const rows = Array.from({ length: rowsPerGroup }, (_, r) =>
    Array.from({ length: groups }, (_, g) => quote.schedule[g * rowsPerGroup + r]).flatMap((line) =>
      line ? [String(line.index), shortDate(line.dueDate), euros(line.rentCents)] : ['', '', ''],
    ),
  );
  layout.ensure(scheduleHeight(layout, quote, groups));
  layout.table(columns, rows);
}

const SCHEDULE_GROUPS = 3;

/** The height scheduleTable takes: one line per row, plus the header. */
export function scheduleHeight(layout: Layout, quote: Pick<Quote, 'rentCount'>, groups = SCHEDULE_GROUPS): number {
  return (Math.ceil(quote.rentCount / groups) + 1) * (layout.lineHeight() + 2 * layout.cellPadding);
}

/**
 * The SOFARIS guarantee in plain words: reference, share covered, whom it
 * protects, its fee. A letter speaks to the créateur (« vous »), a contract of
 * « le preneur ».
 */
export function guaranteeText(g: GuaranteeTerms | null, reader: 'createur' | 'contract'): string {
  if (!g) return 'Ce financement est accordé sans la garantie SOFARIS (Bpifrance).';
  return (
    `Ce financement est garanti par Bpifrance (garantie SOFARIS), référence ${g.reference}. La garantie couvre ${percentText(g.quotityPercent)} ` +
    `du montant financé, soit ${euros(g.guaranteedAmountCents)}. Elle protège la banque si les loyers ne sont pas payés : ` +
    `${reader === 'createur' ? 'elle ne vous dispense pas' : 'elle ne dispense pas le preneur'} de les payer. ` +
    `Commission de garantie : ${basisPointsText(g.feeBasisPoints)} par an du capital restant dû.`
  );
}

/** 'SIREN 356 000 000, 38000 Grenoble' (empty when neither is known). */
export function registrationText(org: Organisation): string {
  const place = [org.postcode, org.city].filter(Boolean).join(' ');
  return [org.siren ? `SIREN ${sirenText(org.siren)}` : '', place].filter(Boolean).join(', ');
}

/** 'Banque des Alpes, SIREN 356 000 000, 38000 Grenoble'. */
export function organisationText(org: Organisation): string {
  return [org.name, registrationText(org)].filter(Boolean).join(', ');
}

/** Refuses a schedule that does not add up: nobody should read, let alone sign, wrong figures. */
export function checkQuote(quote: Quote, dossier?: Pick<Dossier, 'equipment' | 'financing'>): void {
  const problems: string[] = [];
  if (!Number.isInteger(quote.amountCents) || quote.amountCents <= 0) problems.push('le montant financé doit être un nombre entier de centimes positif');
  if (quote.rentCount < 1 || quote.schedule.length !== quote.rentCount) {
    problems.push(`l’échéancier compte ${quote.schedule.length} loyer(s) au lieu de ${quote.rentCount}`);
  }
  quote.schedule.forEach((line, i) => {
    if (line.index !== i + 1 || !isCalendarDate(line.dueDate) || !Number.isInteger(line.rentCents) || line.rentCents < 0) {
      problems.push(`le loyer n° ${i + 1} de l’échéancier est incohérent`);
    }
  });
  const sum = quote.schedule.reduce((total, line) => total + line.rentCents, 0);
  if (sum !== quote.totalCents) problems.push(`la somme des loyers (${euros(sum)}) diffère du total annoncé (${euros(quote.totalCents)})`);
  if (dossier) {
    if (quote.product !== dossier.financing.product) problems.push('le produit de l’échéancier diffère de celui du dossier');
    const equipment = totalAmountCents(dossier);
    if (quote.amountCents > equipment) {
      problems.push(`le montant financé (${euros(quote.amountCents)}) dépasse le total des équipements (${euros(equipment)})`);
    }
  }
  if (problems.length > 0) throw invalidInput(`Échéancier des loyers refusé : ${problems.join(' ; ')}.`);
}
