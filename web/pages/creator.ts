/**
 * The créateur's pages, for people far from digital tools: what is financed,
 * what it costs each month and in total, what signing means and what happens
 * next — in plain words, with « vous »; then reading and signing the contract
 * in the browser, or declining (web/pages/contract-signing.ts).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { listDossiersForCompany, type DossierRecord } from '../../db/repositories/dossiers.ts';
import { getProtocol } from '../../db/repositories/protocols.ts';
import type { Sql } from '../../db/connect.ts';
import { parisDateOf } from '../../domain/dates.ts';
import { quote, QuoteRefused, type Quote } from '../../domain/rents.ts';
import { TariffGridSchema } from '../../domain/tariffs.ts';
import type { DurationMonths } from '../../domain/financing.ts';
import { dateFr, dateTimeFr, euros } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { CATEGORY_LABEL, DECLINE_LABEL, PERIODICITY_LABEL } from '../labels.ts';
import { notFoundPage, sendPage, sessionOfPage, type WebContext } from '../context.ts';
import type { FormBody } from '../forms.ts';
import { contractSection, declineStep, SIGNING_SCRIPTS, stepNotice, type SigningFormState } from './contract-signing.ts';
import { dossierBody, statusBadge, visibleDossier } from './dossier-view.ts';
import { rentSentence } from './quote-preview.ts';

const page = { page: ['creator'] as const };

export const creatorPages: FastifyPluginAsync<WebContext> = async (app, ctx) => {
  app.get('/createur', { config: page }, async (request, reply) => {
    const { account } = sessionOfPage(request);
    const dossiers = await listDossiersForCompany(ctx.sql, account.organisationId);
    return sendPage(ctx, request, reply, {
      title: 'Mes financements',
      body: html`<h1>Bonjour ${account.displayName}</h1>
<p class="lead">Voici les demandes de financement que votre revendeur a faites pour ${account.organisationName}.</p>
${
  dossiers.length === 0
    ? html`<p>Aucune demande pour le moment. Votre revendeur remplit la demande avec vous ; elle apparaîtra ici.</p>`
    : html`<ul class="cards">${dossiers.map(
        (d) => html`<li class="card">
<h2><a href="/createur/dossiers/${d.id}">${financedSummary(d)}</a></h2>
<p>${statusBadge(d)} · demande du ${dateFr(d.createdAt)} · ${euros(d.totalAmountCents)} hors taxes</p>
</li>`,
      )}</ul>`
}`,
    });
  });

  const show = async (request: FastifyRequest, reply: FastifyReply, d: DossierRecord, options: { notice?: string; state?: SigningFormState; status?: number } = {}) => {
    const costs = await creatorQuote(ctx.sql, d, parisDateOf(ctx.now()));
    const signing = await contractSection(ctx, request, d, 'createur', options.state);
    return sendPage(ctx, request, reply, {
      status: options.status,
      title: 'Mon financement',
      scripts: d.status === 'approved' ? SIGNING_SCRIPTS : [],
      body: html`<p><a href="/createur">← Mes financements</a></p>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ''}
<h1>Votre financement ${statusBadge(d)}</h1>
<section aria-labelledby="ou"><h2 id="ou">Où en est votre demande</h2>${whereItStands(d)}</section>
<section aria-labelledby="quoi"><h2 id="quoi">Ce qui est financé</h2>${whatIsFinanced(d)}</section>
<section aria-labelledby="cout"><h2 id="cout">Ce que cela vous coûte</h2>${whatItCosts(d, costs)}</section>
<section aria-labelledby="signer"><h2 id="signer">Ce que signer veut dire</h2>${whatSigningMeans()}</section>
${
  signing ??
  html`<section aria-labelledby="ensuite" id="signature"><h2 id="ensuite">Et ensuite</h2>
${whatHappensNext(d)}
</section>`
}`,
    });
  };

  app.get<{ Params: { id: string }; Querystring: { signature?: string } }>('/createur/dossiers/:id', { config: page }, async (request, reply) => {
    const d = await visibleDossier(ctx.sql, sessionOfPage(request).account, request.params.id);
    if (!d) return notFoundPage(ctx, request, reply);
    return show(request, reply, d, { notice: stepNotice(request.query.signature) });
  });

  app.post<{ Params: { id: string }; Body: FormBody }>('/createur/dossiers/:id/refus', { config: page }, async (request, reply) => {
    const d = await visibleDossier(ctx.sql, sessionOfPage(request).account, request.params.id);
    if (!d) return notFoundPage(ctx, request, reply);
    const outcome = await declineStep(ctx, request, d, 'createur', request.body);
    if (outcome.done) return reply.redirect(`/createur/dossiers/${d.id}?signature=refus#signature-contrat`, 303);
    return show(request, reply, d, { state: outcome.state, status: outcome.status });
  });
};

function financedSummary(d: DossierRecord): string {
  const lines = dossierBody(d).equipment;
  const first = lines[0]?.description ?? 'Équipement';
  return lines.length > 1 ? `${first} et ${lines.length - 1} autre${lines.length > 2 ? 's' : ''} élément${lines.length > 2 ? 's' : ''}` : first;
}

function whereItStands(d: DossierRecord): SafeHtml {
  switch (d.status) {
    case 'received':
      return html`<p>Votre demande vient d’arriver : elle est en cours de vérification. La réponse arrive en général en quelques secondes.</p>`;
    case 'ineligible':
      return html`<p>Votre demande ne peut pas être acceptée telle quelle :</p><ul class="reasons">${d.ineligibility.map((r) => html`<li>${r.detail}</li>`)}</ul>
<p>Votre revendeur peut vous aider à la corriger et à la refaire.</p>`;
    case 'awaiting_analyst':
      return html`<p>La banque étudie votre demande elle-même. ${d.decisionDeadline ? html`Vous aurez sa réponse <strong>au plus tard le ${dateTimeFr(d.decisionDeadline)}</strong>.` : 'Vous aurez sa réponse dans les 24 heures.'}</p>
<p>Vous n’avez rien à faire en attendant.</p>`;
    case 'approved': {
      const c = d.decision?.conditions;
      return html`<p class="verdict ok">Bonne nouvelle : la banque finance votre équipement.</p>
${c?.amountCents !== undefined ? html`<p>La banque finance ${euros(c.amountCents)} hors taxes, moins que la somme demandée : votre revendeur vous explique comment régler le reste.</p>` : ''}
${c?.durationMonths !== undefined ? html`<p>Le financement dure ${c.durationMonths} mois.</p>` : ''}
${c?.depositCents !== undefined ? html`<p>La banque demande un dépôt de garantie de ${euros(c.depositCents)}, qui vous est rendu à la fin du contrat.</p>` : ''}
${c?.text ? html`<p>Condition de la banque : ${c.text}</p>` : ''}`;
    }
    case 'declined':
      return html`<p class="verdict ko">La banque ne finance pas cette demande.</p>
${d.decision?.reasonCode ? html`<p>Motif : ${DECLINE_LABEL[d.decision.reasonCode]}${d.decision.text ? html` — ${d.decision.text}` : ''}.</p>` : ''}
<p>Vous recevez une lettre qui l’explique. Parlez-en avec votre revendeur : une autre demande reste possible.</p>`;
  }
}

function whatIsFinanced(d: DossierRecord): SafeHtml {
  const b = dossierBody(d);
  return html`<ul>${b.equipment.map((l) => html`<li>${l.quantity} × ${l.description} <span class="hint">(${CATEGORY_LABEL[l.category]})</span> : ${euros(l.quantity * l.unitPriceCents)} hors taxes</li>`)}</ul>
<p>En tout : <strong>${euros(d.totalAmountCents)} hors taxes</strong>, pour ${b.company.legalName}.</p>`;
}

/** The rents on the bank's grid, with the accord's lowered amount or duration when it set one; null when the grid has no price for them. */
export async function creatorQuote(sql: Sql, d: DossierRecord, today: string): Promise<Quote | null> {
  const protocol = await getProtocol(sql, d.resellerId, d.bankId);
  if (!protocol) return null;
  const f = dossierBody(d).financing;
  const c = d.decision?.outcome === 'approved' ? d.decision.conditions : undefined;
  try {
    return quote({
      amountCents: c?.amountCents ?? d.totalAmountCents,
      product: f.product,
      durationMonths: (c?.durationMonths ?? f.durationMonths) as DurationMonths,
      periodicity: f.periodicity,
      tariff: TariffGridSchema.parse(protocol.policy.tariff),
      firstRentIncreasePercent: f.firstRentIncreasePercent,
      residualValuePercent: f.residualValuePercent,
      startDate: today,
    });
  } catch (error) {
    if (error instanceof QuoteRefused) return null;
    throw error;
  }
}

