/**
 * A dossier as the reseller and the bank read it: where it stands, why, what
 * was decided, what is financed. Who may see which dossier is decided here for
 * every page, with the API's own rule for resellers and banks.
 */
import type { Sql } from '../../db/connect.ts';
import { getDossier, type DossierRecord } from '../../db/repositories/dossiers.ts';
import type { SessionAccount } from '../../db/repositories/sessions.ts';
import { canRead } from '../../api/routes/dossiers.ts';
import { lineTotalCents, type Dossier } from '../../domain/dossier.ts';
import type { FinalDecision, GuaranteeResult } from '../../domain/outcomes.ts';
import { dateFr, dateTimeFr, euros, timeLeft } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { CATEGORY_LABEL, DECIDED_BY_LABEL, DECLINE_LABEL, HARD_CASE_LABEL, PERIODICITY_LABEL, PRODUCT_LABEL, STATUS_LABEL, STATUS_TONE } from '../labels.ts';

/** A reseller its own dossiers, a bank those addressed to it, a créateur its company's (the organisation is its SIREN). */
export function maySee(account: SessionAccount, d: DossierRecord): boolean {
  if (account.role === 'creator') return d.siren === account.organisationId;
  if (account.role === 'reseller' || account.role === 'bank') {
    return canRead({ organisationId: account.organisationId, role: account.role, keyId: '' }, d);
  }
  return false;
}

/** The dossier if this person may see it; null for another organisation's, an unknown or a malformed ID alike (the page answers 404). */
export async function visibleDossier(sql: Sql, account: SessionAccount, id: string): Promise<DossierRecord | null> {
  const d = await getDossier(sql, id);
  return d && maySee(account, d) ? d : null;
}

export function dossierBody(d: DossierRecord): Dossier {
  return d.body as Dossier;
}

export function companyName(d: DossierRecord): string {
  return dossierBody(d).company?.legalName ?? `SIREN ${d.siren}`;
}

export function statusBadge(d: Pick<DossierRecord, 'status'>): SafeHtml {
  return html`<span class="badge ${STATUS_TONE[d.status]}">${STATUS_LABEL[d.status]}</span>`;
}

/** « 3 h 20 restantes » that page.js keeps current, or the decision's date. */
export function clockCell(d: DossierRecord, now: Date): SafeHtml {
  if (d.status === 'awaiting_analyst' && d.decisionDeadline) {
    const left = timeLeft(d.decisionDeadline, now);
    return html`<span class="clock${left.overdue ? ' late' : left.minutes < 120 ? ' soon' : ''}" data-deadline="${d.decisionDeadline}">${left.text}</span>`;
  }
  if (d.decidedAt) return html`${d.status === 'approved' ? 'accordé' : d.status === 'declined' ? 'refusé' : 'décidé'} le ${dateFr(d.decidedAt)}`;
  return html`—`;
}

export function sirenText(siren: string): string {
  return siren.replace(/^(\d{3})(\d{3})(\d{3})$/, '$1 $2 $3');
}

function guaranteeText(g: GuaranteeResult | null): SafeHtml {
  if (!g) return html`<p>La garantie SOFARIS n’a pas encore été demandée.</p>`;
  if (g.status === 'refused') return html`<p>La garantie SOFARIS a été refusée : ${g.reason}</p>`;
  return html`<p>Garantie SOFARIS accordée (référence <strong>${g.reference}</strong>) : elle couvre ${g.quotityPercent} % du financement, soit ${euros(g.guaranteedAmountCents)}.</p>`;
}

export function decisionText(decision: FinalDecision): SafeHtml {
  const c = decision.conditions;
  const conditions =
    c && (c.amountCents !== undefined || c.durationMonths !== undefined || c.depositCents !== undefined || c.text)
      ? html`<h3>Conditions de l’accord</h3><ul>
${c.amountCents !== undefined ? html`<li>Montant financé ramené à ${euros(c.amountCents)} HT</li>` : ''}
${c.durationMonths !== undefined ? html`<li>Durée ramenée à ${c.durationMonths} mois</li>` : ''}
${c.depositCents !== undefined ? html`<li>Dépôt de garantie de ${euros(c.depositCents)}</li>` : ''}
${c.text ? html`<li>${c.text}</li>` : ''}
</ul>`
      : '';
  return html`<p class="verdict ${decision.outcome === 'approved' ? 'ok' : 'ko'}">${decision.outcome === 'approved' ? 'Financement accordé' : 'Financement refusé'}</p>
<p>Le ${dateTimeFr(decision.decidedAt)} — ${DECIDED_BY_LABEL[decision.decidedBy]}${decision.analyst ? html` (${decision.analyst})` : ''}.</p>
${decision.reasonCode ? html`<p>Motif : <strong>${DECLINE_LABEL[decision.reasonCode]}</strong>${decision.text ? html` — ${decision.text}` : ''}</p>` : decision.text ? html`<p>${decision.text}</p>` : ''}
${conditions}`;
}

