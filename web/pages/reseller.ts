/**
 * The reseller's pages: its dossiers with the time left on the 24-hour clock,
 * the one-page form (sent through POST /v1/dossiers, with an idempotency key
 * so a double click or a resent form makes one dossier), and each dossier.
 */
import crypto from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { listDossiersForReseller, type DossierRecord } from '../../db/repositories/dossiers.ts';
import { listActiveBanksOfReseller } from '../../db/repositories/protocols.ts';
import { organisationNames } from '../../db/repositories/accounts.ts';
import type { DossierView } from '../../domain/outcomes.ts';
import { MAX_EQUIPMENT_LINES } from '../../domain/dossier.ts';
import { dateFr, euros } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { formValue, type FieldErrors, type FormBody } from '../forms.ts';
import { callApi, notFoundPage, problemDetail, problemErrors, sendPage, sessionOfPage, type WebContext } from '../context.ts';
import { contractSection, declineStep, SIGNING_SCRIPTS, stepNotice, type SigningFormState } from './contract-signing.ts';
import { IDEMPOTENCY_FIELD, LINES_FIELD, formPath, readDossierForm, renderDossierForm } from './dossier-form.ts';
import { clockCell, companyName, dossierFacts, guaranteeSection, statusBadge, statusSection, visibleDossier } from './dossier-view.ts';
import { quotePreview, type QuoteAnswer } from './quote-preview.ts';

const page = { page: ['reseller'] as const };

