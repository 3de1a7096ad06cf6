/**
 * The programme's figures for the operator (every bank) and for each bank (its
 * own dossiers): tables, bar charts and the CSV export of GET /v1/barometers,
 * which the page links to (the API accepts the page's session for reading).
 */
import type { FastifyPluginAsync } from 'fastify';
import { BAROMETER_DIMENSIONS, type BarometerDimension } from '../../db/repositories/barometers.ts';
import { DIMENSION_LABEL, barometerTable, scopedFilter, type LabelledRow } from '../../api/routes/barometers.ts';
import { DOSSIER_STATUSES, HARD_CASE_CODES, type DossierStatus } from '../../domain/codes.ts';
import { isCalendarDate } from '../../domain/dates.ts';
import { barChart } from '../charts.ts';
import { durationFr, euros, percent } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { HARD_CASE_LABEL, STATUS_LABEL } from '../labels.ts';
import { inputField, selectField } from '../forms.ts';
import { sendPage, sessionOfPage, type WebContext } from '../context.ts';

/** One colour per status in the stacked bars (an irrecevable and a refused dossier differ). */
const CHART_TONE: Record<DossierStatus, string> = { received: 'info', ineligible: 'muted', awaiting_analyst: 'warn', approved: 'ok', declined: 'ko' };

export const barometerPages: FastifyPluginAsync<WebContext> = async (app, ctx) => {
  app.get<{ Querystring: { par?: string; du?: string; au?: string } }>('/barometres', { config: { page: ['admin', 'bank'] } }, async (request, reply) => {
    const { account } = sessionOfPage(request);
    const by = (BAROMETER_DIMENSIONS as readonly string[]).includes(request.query.par ?? '') ? (request.query.par as BarometerDimension) : 'month';
    const from = isCalendarDate(request.query.du ?? '') ? request.query.du : undefined;
    const to = isCalendarDate(request.query.au ?? '') ? request.query.au : undefined;
    const filter = scopedFilter(account, { from, to });
    const rows = await barometerTable(ctx.sql, by, filter);
    const csv = new URLSearchParams({ by, format: 'csv', ...(from ? { from } : {}), ...(to ? { to } : {}) });
    return sendPage(ctx, request, reply, {
      title: 'Baromètres',
      body: html`<h1>Baromètres du programme</h1>
<p class="lead">${account.role === 'bank' ? html`Les dossiers adressés à <strong>${account.organisationName}</strong>.` : 'Tous les dossiers du programme, toutes banques confondues.'}
Les délais vont de la réception complète du dossier à la décision.</p>
<form method="get" action="/barometres" class="inline">
${selectField({ name: 'par', label: 'Regrouper par', value: by, options: BAROMETER_DIMENSIONS.map((d) => ({ value: d, label: DIMENSION_LABEL[d] })) })}
${inputField({ name: 'du', label: 'Reçus depuis le', type: 'date', value: from ?? '', size: 'short' })}
${inputField({ name: 'au', label: 'Jusqu’au', type: 'date', value: to ?? '', size: 'short' })}
<button type="submit" class="secondary">Afficher</button>
</form>
<p><a href="/v1/barometers?${csv.toString()}" download>Télécharger ces chiffres (CSV, pour un tableur)</a></p>
${rows.length === 0 ? html`<p>Aucun dossier sur cette période.</p>` : figures(by, rows)}`,
    });
  });
};