function whatItCosts(d: DossierRecord, q: Quote | null): SafeHtml {
  if (!q) return html`<p>Le montant exact de vos loyers vous sera donné avec le contrat.</p>`;
  const period = PERIODICITY_LABEL[q.periodicity];
  return html`<p class="big">${rentSentence(q)}</p>
<p>Les loyers sont payés ${q.timing === 'advance' ? 'au début' : 'à la fin'} de chaque ${period.noun}, pendant ${q.durationMonths} mois. Ajoutez la TVA si votre entreprise ne la récupère pas.</p>
<ul>
<li>Total des loyers : <strong>${euros(q.totalCents)} hors taxes</strong>.</li>
${
  q.product === 'credit_bail'
    ? html`<li>À la fin, vous pouvez devenir propriétaire de l’équipement en payant ${euros(q.residualValueCents)} hors taxes.</li>`
    : html`<li>À la fin, l’équipement est rendu : vous n’en devenez pas propriétaire.</li>`
}
<li>Le financement vous coûte ${euros(q.costCents)} de plus que le prix de l’équipement.</li>
</ul>
${
  d.guarantee?.status === 'granted'
    ? html`<p>Bpifrance (garantie SOFARIS) garantit ${d.guarantee.quotityPercent} % du financement à la banque : cela permet à la banque de vous financer, mais vous devez quand même payer tous vos loyers.</p>`
    : ''
}
<details><summary>Voir toutes les échéances</summary>
<div class="table-wrap" role="region" aria-label="Échéancier" tabindex="0"><table>
<caption>Échéancier indicatif, si le contrat commence aujourd’hui</caption>
<thead><tr><th scope="col">N°</th><th scope="col">Date</th><th scope="col" class="num">Loyer hors taxes</th></tr></thead>
<tbody>${q.schedule.map((l) => html`<tr><td>${l.index}</td><td>${dateFr(l.dueDate)}</td><td class="num">${euros(l.rentCents)}</td></tr>`)}</tbody>
</table></div>
</details>`;
}

