/**
 * The bank's analysts: the hard cases sorted by the time left on their 24-hour
 * clock, each with its reasons and the decision (an accord, possibly with
 * conditions, or a motivated refusal) sent through the API's decision route;
 * every dossier addressed to the bank, and those its silence decided.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { getDossier, listDecidedByDeadline, listDossiersForBank, listPendingForBank, type DossierRecord } from '../../db/repositories/dossiers.ts';
import { organisationNames } from '../../db/repositories/accounts.ts';
import { DOSSIER_STATUSES, type DossierStatus } from '../../domain/codes.ts';
import type { Session } from '../../db/repositories/sessions.ts';
import { ANALYST_DECLINE_CODES } from '../../api/routes/bank.ts';
import { dateFr, dateTimeFr, euros, parseEuros } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { DECLINE_LABEL, HARD_CASE_LABEL, STATUS_LABEL } from '../labels.ts';
import { contractSection, countersignStep, declineStep, stepNotice, type SigningFormState } from './contract-signing.ts';
import { errorSummary, formValue, inputField, selectField, textareaField, type FieldErrors, type FormBody } from '../forms.ts';
import { callApi, notFoundPage, problemDetail, problemErrors, sendPage, sessionOfPage, type WebContext } from '../context.ts';
import { CSRF_FIELD } from '../session.ts';
import { clockCell, companyName, dossierBody, dossierFacts, guaranteeSection, maySee, statusBadge, statusSection, visibleDossier } from './dossier-view.ts';

const page = { page: ['bank'] as const };

export const bankPages: FastifyPluginAsync<WebContext> = async (app, ctx) => {
  app.get('/banque', { config: page }, async (request, reply) => {
    const { account } = sessionOfPage(request);
    const queue = await listPendingForBank(ctx.sql, account.organisationId, 500);
    const resellers = await organisationNames(
      ctx.sql,
      queue.map((d) => d.resellerId),
    );
    const now = ctx.now();
    return sendPage(ctx, request, reply, {
      title: 'Dossiers à décider',
      body: html`<h1>Dossiers à décider</h1>
<p class="lead">Les dossiers que la banque étudie elle-même, les plus urgents d’abord. Sans décision à l’échéance, la règle du protocole s’applique.</p>
${
  queue.length === 0
    ? html`<p class="notice">Aucun dossier n’attend de décision.</p>`
    : html`<div class="table-wrap" role="region" aria-label="Dossiers à décider" tabindex="0"><table>
<caption>${queue.length} dossier${queue.length > 1 ? 's' : ''} à décider</caption>
<thead><tr><th scope="col">Temps restant</th><th scope="col">Entreprise</th><th scope="col">Revendeur</th><th scope="col" class="num">Montant HT</th><th scope="col">Points à examiner</th></tr></thead>
<tbody>${queue.map(
        (d) => html`<tr>
<td>${clockCell(d, now)}</td>
<td><a href="/banque/dossiers/${d.id}">${companyName(d)}</a></td>
<td>${resellers.get(d.resellerId) ?? d.resellerId}</td>
<td class="num">${euros(d.totalAmountCents)}</td>
<td>${d.hardCases.map((r) => HARD_CASE_LABEL[r.code] ?? r.code).join(' ; ')}</td>
</tr>`,
      )}</tbody></table></div>`
}`,
    });
  });

  app.get<{ Querystring: { statut?: string } }>('/banque/dossiers', { config: page }, async (request, reply) => {
    const { account } = sessionOfPage(request);
    const status = (DOSSIER_STATUSES as readonly string[]).includes(request.query.statut ?? '') ? (request.query.statut as DossierStatus) : undefined;
    const dossiers = await listDossiersForBank(ctx.sql, account.organisationId, { status, limit: 500 });
    return sendPage(ctx, request, reply, {
      title: 'Tous les dossiers',
      body: html`<h1>Tous les dossiers</h1>
<form method="get" action="/banque/dossiers" class="inline">
${selectField({ name: 'statut', label: 'Statut', value: status ?? '', placeholder: 'Tous', options: DOSSIER_STATUSES.map((s) => ({ value: s, label: STATUS_LABEL[s] })) })}
<button type="submit" class="secondary">Filtrer</button>
</form>
${dossierTable(
  dossiers,
  await organisationNames(
    ctx.sql,
    dossiers.map((d) => d.resellerId),
  ),
  ctx.now(),
  'Dossiers adressés à la banque',
)}`,
    });
  });

  app.get('/banque/defaut', { config: page }, async (request, reply) => {
    const { account } = sessionOfPage(request);
    const dossiers = await listDecidedByDeadline(ctx.sql, account.organisationId);
    return sendPage(ctx, request, reply, {
      title: 'Décidés par défaut',
      body: html`<h1>Dossiers décidés par défaut</h1>
<p class="lead">Ces dossiers n’ont pas reçu de décision d’un analyste dans le délai : la règle du protocole a décidé à la place de la banque.</p>
${dossierTable(
  dossiers,
  await organisationNames(
    ctx.sql,
    dossiers.map((d) => d.resellerId),
  ),
  ctx.now(),
  'Dossiers décidés par défaut',
)}`,
    });
  });

  const showDossier = async (
    request: FastifyRequest,
    reply: FastifyReply,
    d: DossierRecord,
    form: { values?: FormBody; errors?: FieldErrors; general?: string[]; which?: 'approve' | 'decline'; status?: number; notice?: string; signing?: SigningFormState } = {},
  ) => {
    const session = sessionOfPage(request);
    const countersigning = await contractSection(ctx, request, d, 'banque', form.signing);
    return sendPage(ctx, request, reply, {
      status: form.status,
      title: companyName(d),
      body: html`<p><a href="/banque">← Dossiers à décider</a></p>
${form.notice ? html`<p class="notice" role="status">${form.notice}</p>` : ''}
<h1>${companyName(d)} ${statusBadge(d)}</h1>
<section aria-labelledby="etat"><h2 id="etat">Où en est le dossier</h2>${statusSection(d, ctx.now(), 'bank')}</section>
${d.status === 'awaiting_analyst' ? decisionForms(d, session, form) : ''}
${countersigning ?? ''}
${guaranteeSection(d)}
${dossierFacts(d)}`,
    });
  };

  app.get<{ Params: { id: string }; Querystring: { decision?: string; signature?: string } }>('/banque/dossiers/:id', { config: page }, async (request, reply) => {
    const d = await getDossier(ctx.sql, request.params.id);
    if (!d || !maySee(sessionOfPage(request).account, d)) return notFoundPage(ctx, request, reply);
    return showDossier(request, reply, d, { notice: request.query.decision === 'enregistree' ? 'Décision enregistrée.' : stepNotice(request.query.signature) });
  });

  for (const [action, step, done] of [
    ['contresignature', (request: FastifyRequest, d: DossierRecord) => countersignStep(ctx, request, d), 'contresigne'],
    ['refus', (request: FastifyRequest, d: DossierRecord) => declineStep(ctx, request, d, 'banque', request.body as FormBody), 'refus'],
  ] as const) {
    app.post<{ Params: { id: string }; Body: FormBody }>(`/banque/dossiers/:id/${action}`, { config: page }, async (request, reply) => {
      const d = await visibleDossier(ctx.sql, sessionOfPage(request).account, request.params.id);
      if (!d) return notFoundPage(ctx, request, reply);
      const outcome = await step(request, d);
      if (outcome.done) return reply.redirect(`/banque/dossiers/${d.id}?signature=${done}#signature-contrat`, 303);
      return showDossier(request, reply, d, { signing: outcome.state, status: outcome.status });
    });
  }

  app.post<{ Params: { id: string }; Body: FormBody }>('/banque/dossiers/:id/decision', { config: page }, async (request, reply) => {
    const { account } = sessionOfPage(request);
    const d = await getDossier(ctx.sql, request.params.id);
    if (!d || !maySee(account, d)) return notFoundPage(ctx, request, reply);
    const { which, body, values, errors } = readDecisionForm(request.body, d, account.displayName);
    if (errors.size > 0) return showDossier(request, reply, d, { values, errors, which, status: 422 });
    const answer = await callApi(ctx, request, { method: 'POST', url: `/v1/bank/dossiers/${d.id}/decision`, body });
    if (answer.status === 200) return reply.redirect(`/banque/dossiers/${d.id}?decision=enregistree`, 303);
    const apiErrors: FieldErrors = new Map();
    for (const [path, message] of problemErrors(answer.body)) apiErrors.set(DECISION_FIELD[path] ?? path, message);
    const fresh = (await getDossier(ctx.sql, d.id)) ?? d;
    return showDossier(request, reply, fresh, {
      values,
      errors: apiErrors,
      general: apiErrors.size === 0 ? [problemDetail(answer.body)] : [],
      which,
      status: answer.status,
    });
  });
};

/** The API's paths of a decision as the form's fields (amounts typed in euros). */
const DECISION_FIELD: Record<string, string> = {
  'conditions.amountCents': 'conditions.amount',
  'conditions.depositCents': 'conditions.deposit',
  'conditions.durationMonths': 'conditions.durationMonths',
  'conditions.text': 'conditions.text',
};

