/**
 * The leasing contract: crédit-bail (with a purchase option at the residual
 * value) or location financière. Parties, equipment, amounts, every rent with
 * its due date, the guarantee, short general conditions in plain French, and
 * on the last page one signature block per party with its empty field.
 */
import { parisDateOf } from '../domain/dates.ts';
import { totalAmountCents } from '../domain/dossier.ts';
import { invalidInput } from './errors.ts';
import {
  checkQuote,
  equipmentTable,
  financingText,
  guaranteeText,
  organisationText,
  registrationText,
  rentSummaryRows,
  scheduleHeight,
  scheduleTable,
} from './financing-blocks.ts';
import { PRODUCT_NAMES, basisPointsText, euros, longDate, personName, sirenText } from './french.ts';
import type { ContractInput } from './inputs.ts';
import { COLORS, Layout } from './layout.ts';
import { instantOf, openDocument, saveDocument, type RenderOptions } from './pdf-document.ts';
import { SIGNATURE_BAND_HEIGHT, signatureBlocks } from './signature-fields.ts';

const SIZE = 9;
const LABEL_WIDTH = 130;

export async function renderContract(input: ContractInput, options: RenderOptions): Promise<Uint8Array> {
  const now = instantOf(options.now);
  const { dossier, quote: q, bank, reseller } = input;
  checkQuote(q, dossier);
  longDate(input.offerExpiresOn); // refuses a date that does not exist
  if (input.depositCents !== undefined && (!Number.isInteger(input.depositCents) || input.depositCents < 0)) {
    throw invalidInput('Le dépôt de garantie doit être un nombre entier de centimes positif ou nul.');
  }
  const product = PRODUCT_NAMES[q.product];
  const title = `Contrat de ${product}`;
  const open = await openDocument(
    {
      kind: 'contract',
      title: `${title} n° ${input.contractNumber}`,
      subject: `${title} entre ${bank.name}, ${dossier.company.legalName} et ${reseller.name}`,
      author: bank.name,
      keywords: ['contrat', product, input.contractNumber, dossier.company.siren],
    },
    input,
    now,
  );
  const layout = new Layout(open, { size: SIZE });
  const company = dossier.company;
  const dirigeant = personName(dossier.dirigeant);

  layout.paragraph(title, { size: SIZE + 9, bold: true, color: COLORS.accent });
  layout.paragraph(`Contrat n° ${input.contractNumber} — dossier Passeport pour l’Économie Numérique n° ${input.dossierId}`, { color: COLORS.muted });
  layout.rule();

  layout.heading('Les parties');
  layout.keyValues(
    [
      ['La banque (le bailleur)', `${organisationText(bank)}. Elle achète le matériel au fournisseur et le met à la disposition du preneur.`],
      [
        'Le preneur (le créateur)',
        `${company.legalName}, ${company.legalForm}, SIREN ${sirenText(company.siren)}, siège ${company.postcode} ${company.city}, représentée par ${dirigeant}, son dirigeant.`,
      ],
      [
        'Le fournisseur (le revendeur agréé)',
        `${[reseller.name, `revendeur agréé Passeport n° ${dossier.resellerId}`, registrationText(reseller)].filter(Boolean).join(', ')}. Il livre et installe le matériel.`,
      ],
    ],
    LABEL_WIDTH,
  );

  layout.heading('Article 1 — Ce que prévoit le contrat');
  layout.paragraph(
    `La banque achète au fournisseur le matériel et les services décrits à l’article 2 et les loue au preneur, pour son activité professionnelle, ` +
      `pendant ${q.durationMonths} mois. ` +
      (q.product === 'credit_bail'
        ? `À la fin du contrat, le preneur peut les acheter pour ${euros(q.residualValueCents)} HT (option d’achat) : il en devient alors propriétaire.`
        : 'À la fin du contrat, le preneur rend le matériel à la banque : il n’y a pas d’option d’achat.'),
  );

  layout.heading('Article 2 — Le matériel et les services');
  equipmentTable(layout, dossier);
  const equipmentTotal = totalAmountCents(dossier);
  if (q.amountCents < equipmentTotal) {
    layout.space(SIZE / 2);
    layout.paragraph(
      `La banque finance ${euros(q.amountCents)} HT. Le reste du prix, ${euros(equipmentTotal - q.amountCents)} HT, est payé directement par le preneur au fournisseur.`,
    );
  }

  layout.heading('Article 3 — Les montants');
  layout.keyValues(
    [
      ['Financement', financingText(q)],
      ...rentSummaryRows(q),
      ['Taux annuel', `${basisPointsText(Math.round(q.yearlyRateBasisPoints))} (taux proportionnel)`],
      ...(input.depositCents
        ? [['Dépôt de garantie', `${euros(input.depositCents)}, versé à la signature et rendu à la fin du contrat si tous les loyers ont été payés`] as [string, string]]
        : []),
    ],
    LABEL_WIDTH,
  );
  layout.paragraph('Les montants sont hors taxes (HT) : la TVA au taux en vigueur s’y ajoute. Les loyers sont prélevés sur le compte bancaire du preneur à chaque échéance.', {
    color: COLORS.muted,
  });

  const scheduleIntro = `Le preneur paie ces ${q.rentCount} loyers, hors taxes, aux dates indiquées. Le dernier reprend les arrondis au centime.`;
  layout.ensure(layout.headingHeight() + layout.paragraphHeight(scheduleIntro) + SIZE / 3 + scheduleHeight(layout, q));
  layout.heading('Article 4 — L’échéancier des loyers');
  layout.paragraph(scheduleIntro);
  layout.space(SIZE / 3);
  scheduleTable(layout, q);

  layout.heading('Article 5 — La garantie SOFARIS (Bpifrance)');
  layout.paragraph(guaranteeText(input.guarantee, 'contract'));

  // The signature page carries the general conditions: nobody signs under a blank page.
  const conditions = generalConditions(input);
  const madeOn = `Fait le ${longDate(parisDateOf(now))}, en un exemplaire électronique signé par les trois parties.`;
  layout.ensure(layout.headingHeight() + layout.keyValuesHeight(conditions, LABEL_WIDTH) + SIZE + layout.paragraphHeight(madeOn) + SIGNATURE_BAND_HEIGHT + SIZE);
  layout.heading('Article 6 — Conditions générales');
  layout.keyValues(conditions, LABEL_WIDTH);
  layout.space(SIZE);
  layout.paragraph(madeOn);
  signatureBlocks(layout, open.doc, {
    createur: [company.legalName, `SIREN ${sirenText(company.siren)}`, `représentée par ${dirigeant}`],
    revendeur: [reseller.name, ...(reseller.signatory ? [`représenté par ${reseller.signatory}`] : []), `label n° ${dossier.resellerId}`],
    banque: [bank.name, ...(bank.signatory ? [`représentée par ${bank.signatory}`] : [])],
  });
  layout.footers((page, pages) => `${title} n° ${input.contractNumber} — page ${page} sur ${pages}`);
  return saveDocument(open);
}

