/**
 * The one-page dossier summary: what the reseller submitted for the créateur,
 * on a single A4 page whatever the dossier (12 lines of 200 characters
 * included). The text is 9 pt, or the largest smaller size that lets the
 * page hold everything.
 */
import { parisDateOf } from '../domain/dates.ts';
import { totalAmountCents, type Dossier } from '../domain/dossier.ts';
import { effectiveResidualValuePercent } from '../domain/financing.ts';
import { DocumentError } from './errors.ts';
import { checkQuote, equipmentTable, rentSummaryRows } from './financing-blocks.ts';
import { PERIODICITY_ADJECTIVES, PRODUCT_NAMES, euros, longDate, parisDateTime, percentText, personName, shortDate, sirenText } from './french.ts';
import type { DossierSummaryInput } from './inputs.ts';
import { COLORS, Layout } from './layout.ts';
import { instantOf, openDocument, saveDocument, type RenderOptions } from './pdf-document.ts';

/** Body text sizes, largest first, in points: 9 down to 5 by quarter points. */
export const SUMMARY_TEXT_SIZES: readonly number[] = Array.from({ length: 17 }, (_, i) => 9 - i / 4);

/**
 * The summary at the largest text size that keeps it on one page: 9 pt at
 * once for most dossiers, otherwise a binary search over the smaller sizes.
 */
export async function renderDossierSummary(input: DossierSummaryInput, options: RenderOptions): Promise<Uint8Array> {
  const now = instantOf(options.now);
  if (input.quote) checkQuote(input.quote, input.dossier);
  const attempt = async (i: number) => onePageOrNull(() => renderAt(input, now, SUMMARY_TEXT_SIZES[i]!));
  let best = await attempt(0);
  let low = 1;
  let high = best ? 0 : SUMMARY_TEXT_SIZES.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const pdf = await attempt(mid);
    if (pdf) {
      best = pdf;
      high = mid - 1;
    } else low = mid + 1;
  }
  if (!best) throw new DocumentError('document_too_long', 'Le résumé du dossier ne tient pas sur une page, même en petits caractères.');
  return best;
}

async function onePageOrNull(render: () => Promise<Uint8Array>): Promise<Uint8Array | null> {
  try {
    return await render();
  } catch (e) {
    if (e instanceof DocumentError && e.code === 'document_too_long') return null;
    throw e;
  }
}

async function renderAt(input: DossierSummaryInput, now: Date, size: number): Promise<Uint8Array> {
  const { dossier, dossierId } = input;
  const open = await openDocument(
    {
      kind: 'dossier-summary',
      title: `Dossier de financement ${dossierId}`,
      subject: 'Résumé du dossier de financement (une page)',
      author: 'Passeport',
      keywords: ['Passeport pour l’Économie Numérique', 'dossier', dossier.company.siren],
    },
    input,
    now,
  );
  const layout = new Layout(open, { size, maxPages: 1 });
  const labelWidth = size * 10;

  layout.paragraph('Dossier de financement', { size: size + 7, bold: true, color: COLORS.accent });
  layout.paragraph(`Passeport pour l’Économie Numérique — dossier n° ${dossierId}, reçu le ${parisDateTime(input.receivedAt)}`, {
    color: COLORS.muted,
  });
  layout.rule();
  layout.keyValues(
    [
      ['Revendeur agréé', input.resellerName ? `${input.resellerName} (label n° ${dossier.resellerId})` : `label n° ${dossier.resellerId}`],
      ['Banque', input.bankName ? `${input.bankName} (${dossier.bankId})` : dossier.bankId],
    ],
    labelWidth,
  );
  layout.sideBySide([
    (area) => {
      layout.heading('L’entreprise', area);
      layout.keyValues(companyRows(dossier), labelWidth, area);
    },
    (area) => {
      layout.heading('Le dirigeant', area);
      layout.keyValues(dirigeantRows(dossier), labelWidth, area);
    },
  ]);
  layout.heading('Équipements et services à financer');
  equipmentTable(layout, dossier);
  layout.sideBySide([
    (area) => {
      layout.heading('Financement demandé', area);
      layout.keyValues(financingRows(dossier), labelWidth, area);
    },
    (area) => {
      if (!input.quote) return;
      layout.heading('Loyers sur la grille de la banque', area);
      layout.keyValues(rentSummaryRows(input.quote), labelWidth, area);
    },
  ]);
  layout.space(layout.lineHeight() / 2);
  layout.paragraph(
    'Le créateur a donné son accord aux vérifications nécessaires à sa demande : Passeport, registres des entreprises et des dirigeants, garantie SOFARIS (Bpifrance).',
  );
  layout.footers(() => `Dossier ${dossierId} — résumé établi le ${longDate(parisDateOf(now))}`);
  return saveDocument(open);
}

function companyRows(dossier: Dossier): Array<[string, string]> {
  const c = dossier.company;
  return [
    ['Raison sociale', c.legalName],
    ['Forme juridique', c.legalForm],
    ['SIREN', sirenText(c.siren)],
    ['Code NAF (APE)', c.naf],
    ['Créée le', shortDate(c.creationDate)],
    ['Siège', `${c.postcode} ${c.city}`],
    ['Passeport n°', dossier.passportNumber],
  ];
}

function dirigeantRows(dossier: Dossier): Array<[string, string]> {
  const d = dossier.dirigeant;
  return [
    ['Nom', personName(d)],
    ['Né(e) le', shortDate(d.birthDate)],
    ['E-mail', d.email],
    ['Mobile', d.mobile],
  ];
}

function financingRows(dossier: Dossier): Array<[string, string]> {
  const f = dossier.financing;
  const rows: Array<[string, string]> = [
    ['Produit', f.product === 'credit_bail' ? `${PRODUCT_NAMES[f.product]}, avec option d’achat` : `${PRODUCT_NAMES[f.product]}, sans option d’achat`],
    ['Montant HT', euros(totalAmountCents(dossier))],
    ['Durée', `${f.durationMonths} mois, loyers ${PERIODICITY_ADJECTIVES[f.periodicity].plural}`],
    ['Premier loyer', f.firstRentIncreasePercent > 0 ? `majoré : ${percentText(f.firstRentIncreasePercent)} du montant` : 'non majoré'],
  ];
  if (f.product === 'credit_bail') {
    rows.push(['Valeur résiduelle', `${percentText(effectiveResidualValuePercent(f.product, f.residualValuePercent))} du montant`]);
  }
  return rows;
}