/** The decision form as the API's body; lowered terms must be lower than those asked for. */
export function readDecisionForm(form: FormBody, d: DossierRecord, analyst: string) {
  const which = formValue(form, 'decision') === 'decline' ? 'decline' : 'approve';
  const names = ['conditions.amount', 'conditions.durationMonths', 'conditions.deposit', 'conditions.text', 'reasonCode', 'text'];
  const values: FormBody = Object.fromEntries(names.map((n) => [n, formValue(form, n).trim()]));
  const errors: FieldErrors = new Map();
  if (which === 'decline') {
    return { which, values, errors, body: { decision: 'decline', analyst, reasonCode: values.reasonCode, text: values.text } } as const;
  }
  const asked = dossierBody(d).financing.durationMonths;
  const conditions: Record<string, unknown> = {};
  const amount = values['conditions.amount'] ? parseEuros(values['conditions.amount']) : undefined;
  if (amount === null) errors.set('conditions.amount', 'Un montant en euros, par exemple 8 000');
  else if (amount !== undefined && amount >= d.totalAmountCents) errors.set('conditions.amount', `Inférieur au montant demandé (${euros(d.totalAmountCents)})`);
  else if (amount !== undefined) conditions.amountCents = amount;
  const duration = values['conditions.durationMonths'] ? Number(values['conditions.durationMonths']) : undefined;
  if (duration !== undefined && duration >= asked) errors.set('conditions.durationMonths', `Plus courte que la durée demandée (${asked} mois)`);
  else if (duration !== undefined) conditions.durationMonths = duration;
  const deposit = values['conditions.deposit'] ? parseEuros(values['conditions.deposit']) : undefined;
  if (deposit === null) errors.set('conditions.deposit', 'Un montant en euros, par exemple 1 000');
  else if (deposit !== undefined) conditions.depositCents = deposit;
  if (values['conditions.text']) conditions.text = values['conditions.text'];
  const body = { decision: 'approve', analyst, ...(Object.keys(conditions).length > 0 ? { conditions } : {}) };
  return { which, values, errors, body } as const;
}

