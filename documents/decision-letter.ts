/**
 * The decision letter the bank sends the créateur: an accord (what is
 * financed, the bank's conditions, the rents, the guarantee) or a refusal (the
 * reason in plain words), and in both cases what happens next and when.
 */
import type { DeclineCode } from '../domain/codes.ts';
import { parisDateOf } from '../domain/dates.ts';
import { totalAmountCents, type Dossier } from '../domain/dossier.ts';
import { invalidInput } from './errors.ts';
import { checkQuote, financingText, guaranteeText, registrationText, rentSummaryRows } from './financing-blocks.ts';
import { PRODUCT_NAMES, euros, longDate, parisDateTime, personName, shortDate, sirenText } from './french.ts';
import type { Approval, DecidedBy, DecisionLetterInput, Refusal } from './inputs.ts';
import { A4, COLORS, MARGIN, Layout } from './layout.ts';
import { instantOf, openDocument, saveDocument, type RenderOptions } from './pdf-document.ts';

const SIZE = 9.5;
const LABEL_WIDTH = 110;

/** Why the bank said no, in words a créateur reads without a glossary. */
export const DECLINE_REASONS: Record<DeclineCode, string> = {
  risk: 'La banque estime que le risque de ce financement est trop élevé pour elle aujourd’hui.',
  sector: 'Le secteur d’activité de votre entreprise ne fait pas partie de ceux que la banque finance.',
  dirigeant: 'La situation du dirigeant ne remplit pas les conditions de la banque.',
  guarantee: 'La garantie SOFARIS (Bpifrance), nécessaire à ce financement, n’a pas été accordée.',
  financial_situation: 'La situation financière de votre entreprise ne permet pas ce financement pour le moment.',
  other: 'La banque n’a pas retenu votre demande.',
  deadline_expired:
    'La banque n’a pas pu étudier votre dossier dans le délai promis de 24 heures. Dans ce cas, sa règle est de refuser : ce refus ne dit rien de votre entreprise.',
  automatic_exclusion: 'La situation du dirigeant ne remplit pas les conditions que la banque applique à toutes les demandes.',
};

export async function renderDecisionLetter(input: DecisionLetterInput, options: RenderOptions): Promise<Uint8Array> {
  const now = instantOf(options.now);
  const { decision, dossier, bank } = input;
  if (decision.outcome === 'approved') {
    checkQuote(decision.quote, dossier);
    longDate(decision.offerExpiresOn); // refuses a date that does not exist
  }
  const approved = decision.outcome === 'approved';
  const open = await openDocument(
    {
      kind: 'decision-letter',
      title: `${approved ? 'Accord' : 'Refus'} de financement — dossier ${input.dossierId}`,
      subject: `Décision de ${bank.name} sur la demande de financement de ${dossier.company.legalName}`,
      author: bank.name,
      keywords: ['décision', approved ? 'accord' : 'refus', dossier.company.siren],
    },
    input,
    now,
  );
  const layout = new Layout(open, { size: SIZE });
  letterHead(layout, input, now);

  layout.paragraph(`Bonjour ${personName(dossier.dirigeant)},`);
  layout.space(SIZE / 2);
  if (decision.outcome === 'approved') approvalBody(layout, input, decision);
  else refusalBody(layout, input, decision);

  layout.space(SIZE);
  layout.paragraph(`Pour toute question, adressez-vous à votre revendeur, ${input.reseller.name}, ou à la banque en rappelant le numéro de dossier ${input.dossierId}.`);
  layout.space(SIZE);
  layout.paragraph(bank.signatory ?? 'Le service des financements', { bold: true });
  layout.paragraph(bank.name);
  layout.footers((page, pages) => `${bank.name} — décision sur le dossier ${input.dossierId} — page ${page} sur ${pages}`);
  return saveDocument(open);
}

function letterHead(layout: Layout, input: DecisionLetterInput, now: Date): void {
  const { bank, dossier } = input;
  const top = layout.y;
  layout.paragraph(bank.name, { size: SIZE + 5, bold: true, color: COLORS.accent });
  layout.paragraph(registrationText(bank), { color: COLORS.muted, width: 240 });
  const senderBottom = layout.y;
  layout.y = top - 4 * layout.lineHeight();
  const recipient = { indent: A4.width / 2 - MARGIN.left, width: A4.width / 2 - MARGIN.right };
  layout.paragraph(dossier.company.legalName, { ...recipient, bold: true });
  layout.paragraph(`SIREN ${sirenText(dossier.company.siren)}`, recipient);
  layout.paragraph(`À l’attention de ${personName(dossier.dirigeant)}`, recipient);
  layout.paragraph(`${dossier.company.postcode} ${dossier.company.city}`, recipient);
  layout.space(layout.lineHeight());
  layout.paragraph(`Le ${longDate(parisDateOf(now))}`, recipient);
  layout.y = Math.min(layout.y, senderBottom) - layout.lineHeight();
  layout.paragraph(`Objet : votre demande de financement — dossier n° ${input.dossierId}`, { bold: true });
  layout.space(SIZE);
}