function figures(by: BarometerDimension, rows: LabelledRow[]): SafeHtml {
  const total = rows.reduce((s, r) => s + r.dossiers, 0);
  const decided = rows.reduce((s, r) => s + r.decided, 0);
  const approved = rows.reduce((s, r) => s + r.byStatus.approved, 0);
  const byDefault = rows.reduce((s, r) => s + r.decidedByDefault, 0);
  const dimension = DIMENSION_LABEL[by].toLowerCase();
  return html`<ul class="kpis">
<li><span class="kpi">${total}</span> dossiers</li>
<li><span class="kpi">${decided > 0 ? percent(approved / decided) : '—'}</span> d’accords parmi les dossiers décidés</li>
<li><span class="kpi">${decided > 0 ? percent(byDefault / decided) : '—'}</span> décidés par défaut à l’échéance</li>
<li><span class="kpi">${euros(
    rows.reduce((s, r) => s + r.approvedAmountCents, 0),
    { round: true },
  )}</span> accordés (HT)</li>
</ul>
<section aria-labelledby="statuts"><h2 id="statuts">Dossiers par statut</h2>
${barChart(
  `Dossiers par statut et par ${dimension}`,
  `${total} dossiers au total`,
  rows.map((r) => ({
    label: r.label,
    caption: String(r.dossiers),
    segments: DOSSIER_STATUSES.map((s) => ({ value: r.byStatus[s], tone: CHART_TONE[s], name: STATUS_LABEL[s] })),
  })),
)}
<div class="table-wrap" role="region" aria-label="Dossiers par statut" tabindex="0"><table>
<caption>Dossiers par statut</caption>
<thead><tr><th scope="col">${DIMENSION_LABEL[by]}</th><th scope="col" class="num">Dossiers</th>${DOSSIER_STATUSES.map((s) => html`<th scope="col" class="num">${STATUS_LABEL[s]}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr><th scope="row">${r.label}</th><td class="num">${r.dossiers}</td>${DOSSIER_STATUSES.map((s) => html`<td class="num">${r.byStatus[s]}</td>`)}</tr>`)}</tbody>
</table></div></section>
<section aria-labelledby="decisions"><h2 id="decisions">Accords et délais</h2>
${barChart(
  `Taux d’accord par ${dimension}`,
  'part des dossiers décidés qui sont accordés',
  rows.map((r) => ({
    label: r.label,
    caption: r.approvalRate === null ? '—' : percent(r.approvalRate),
    segments: [{ value: r.approvalRate ?? 0, tone: 'ok', name: 'Taux d’accord' }],
  })),
  1,
)}
<div class="table-wrap" role="region" aria-label="Accords et délais" tabindex="0"><table>
<caption>Accords et délais de décision</caption>
<thead><tr><th scope="col">${DIMENSION_LABEL[by]}</th><th scope="col" class="num">Décidés</th><th scope="col" class="num">Taux d’accord</th><th scope="col" class="num">Délai médian</th><th scope="col" class="num">Délai (99 %)</th><th scope="col" class="num">Par défaut</th><th scope="col" class="num">Accordé HT</th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr><th scope="row">${r.label}</th><td class="num">${r.decided}</td>
<td class="num">${r.approvalRate === null ? '—' : percent(r.approvalRate)}</td>
<td class="num">${r.medianSecondsToDecision === null ? '—' : durationFr(r.medianSecondsToDecision)}</td>
<td class="num">${r.p99SecondsToDecision === null ? '—' : durationFr(r.p99SecondsToDecision)}</td>
<td class="num">${r.defaultShare === null ? '—' : `${r.decidedByDefault} (${percent(r.defaultShare)})`}</td>
<td class="num">${euros(r.approvedAmountCents, { round: true })}</td></tr>`,
  )}</tbody>
</table></div></section>
<section aria-labelledby="difficiles"><h2 id="difficiles">Cas difficiles : pourquoi la banque étudie elle-même</h2>
${hardCaseTable(by, rows)}
</section>`;
}

function hardCaseTable(by: BarometerDimension, rows: LabelledRow[]): SafeHtml {
  const codes = HARD_CASE_CODES.filter((c) => rows.some((r) => (r.hardCases[c] ?? 0) > 0));
  if (codes.length === 0) return html`<p>Aucun cas difficile sur cette période.</p>`;
  return html`<div class="table-wrap" role="region" aria-label="Cas difficiles" tabindex="0"><table>
<caption>Dossiers par motif d’étude (un dossier peut en avoir plusieurs)</caption>
<thead><tr><th scope="col">${DIMENSION_LABEL[by]}</th>${codes.map((c) => html`<th scope="col" class="num">${HARD_CASE_LABEL[c]}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr><th scope="row">${r.label}</th>${codes.map((c) => html`<td class="num">${r.hardCases[c] ?? 0}</td>`)}</tr>`)}</tbody>
</table></div>`;
}