/** The general conditions, one short clause each, in words a créateur reads alone. */
function generalConditions(input: ContractInput): Array<[string, string]> {
  const q = input.quote;
  return [
    [
      '6.1 Livraison',
      'Le fournisseur livre et installe le matériel chez le preneur. Le preneur vérifie qu’il est complet et en bon état, puis signe le bon de livraison ; la banque paie alors le fournisseur.',
    ],
    ['6.2 Propriété', 'Pendant tout le contrat, le matériel appartient à la banque. Le preneur ne peut ni le vendre, ni le prêter, ni le donner en garantie.'],
    [
      '6.3 Utilisation',
      'Le preneur utilise le matériel pour son activité professionnelle et en prend soin. Les garanties du fabricant et du fournisseur lui profitent : en cas de panne, il s’adresse au fournisseur.',
    ],
    ['6.4 Assurance', 'Le preneur assure le matériel contre le vol, l’incendie et les dégâts pendant toute la durée du contrat.'],
    [
      '6.5 Retard de paiement',
      'Si un loyer n’est pas payé, la banque envoie un rappel. Si le retard dure plus de 30 jours après ce rappel, la banque peut mettre fin au contrat : le preneur rend alors le matériel et paie les loyers restant dus.',
    ],
    [
      '6.6 Fin du contrat',
      q.product === 'credit_bail'
        ? `Après le dernier loyer, le preneur peut acheter le matériel pour ${euros(q.residualValueCents)} HT. S’il ne le fait pas, il le rend à la banque en bon état.`
        : 'Après le dernier loyer, le preneur rend le matériel à la banque en bon état.',
    ],
    [
      '6.7 Vos données',
      'Les informations du dossier servent à gérer ce contrat et la garantie. Elles sont conservées 10 ans, comme la loi le demande pour les documents commerciaux.',
    ],
    [
      '6.8 Signature',
      'Le contrat est signé électroniquement, dans cet ordre : le preneur, le fournisseur, puis la banque. Ces signatures ont la même valeur qu’une signature à la main. Le contrat signé est conservé dans un coffre-fort électronique pendant 10 ans.',
    ],
    [
      '6.9 Durée de l’offre',
      `La banque maintient son offre jusqu’au ${longDate(input.offerExpiresOn)} inclus. Sans les trois signatures à cette date, le contrat ne se forme pas.`,
    ],
  ];
}