function decisionForms(d: DossierRecord, session: Session, form: { values?: FormBody; errors?: FieldErrors; general?: string[]; which?: 'approve' | 'decline' }): SafeHtml {
  const v = (name: string) => form.values?.[name] ?? '';
  const errorsFor = (which: 'approve' | 'decline') => (form.which === which ? (form.errors ?? new Map()) : new Map<string, string>());
  const generalFor = (which: 'approve' | 'decline') => (form.which === which ? (form.general ?? []) : []);
  const asked = dossierBody(d).financing.durationMonths;
  const shorter = [24, 36, 48].filter((m) => m < asked);
  return html`<section aria-labelledby="decider" class="decide"><h2 id="decider">Décider</h2>
<p>Vous décidez au nom de la banque en tant que <strong>${session.account.displayName}</strong>. La décision est immédiate et définitive ; le revendeur et le créateur la voient aussitôt.</p>
<div class="two">
<form method="post" action="/banque/dossiers/${d.id}/decision" class="card ok" novalidate>
<h3>Accorder</h3>
${errorSummary(errorsFor('approve'), () => '', generalFor('approve'))}
<input type="hidden" name="${CSRF_FIELD}" value="${session.csrfToken}">
<input type="hidden" name="decision" value="approve">
<p>Conditions, si besoin (sinon le financement est accordé tel que demandé) :</p>
${inputField({ name: 'conditions.amount', label: 'Montant financé réduit (€ HT)', value: v('conditions.amount'), errors: errorsFor('approve'), inputmode: 'decimal', hint: `Demandé : ${euros(d.totalAmountCents)} HT` })}
${
  shorter.length > 0
    ? selectField({
        name: 'conditions.durationMonths',
        label: 'Durée réduite',
        value: v('conditions.durationMonths'),
        errors: errorsFor('approve'),
        placeholder: `Inchangée (${asked} mois)`,
        options: shorter.map((m) => ({ value: String(m), label: `${m} mois` })),
      })
    : ''
}
${inputField({ name: 'conditions.deposit', label: 'Dépôt de garantie (€)', value: v('conditions.deposit'), errors: errorsFor('approve'), inputmode: 'decimal' })}
${textareaField({ name: 'conditions.text', label: 'Autres conditions', value: v('conditions.text'), errors: errorsFor('approve'), maxLength: 1000 })}
<button type="submit" class="primary">Accorder le financement</button>
</form>
<form method="post" action="/banque/dossiers/${d.id}/decision" class="card ko" novalidate>
<h3>Refuser</h3>
${errorSummary(errorsFor('decline'), () => '', generalFor('decline'))}
<input type="hidden" name="${CSRF_FIELD}" value="${session.csrfToken}">
<input type="hidden" name="decision" value="decline">
${selectField({ name: 'reasonCode', label: 'Motif', value: v('reasonCode'), errors: errorsFor('decline'), required: true, placeholder: 'Choisissez le motif', options: ANALYST_DECLINE_CODES.map((c) => ({ value: c, label: DECLINE_LABEL[c] })) })}
${textareaField({ name: 'text', label: 'Explication pour le créateur', value: v('text'), errors: errorsFor('decline'), required: true, maxLength: 1000, hint: 'En mots simples : elle figure dans la lettre de refus.' })}
<button type="submit" class="danger">Refuser le financement</button>
</form>
</div>
</section>`;
}