export const resellerPages: FastifyPluginAsync<WebContext> = async (app, ctx) => {
  app.get('/revendeur', { config: page }, async (request, reply) => {
    const { account } = sessionOfPage(request);
    const dossiers = await listDossiersForReseller(ctx.sql, account.organisationId, { limit: 200 });
    const banks = await organisationNames(
      ctx.sql,
      dossiers.map((d) => d.bankId),
    );
    const now = ctx.now();
    return sendPage(ctx, request, reply, {
      title: 'Mes dossiers',
      body: html`<h1>Mes dossiers</h1>
<p class="lead">Chaque dossier reçoit une réponse dans les 24 heures : le plus souvent tout de suite, sinon après l’étude de la banque.</p>
<p><a class="button primary" href="/revendeur/nouveau">Nouveau dossier</a></p>
${
  dossiers.length === 0
    ? html`<p>Vous n’avez encore envoyé aucun dossier.</p>`
    : html`<div class="table-wrap" role="region" aria-label="Mes dossiers" tabindex="0"><table>
<caption>${dossiers.length} dossier${dossiers.length > 1 ? 's' : ''}, les plus récents d’abord</caption>
<thead><tr><th scope="col">Entreprise</th><th scope="col">Banque</th><th scope="col" class="num">Montant HT</th><th scope="col">Envoyé le</th><th scope="col">Statut</th><th scope="col">Délai ou réponse</th></tr></thead>
<tbody>${dossiers.map(
        (d) => html`<tr>
<td><a href="/revendeur/dossiers/${d.id}">${companyName(d)}</a></td>
<td>${banks.get(d.bankId) ?? d.bankId}</td>
<td class="num">${euros(d.totalAmountCents)}</td>
<td>${dateFr(d.createdAt)}</td>
<td>${statusBadge(d)}</td>
<td>${clockCell(d, now)}</td>
</tr>`,
      )}</tbody></table></div>`
}`,
    });
  });

  const showForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: { values: FormBody; lines: number; errors?: FieldErrors; general?: string[]; preview?: SafeHtml; status?: number },
  ) => {
    const session = sessionOfPage(request);
    const banks = await listActiveBanksOfReseller(ctx.sql, session.account.organisationId);
    return sendPage(ctx, request, reply, {
      status: form.status,
      title: 'Nouveau dossier',
      scripts: ['dossier-form.js'],
      body: html`<h1>Nouveau dossier</h1>
<p class="lead">Une page suffit. Les champs sont vérifiés pendant la saisie ; rien de ce que vous tapez n’est perdu si un point est à corriger.</p>
${renderDossierForm({
  values: form.values,
  lines: form.lines,
  errors: form.errors ?? new Map(),
  general: form.general ?? [],
  banks,
  csrfToken: session.csrfToken,
  preview: form.preview,
})}`,
    });
  };

  app.get('/revendeur/nouveau', { config: page }, async (request, reply) => {
    return showForm(request, reply, { values: { [IDEMPOTENCY_FIELD]: crypto.randomUUID() }, lines: 1 });
  });

  app.post<{ Body: FormBody }>('/revendeur/dossiers', { config: page }, async (request, reply) => {
    const { account } = sessionOfPage(request);
    const form = readDossierForm(request.body, account.organisationId);
    if (!/^[\x21-\x7e]{8,200}$/.test(form.values[IDEMPOTENCY_FIELD] ?? '')) form.values[IDEMPOTENCY_FIELD] = crypto.randomUUID();
    const action = formValue(request.body, '_action');
    if (action === 'ajouter-ligne') {
      const shown = Number(formValue(request.body, LINES_FIELD)) || form.lines;
      return showForm(request, reply, { values: form.values, lines: Math.min(MAX_EQUIPMENT_LINES, Math.max(shown, form.lines) + 1) });
    }
    if (action === 'apercu') {
      const answer = await callApi<QuoteAnswer['body']>(ctx, request, { method: 'POST', url: '/v1/quotes', body: quoteRequestOf(form.dossier) });
      return showForm(request, reply, { values: form.values, lines: form.lines, preview: quotePreview(answer) });
    }
    const answer = await callApi<DossierView>(ctx, request, {
      method: 'POST',
      url: '/v1/dossiers',
      body: form.dossier,
      headers: { 'idempotency-key': form.values[IDEMPOTENCY_FIELD]! },
    });
    if (answer.status === 200 || answer.status === 201) {
      return reply.redirect(`/revendeur/dossiers/${answer.body.dossierId}?envoi=${answer.status === 201 ? 'nouveau' : 'deja'}`, 303);
    }
    const errors: FieldErrors = new Map();
    for (const [path, message] of problemErrors(answer.body)) errors.set(formPath(path), message);
    // What was refused here (an amount that is not one) is what the reseller must read, not the API's echo of it.
    for (const [path, message] of form.errors) errors.set(path, message);
    const general = errors.size === 0 || answer.status !== 422 ? [problemDetail(answer.body)] : [];
    const reused = (answer.body as { type?: string }).type?.endsWith('/idempotency-key-reused');
    if (reused) {
      // The form was already sent once (then changed): a new key makes this one a new dossier if the reseller sends it again.
      form.values[IDEMPOTENCY_FIELD] = crypto.randomUUID();
      general.splice(
        0,
        general.length,
        'Ce formulaire a déjà servi à envoyer un dossier, puis a été modifié. Vérifiez vos dossiers : si celui-ci est bien un nouveau dossier, envoyez-le à nouveau.',
      );
    }
    return showForm(request, reply, { values: form.values, lines: form.lines, errors, general, status: answer.status === 422 ? 422 : answer.status });
  });

  const showDossier = async (request: FastifyRequest, reply: FastifyReply, d: DossierRecord, options: { notice?: string; signing?: SigningFormState; status?: number } = {}) => {
    const signing = await contractSection(ctx, request, d, 'revendeur', options.signing);
    return sendPage(ctx, request, reply, {
      status: options.status,
      title: companyName(d),
      scripts: d.status === 'approved' ? SIGNING_SCRIPTS : [],
      body: html`<p><a href="/revendeur">← Mes dossiers</a></p>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ''}
<h1>${companyName(d)} ${statusBadge(d)}</h1>
<section aria-labelledby="etat"><h2 id="etat">Où en est le dossier</h2>${statusSection(d, ctx.now(), 'reseller')}</section>
${signing ?? ''}
${d.guarantee ? guaranteeSection(d) : ''}
${dossierFacts(d)}`,
    });
  };

  app.get<{ Params: { id: string }; Querystring: { envoi?: string; signature?: string } }>('/revendeur/dossiers/:id', { config: page }, async (request, reply) => {
    const d = await visibleDossier(ctx.sql, sessionOfPage(request).account, request.params.id);
    if (!d) return notFoundPage(ctx, request, reply);
    const { envoi, signature } = request.query;
    const notice = envoi === 'nouveau' ? 'Dossier envoyé.' : envoi === 'deja' ? 'Ce dossier avait déjà été envoyé : le voici.' : stepNotice(signature);
    return showDossier(request, reply, d, { notice });
  });

  app.post<{ Params: { id: string }; Body: FormBody }>('/revendeur/dossiers/:id/refus', { config: page }, async (request, reply) => {
    const d = await visibleDossier(ctx.sql, sessionOfPage(request).account, request.params.id);
    if (!d) return notFoundPage(ctx, request, reply);
    const outcome = await declineStep(ctx, request, d, 'revendeur', request.body);
    if (outcome.done) return reply.redirect(`/revendeur/dossiers/${d.id}?signature=refus#signature-contrat`, 303);
    return showDossier(request, reply, d, { signing: outcome.state, status: outcome.status });
  });
};

/** The quote request of a dossier form: the amount of its lines and its terms. */
export function quoteRequestOf(dossier: Record<string, unknown>): Record<string, unknown> {
  const lines = (dossier.equipment as { quantity?: unknown; unitPriceCents?: unknown }[]) ?? [];
  const amountCents = lines.reduce((sum, l) => sum + (typeof l.quantity === 'number' && typeof l.unitPriceCents === 'number' ? l.quantity * l.unitPriceCents : 0), 0);
  return { bankId: dossier.bankId, amountCents, ...(dossier.financing as object) };
}