/** Where the dossier stands and what happens next, in plain words. */
export function statusSection(d: DossierRecord, now: Date, audience: 'reseller' | 'bank'): SafeHtml {
  switch (d.status) {
    case 'received':
      return html`<p>Les contrôles automatiques sont en cours : la réponse arrive en général en quelques secondes. Rechargez la page dans un instant.</p>`;
    case 'ineligible':
      return html`<p>Le dossier est <strong>irrecevable</strong> : il ne remplit pas les conditions du programme. Il n’a pas été transmis à la banque.</p>
<ul class="reasons">${d.ineligibility.map((r) => html`<li>${r.detail}</li>`)}</ul>
${audience === 'reseller' ? html`<p>Corrigez ce qui peut l’être et envoyez un nouveau dossier.</p>` : ''}`;
    case 'awaiting_analyst': {
      const left = d.decisionDeadline ? timeLeft(d.decisionDeadline, now) : null;
      return html`<p>${audience === 'bank' ? 'Ce dossier attend votre décision' : 'La banque étudie ce dossier'}${
        d.decisionDeadline
          ? html` : réponse attendue avant le <strong>${dateTimeFr(d.decisionDeadline)}</strong> (<span class="clock${left?.overdue ? ' late' : ''}" data-deadline="${d.decisionDeadline}">${left?.text}</span>).`
          : '.'
      }</p>
<p>Pourquoi la banque l’étudie elle-même :</p>
${hardCaseList(d)}
${audience === 'reseller' ? html`<p>Sans réponse de la banque à l’échéance, la règle prévue par le protocole s’applique : le créateur a toujours une réponse dans les 24 heures.</p>` : ''}`;
    }
    default:
      return html`${d.decision ? decisionText(d.decision) : ''}${d.hardCases.length > 0 ? html`<p>Points examinés :</p>${hardCaseList(d)}` : ''}`;
  }
}

export function hardCaseList(d: DossierRecord): SafeHtml {
  return html`<ul class="reasons">${d.hardCases.map((r) => html`<li><strong>${HARD_CASE_LABEL[r.code] ?? r.code}</strong> : ${r.detail}</li>`)}</ul>`;
}

/** The company, the dirigeant, the equipment and the terms asked for. */
export function dossierFacts(d: DossierRecord): SafeHtml {
  const b = dossierBody(d);
  const f = b.financing;
  return html`<section aria-labelledby="faits"><h2 id="faits">Le dossier</h2>
<dl class="facts">
<dt>Entreprise</dt><dd>${b.company.legalName} (${b.company.legalForm}), SIREN ${sirenText(b.company.siren)}, code NAF ${b.company.naf}</dd>
<dt>Créée le</dt><dd>${dateFr(b.company.creationDate)}</dd>
<dt>Adresse</dt><dd>${b.company.postcode} ${b.company.city}</dd>
<dt>Dirigeant</dt><dd>${b.dirigeant.firstName} ${b.dirigeant.lastName}</dd>
<dt>Passeport</dt><dd>${b.passportNumber}</dd>
<dt>Financement demandé</dt><dd>${PRODUCT_LABEL[f.product]}, ${f.durationMonths} mois, ${PERIODICITY_LABEL[f.periodicity].plural}</dd>
<dt>Envoyé le</dt><dd>${dateTimeFr(d.createdAt)}</dd>
</dl>
${equipmentTable(b, d.totalAmountCents)}
</section>`;
}

export function equipmentTable(b: Dossier, totalCents: number): SafeHtml {
  return html`<div class="table-wrap" role="region" aria-label="Équipements et services" tabindex="0"><table>
<caption>Équipements et services financés</caption>
<thead><tr><th scope="col">Description</th><th scope="col">Catégorie</th><th scope="col" class="num">Quantité</th><th scope="col" class="num">Prix unitaire HT</th><th scope="col" class="num">Total HT</th></tr></thead>
<tbody>${b.equipment.map((l) => html`<tr><td>${l.description}</td><td>${CATEGORY_LABEL[l.category]}</td><td class="num">${l.quantity}</td><td class="num">${euros(l.unitPriceCents)}</td><td class="num">${euros(lineTotalCents(l))}</td></tr>`)}</tbody>
<tfoot><tr><th scope="row" colspan="4">Montant à financer</th><td class="num"><strong>${euros(totalCents)}</strong></td></tr></tfoot>
</table></div>`;
}

export function guaranteeSection(d: DossierRecord): SafeHtml {
  return html`<section aria-labelledby="garantie"><h2 id="garantie">La garantie</h2>${guaranteeText(d.guarantee)}</section>`;
}
