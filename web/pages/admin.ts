/**
 * The operator's accounts page: who can sign in, with which role and for which
 * organisation; creating an account (through POST /v1/admin/accounts, which
 * generates the password when none is typed and shows it once) and disabling
 * one (its sessions end at once).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { listAccounts, type Account } from '../../db/repositories/accounts.ts';
import { ROLES, ROLE_LABEL } from '../../domain/roles.ts';
import { dateFr } from '../format.ts';
import { html } from '../html.ts';
import { errorSummary, formValue, inputField, selectField, type FieldErrors, type FormBody } from '../forms.ts';
import { callApi, problemDetail, problemErrors, sendPage, sessionOfPage, type WebContext } from '../context.ts';
import { CSRF_FIELD } from '../session.ts';

const page = { page: ['admin'] as const };
const FIELDS = ['email', 'displayName', 'role', 'organisationId', 'companyName', 'password'];

export const adminPages: FastifyPluginAsync<WebContext> = async (app, ctx) => {
  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: { values?: FormBody; errors?: FieldErrors; general?: string[]; created?: { account: Account; password?: string }; notice?: string; status?: number } = {},
  ) => {
    const session = sessionOfPage(request);
    const accounts = await listAccounts(ctx.sql);
    const v = (n: string) => state.values?.[n] ?? '';
    const errors = state.errors ?? new Map<string, string>();
    return sendPage(ctx, request, reply, {
      status: state.status,
      title: 'Comptes',
      body: html`<h1>Comptes des personnes</h1>
<p class="lead">Chaque personne a son propre compte, avec un rôle et l’organisation pour laquelle elle agit. Les logiciels des banques et des revendeurs utilisent des clés d’API (« passeport db create-key »).</p>
${state.notice ? html`<p class="notice" role="status">${state.notice}</p>` : ''}
${
  state.created
    ? html`<div class="notice" role="status"><p>Compte créé pour <strong>${state.created.account.email}</strong>.</p>
${state.created.password ? html`<p>Mot de passe à lui remettre (il ne sera plus affiché) : <code class="secret">${state.created.password}</code></p>` : ''}</div>`
    : ''
}
<section aria-labelledby="nouveau" class="block"><h2 id="nouveau">Créer un compte</h2>
${errorSummary(errors, () => '', state.general ?? [])}
<form method="post" action="/admin/comptes" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${session.csrfToken}">
<div class="row">
${inputField({ name: 'displayName', label: 'Prénom et nom', value: v('displayName'), errors, required: true })}
${inputField({ name: 'email', label: 'Adresse e-mail', type: 'email', value: v('email'), errors, required: true, autocomplete: 'off' })}
</div>
<div class="row">
${selectField({ name: 'role', label: 'Rôle', value: v('role'), errors, required: true, placeholder: 'Choisissez le rôle', options: ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] })) })}
${inputField({ name: 'organisationId', label: 'Organisation', value: v('organisationId'), errors, required: true, hint: 'Code banque, numéro de label du revendeur, « programme », ou le SIREN de l’entreprise d’un créateur' })}
</div>
<div class="row">
${inputField({ name: 'companyName', label: 'Nom de l’entreprise (créateur)', value: v('companyName'), errors })}
${inputField({ name: 'password', label: 'Mot de passe', type: 'password', value: '', errors, autocomplete: 'new-password', hint: 'Vide : un mot de passe sûr est créé et affiché une fois' })}
</div>
<button type="submit" class="primary">Créer le compte</button>
</form></section>
<section aria-labelledby="liste"><h2 id="liste">Comptes</h2>
<div class="table-wrap" role="region" aria-label="Comptes" tabindex="0"><table>
<caption>${accounts.length} compte${accounts.length > 1 ? 's' : ''}</caption>
<thead><tr><th scope="col">Personne</th><th scope="col">Rôle</th><th scope="col">Organisation</th><th scope="col">Créé le</th><th scope="col">État</th></tr></thead>
<tbody>${accounts.map(
        (a) => html`<tr>
<td>${a.displayName}<br><span class="hint">${a.email}</span></td>
<td>${ROLE_LABEL[a.role]}</td>
<td>${a.organisationName}<br><span class="hint">${a.organisationId}</span></td>
<td>${dateFr(a.createdAt)}</td>
<td>${
          a.disabledAt
            ? html`désactivé le ${dateFr(a.disabledAt)}`
            : a.id === session.account.id
              ? 'actif (vous)'
              : html`<form method="post" action="/admin/comptes/${a.id}/desactivation"><input type="hidden" name="${CSRF_FIELD}" value="${session.csrfToken}"><button type="submit" class="link danger" aria-label="Désactiver le compte de ${a.displayName}">Désactiver</button></form>`
        }</td>
</tr>`,
      )}</tbody></table></div></section>`,
    });
  };

  app.get('/admin', { config: page }, async (request, reply) => show(request, reply));

  app.post<{ Body: FormBody }>('/admin/comptes', { config: page }, async (request, reply) => {
    const values: FormBody = Object.fromEntries(FIELDS.map((n) => [n, n === 'password' ? formValue(request.body, n) : formValue(request.body, n).trim()]));
    const body = {
      email: values.email,
      displayName: values.displayName,
      role: values.role,
      organisationId: values.organisationId,
      ...(values.companyName ? { companyName: values.companyName } : {}),
      ...(values.password ? { password: values.password } : {}),
    };
    const answer = await callApi<{ account: Account; password?: string }>(ctx, request, { method: 'POST', url: '/v1/admin/accounts', body });
    if (answer.status === 201) return show(request, reply, { created: answer.body });
    const errors = problemErrors(answer.body);
    return show(request, reply, { values, errors, general: errors.size === 0 ? [problemDetail(answer.body)] : [], status: answer.status });
  });

  app.post<{ Params: { id: string } }>('/admin/comptes/:id/desactivation', { config: page }, async (request, reply) => {
    const answer = await callApi<{ account: Account }>(ctx, request, { method: 'POST', url: `/v1/admin/accounts/${encodeURIComponent(request.params.id)}/disable` });
    if (answer.status !== 200) return show(request, reply, { general: [problemDetail(answer.body)], status: answer.status });
    return show(request, reply, { notice: `Le compte de ${answer.body.account.displayName} est désactivé : ses sessions ont pris fin.` });
  });
};