function whatSigningMeans(): SafeHtml {
  return html`<p>Signer le contrat, c’est vous engager à payer tous les loyers jusqu’à la fin, même si vous n’utilisez plus l’équipement.</p>
<p>Vous signez en ligne. Cette signature électronique a la même valeur qu’une signature à la main. Vous utilisez votre certificat : soit un fichier protégé par un mot de passe, qui reste sur votre ordinateur et n’est jamais envoyé, soit une clé USB.</p>
<p>Avant de signer, lisez le contrat en entier. Si quelque chose n’est pas clair, demandez à votre revendeur : il vous doit une explication.</p>`;
}

function whatHappensNext(d: DossierRecord): SafeHtml {
  switch (d.status) {
    case 'approved':
      return html`<p>Le contrat est en préparation. Vous le lirez et le signerez sur cette page : vous signez en premier, puis votre revendeur, puis la banque.</p>
<p>Une fois le contrat signé par tous, il est conservé dans un coffre-fort électronique et vous pouvez le télécharger ici.</p>`;
    case 'awaiting_analyst':
    case 'received':
      return html`<p>Dès que la banque a répondu, la réponse s’affiche sur cette page.</p>`;
    default:
      return html`<p>Cette demande est terminée. Votre revendeur peut en faire une nouvelle avec vous.</p>`;
  }
}