function dossierTable(dossiers: DossierRecord[], resellers: Map<string, string>, now: Date, caption: string): SafeHtml {
  if (dossiers.length === 0) return html`<p>Aucun dossier.</p>`;
  return html`<div class="table-wrap" role="region" aria-label="${caption}" tabindex="0"><table>
<caption>${caption} (${dossiers.length})</caption>
<thead><tr><th scope="col">Entreprise</th><th scope="col">Revendeur</th><th scope="col" class="num">Montant HT</th><th scope="col">Reçu le</th><th scope="col">Statut</th><th scope="col">Délai ou décision</th></tr></thead>
<tbody>${dossiers.map(
    (d) => html`<tr>
<td><a href="/banque/dossiers/${d.id}">${companyName(d)}</a></td>
<td>${resellers.get(d.resellerId) ?? d.resellerId}</td>
<td class="num">${euros(d.totalAmountCents)}</td>
<td>${dateFr(d.createdAt)}</td>
<td>${statusBadge(d)}</td>
<td>${clockCell(d, now)}${d.decision?.decidedBy === 'deadline' ? html`<br><span class="hint">par défaut, le ${d.decidedAt ? dateTimeFr(d.decidedAt) : ''}</span>` : ''}</td>
</tr>`,
  )}</tbody></table></div>`;
}