function approvalBody(layout: Layout, input: DecisionLetterInput, decision: Approval): void {
  const { dossier, bank, reseller } = input;
  const q = decision.quote;
  layout.paragraph('Bonne nouvelle : votre financement est accordé.', { size: SIZE + 3, bold: true, color: COLORS.accent });
  layout.space(SIZE / 2);
  layout.paragraph(
    `${bank.name} accepte de financer l’équipement de ${dossier.company.legalName} proposé par ${reseller.name}, ` +
      `en ${PRODUCT_NAMES[q.product]}. ${howDecided(decision.decidedBy, 'approved', decision.decidedAt)}`,
  );

  const conditions = conditionLines(dossier, decision);
  if (conditions.length > 0) {
    layout.heading('Les conditions de la banque');
    layout.paragraph('La banque accepte votre demande avec ces changements :');
    layout.bullets(conditions);
  }

  layout.heading('Vos loyers');
  layout.keyValues([['Financement', financingText(q)], ...rentSummaryRows(q)], LABEL_WIDTH);
  layout.paragraph('Les montants sont hors taxes : la TVA s’y ajoute. Le contrat donne la date et le montant de chaque loyer.', { color: COLORS.muted });

  layout.heading('La garantie SOFARIS (Bpifrance)');
  layout.paragraph(guaranteeText(decision.guarantee, 'createur'));

  layout.heading('Et maintenant ?');
  const first = q.schedule[0]!;
  layout.bullets([
    `${reseller.name} vous envoie le contrat à signer, avec la liste de tous les loyers.`,
    'Vous signez le contrat électroniquement en premier, puis le revendeur, puis la banque.',
    `Cette offre est valable jusqu’au ${longDate(decision.offerExpiresOn)} inclus. Sans les trois signatures à cette date, elle tombe et il faudra refaire une demande.`,
    ...(decision.conditions?.depositCents ? [`Vous versez le dépôt de garantie de ${euros(decision.conditions.depositCents)} à la signature.`] : []),
    `Le premier loyer, ${euros(first.rentCents)} HT, est dû le ${shortDate(first.dueDate)}.`,
  ]);
}

function conditionLines(dossier: Dossier, decision: Approval): string[] {
  const c = decision.conditions;
  if (!c) return [];
  const requested = totalAmountCents(dossier);
  const lines: string[] = [];
  if (c.amountCents !== undefined && c.amountCents !== requested) {
    if (c.amountCents !== decision.quote.amountCents) throw invalidInput('Le montant accordé diffère de celui de l’échéancier.');
    lines.push(
      `Un montant financé plus bas : ${euros(c.amountCents)} HT au lieu de ${euros(requested)} HT. Le reste du prix, ` +
        `${euros(requested - c.amountCents)} HT, n’est pas financé : il se règle directement au revendeur.`,
    );
  }
  if (c.durationMonths !== undefined && c.durationMonths !== dossier.financing.durationMonths) {
    if (c.durationMonths !== decision.quote.durationMonths) throw invalidInput('La durée accordée diffère de celle de l’échéancier.');
    lines.push(`Une durée plus courte : ${c.durationMonths} mois au lieu de ${dossier.financing.durationMonths} mois, donc des loyers plus élevés.`);
  }
  if (c.depositCents) {
    lines.push(`Un dépôt de garantie de ${euros(c.depositCents)}, versé à la signature et rendu à la fin du contrat si tous les loyers ont été payés.`);
  }
  if (c.text) lines.push(`Précision de la banque : « ${c.text} »`);
  return lines;
}

function refusalBody(layout: Layout, input: DecisionLetterInput, decision: Refusal): void {
  const { dossier, bank, reseller } = input;
  const f = dossier.financing;
  layout.paragraph('Votre demande de financement n’est pas acceptée.', { size: SIZE + 3, bold: true, color: COLORS.accent });
  layout.space(SIZE / 2);
  layout.paragraph(
    `${bank.name} ne peut pas financer l’équipement proposé par ${reseller.name} à ${dossier.company.legalName} ` +
      `(${financingText({ product: f.product, amountCents: totalAmountCents(dossier), durationMonths: f.durationMonths })}). ` +
      howDecided(decision.decidedBy, 'declined', decision.decidedAt),
  );
  layout.heading('Pourquoi ?');
  layout.paragraph(DECLINE_REASONS[decision.reasonCode]);
  if (decision.text && decision.reasonCode !== 'deadline_expired') layout.paragraph(`Précision de la banque : « ${decision.text} »`);
  layout.heading('Et maintenant ?');
  layout.bullets([
    `Vous pouvez demander à la banque de vous expliquer sa décision : écrivez-lui en rappelant le numéro de dossier ${input.dossierId}.`,
    `${reseller.name} peut vous aider à préparer une nouvelle demande : un autre montant, une autre durée ou un autre équipement, auprès de cette banque ou d’une autre.`,
    'Ce refus ne change rien à votre Passeport pour l’Économie Numérique.',
  ]);
}

function howDecided(by: DecidedBy, outcome: 'approved' | 'declined', decidedAt: string): string {
  const when = parisDateTime(decidedAt);
  switch (by) {
    case 'rule':
      return outcome === 'approved'
        ? `Votre dossier remplissait toutes les conditions : l’accord a été donné tout de suite, le ${when}.`
        : `Cette décision a été prise le ${when}, selon les règles de la banque.`;
    case 'analyst':
      return `Un analyste de la banque a étudié votre dossier et a pris cette décision le ${when}.`;
    case 'deadline':
      return outcome === 'approved'
        ? `Votre dossier n’a pas pu être étudié dans les 24 heures ; dans ce cas, la règle de la banque est l’accord, donné le ${when}.`
        : `Décision du ${when}.`;
    case 'policy':
      return `Cette décision a été prise le ${when}, selon les règles que la banque applique à toutes les demandes.`;
  }
}
