/**
 * The archivist's coffre-fort (issue 14 on the vault, api/routes/vault.ts):
 * search the archived objects (dossier, SIREN, class, dates), open one — its
 * fingerprints, its package, its journal — check it (copies, deposit entry,
 * seal, signatures), download it or its probative-value statement, export a
 * package for offline checking, and run an audit whose progress the page
 * follows. Every step is the API's, called as the signed-in archivist: the
 * vault decides what they may see (an organisation's archivist sees the
 * documents naming it; the journal and the audits are the operator's).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { dateFr, dateTimeFr } from '../format.ts';
import { formValue, inputField, type FormBody } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { CSRF_FIELD } from '../session.ts';
import type { ObjectRecord } from '../../vault/types.ts';
import { callApi, injectApi, notFoundPage, problemDetail, sendErrorPage, sendPage, sessionOfPage, type WebContext } from '../context.ts';

const page = { page: ['archivist'] as const };
const OBJECT_ID = /^CF-[a-z2-7]+-\d{2}$/;

/** An object as the vault's API answers it. */
type VaultObject = ObjectRecord;

interface JournalEntry {
  seq: number;
  time: string;
  operation: string;
  actor: string;
  outcome: string;
  hash: string;
}

interface ObjectCheck {
  ok: boolean;
  problems: string[];
  copies: { location: string; present: boolean; intact: boolean }[];
  depositEntry: { seq: number; hash: string } | null;
  seal: { id: string; merkleRootMatches: boolean; timestampOk: boolean; tokenTime: string | null } | null;
  signatures: {
    indication: 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';
    reasons: string[];
    signatures: { kind: string; signer: string | null; indication: string; level: string | null; time: string | null }[];
  } | null;
}

interface AuditRun {
  id: string;
  startedAt: string;
  status: 'running' | 'done' | 'failed';
  progress: { phase: string; done: number; total: number; bytesDone?: number; bytesTotal?: number } | null;
  report: {
    auditId: number;
    finishedAt: string;
    clean: boolean;
    objects: { checked: number; copies: number; bytes: number };
    journal: { entries: number };
    seals: { checked: number };
    signatures: { checked: number; passed: number; failed: number; indeterminate: number };
    anomalies: { severity: string; kind: string; target: { type: string; id: string }; message: string }[];
    anomalyCount: number;
  } | null;
  error: string | null;
}

const CLASS_LABEL: Record<string, string> = {
  contrat: 'contrat signé et ses pièces',
  decision: 'décision (refus)',
  'sceau-journal': 'sceau du journal',
};
const OPERATION_LABEL: Record<string, string> = {
  deposit: 'dépôt',
  read: 'lecture',
  metadata: 'consultation',
  list: 'recherche',
  count: 'comptage',
  verify: 'contrôle',
  'verify-pdf': 'vérification d’un PDF',
  journal: 'lecture du journal',
  audit: 'audit',
  export: 'export',
  statement: 'attestation',
  hold: 'gel juridique',
  release: 'levée de gel',
  dispose: 'destruction',
  seal: 'scellement',
  preserve: 'prolongation des signatures',
};
const OUTCOME_LABEL: Record<string, string> = { ok: 'fait', refused: 'refusé', failed: 'échec', clean: 'sain', anomalies: 'anomalies' };
const INDICATION = {
  TOTAL_PASSED: ['ok', 'Signatures valides'],
  TOTAL_FAILED: ['ko', 'Signatures invalides'],
  INDETERMINATE: ['warn', 'Signatures non confirmées'],
} as const;
const PHASE_LABEL: Record<string, string> = { objets: 'relecture des objets', journal: 'chaîne du journal', sceaux: 'sceaux', signatures: 'signatures' };

const kilo = (bytes: number) => (bytes < 1024 ? `${bytes} o` : bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} Ko` : `${(bytes / 1048576).toFixed(1).replace('.', ',')} Mo`);
const short = (hex: string) => `${hex.slice(0, 16)}…`;

const SEARCH_FIELDS = { dossier: 'dossier', siren: 'siren', classe: 'class', du: 'from', au: 'to' } as const;
type SearchForm = Partial<Record<keyof typeof SEARCH_FIELDS, string>>;

function noVault(ctx: WebContext, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendErrorPage(ctx, request, reply, 503, 'Coffre-fort indisponible', 'Ce serveur ne sert pas de coffre-fort électronique : demandez à l’opérateur du programme.');
}

export const vaultPages: FastifyPluginAsync<WebContext> = async (app, ctx) => {
  app.get<{ Querystring: SearchForm }>('/archiviste/coffre', { config: page }, async (request, reply) => {
    const form = request.query;
    const query = new URLSearchParams({ limit: '200' });
    for (const [field, param] of Object.entries(SEARCH_FIELDS)) {
      const value = (form[field as keyof SearchForm] ?? '').trim();
      if (value) query.set(param, field === 'siren' ? value.replace(/\s/g, '') : value);
    }
    const answer = await callApi<{ objects: VaultObject[] }>(ctx, request, { method: 'GET', url: `/v1/vault/objects?${query}` });
    if (answer.status === 404) return noVault(ctx, request, reply);
    const error = answer.status === 200 ? null : problemDetail(answer.body);
    const objects = answer.status === 200 ? answer.body.objects : [];
    const packages = new Map<string, VaultObject[]>();
    for (const o of objects) packages.set(o.packageId, [...(packages.get(o.packageId) ?? []), o]);
    return sendPage(ctx, request, reply, {
      status: answer.status === 200 ? 200 : 422,
      title: 'Coffre-fort',
      body: html`<h1>Coffre-fort électronique</h1>
<p class="lead">Les contrats signés et leurs pièces, conservés dix ans : chaque objet garde ses empreintes, son entrée au journal scellé et ses signatures.</p>
<form method="get" action="/archiviste/coffre" class="block" role="search" aria-labelledby="chercher">
<h2 id="chercher">Chercher</h2>
<div class="row">
${inputField({ name: 'dossier', label: 'N° de dossier', value: form.dossier ?? '', size: 'wide' })}
${inputField({ name: 'siren', label: 'SIREN', value: form.siren ?? '', inputmode: 'numeric', size: 'short' })}
${inputField({ name: 'classe', label: 'Classe (contrat, decision…)', value: form.classe ?? '', size: 'short' })}
${inputField({ name: 'du', label: 'Déposé depuis le', type: 'date', value: form.du ?? '', size: 'short' })}
${inputField({ name: 'au', label: 'jusqu’au', type: 'date', value: form.au ?? '', size: 'short' })}
</div>
<button type="submit" class="primary">Chercher</button>
</form>
${error ? html`<div class="alert" role="alert"><p>${error}</p></div>` : ''}
<section aria-labelledby="resultats"><h2 id="resultats">${objects.length === 0 ? 'Aucun objet trouvé' : `${objects.length} objet${objects.length > 1 ? 's' : ''} dans ${packages.size} paquet${packages.size > 1 ? 's' : ''}`}</h2>
${[...packages].map(([packageId, list]) => packageTable(packageId, list))}
</section>`,
    });
  });

  const showObject = async (request: FastifyRequest, reply: FastifyReply, id: string, check?: { status: number; body: ObjectCheck | unknown }) => {
    if (!OBJECT_ID.test(id)) return notFoundPage(ctx, request, reply);
    const meta = await callApi<VaultObject>(ctx, request, { method: 'GET', url: `/v1/vault/objects/${id}` });
    if (meta.status !== 200) return notFoundPage(ctx, request, reply);
    const o = meta.body;
    const siblings = o.dossierId
      ? ((
          await callApi<{ objects: VaultObject[] }>(ctx, request, { method: 'GET', url: `/v1/vault/objects?${new URLSearchParams({ dossier: o.dossierId, limit: '200' })}` })
        ).body.objects?.filter((x) => x.packageId === o.packageId) ?? [o])
      : [o];
    const journal = await callApi<{ entries: JournalEntry[] }>(ctx, request, { method: 'GET', url: `/v1/vault/journal?${new URLSearchParams({ object: id, limit: '100' })}` });
    const csrf = sessionOfPage(request).csrfToken;
    return sendPage(ctx, request, reply, {
      status: check && check.status !== 200 ? check.status : 200,
      title: o.name,
      body: html`<p><a href="/archiviste/coffre${o.dossierId ? `?dossier=${encodeURIComponent(o.dossierId)}` : ''}">← Coffre-fort</a></p>
<h1>${o.name}</h1>
${check ? checkView(check) : ''}
<div class="actions">
<form method="post" action="/archiviste/coffre/objets/${o.id}/controle" class="inline"><input type="hidden" name="${CSRF_FIELD}" value="${csrf}"><button type="submit" class="primary">Contrôler cet objet</button></form>
<a class="button" href="/v1/vault/objects/${o.id}/content">Télécharger</a>
<a class="button" href="/v1/vault/objects/${o.id}/statement">Attestation de valeur probante (PDF)</a>
</div>
<section aria-labelledby="objet"><h2 id="objet">L’objet</h2>
<dl class="facts">
<dt>Identifiant</dt><dd>${o.id}</dd>
<dt>Paquet</dt><dd>${o.packageId}</dd>
<dt>Classe</dt><dd>${CLASS_LABEL[o.documentClass] ?? o.documentClass}</dd>
<dt>Type, taille</dt><dd>${o.mediaType}, ${kilo(o.size)}</dd>
<dt>Déposé</dt><dd>le ${dateTimeFr(o.depositedAt)} par ${o.depositor}</dd>
<dt>Conservé jusqu’au</dt><dd>${o.retentionEnd ? dateFr(o.retentionEnd) : 'sans limite'}${o.holds.length > 0 ? html` · <strong>gel juridique</strong> : ${o.holds.map((h) => h.reason).join(' ; ')}` : ''}</dd>
${o.dossierId ? html`<dt>Dossier</dt><dd>${o.dossierId}</dd>` : ''}
${o.siren ? html`<dt>SIREN</dt><dd>${o.siren}</dd>` : ''}
<dt>Parties</dt><dd>${o.parties.map((p) => `${p.role} ${p.name ?? p.id}`).join(', ') || '—'}</dd>
<dt>SHA-256</dt><dd class="meta">${o.sha256}</dd>
<dt>SHA-512</dt><dd class="meta">${o.sha512}</dd>
${o.disposedAt ? html`<dt>Détruit</dt><dd>le ${dateTimeFr(o.disposedAt)}</dd>` : ''}
</dl></section>
<section aria-labelledby="paquet"><h2 id="paquet">Le paquet ${o.packageId}</h2>
${packageTable(o.packageId, siblings, false)}
<form method="post" action="/archiviste/coffre/export" class="inline">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<input type="hidden" name="objets" value="${siblings.map((s) => s.id).join(',')}">
<button type="submit">Exporter ce paquet (archive tar vérifiable avec openssl)</button>
</form></section>
<section aria-labelledby="journal"><h2 id="journal">Son journal</h2>
${
  journal.status === 200
    ? journalTable(journal.body.entries)
    : html`<p>${journal.status === 403 ? 'Le journal du coffre-fort est tenu par l’archiviste de l’opérateur du programme : demandez-le-lui.' : problemDetail(journal.body)}</p>`
}
</section>`,
    });
  };

  app.get<{ Params: { id: string } }>('/archiviste/coffre/objets/:id', { config: page }, async (request, reply) => showObject(request, reply, request.params.id));

  app.post<{ Params: { id: string } }>('/archiviste/coffre/objets/:id/controle', { config: page }, async (request, reply) => {
    if (!OBJECT_ID.test(request.params.id)) return notFoundPage(ctx, request, reply);
    const check = await callApi<ObjectCheck>(ctx, request, { method: 'POST', url: `/v1/vault/objects/${request.params.id}/verify`, body: {} });
    return showObject(request, reply, request.params.id, check);
  });

  app.post<{ Body: FormBody }>('/archiviste/coffre/export', { config: page }, async (request, reply) => {
    const ids = formValue(request.body, 'objets')
      .split(',')
      .filter((id) => OBJECT_ID.test(id));
    if (ids.length === 0) return sendErrorPage(ctx, request, reply, 422, 'Rien à exporter', 'Choisissez au moins un objet du coffre-fort à exporter.');
    const answer = await injectApi(ctx, request, { method: 'POST', url: '/v1/vault/exports', body: { objectIds: ids.slice(0, 1000) } });
    if (answer.statusCode !== 200) return sendErrorPage(ctx, request, reply, answer.statusCode, 'Export refusé', problemDetail(answer.json()));
    return reply
      .type('application/x-tar')
      .header('content-disposition', String(answer.headers['content-disposition'] ?? 'attachment; filename="export-coffre-fort.tar"'))
      .header('x-export-sha512', String(answer.headers['x-export-sha512'] ?? ''))
      .send(answer.rawPayload);
  });

  app.get<{ Querystring: { suivi?: string } }>('/archiviste/coffre/audit', { config: page }, async (request, reply) => {
    const runId = request.query.suivi ?? '';
    const run = /^[0-9a-f-]{36}$/.test(runId) ? await callApi<AuditRun>(ctx, request, { method: 'GET', url: `/v1/vault/audits/${runId}` }) : null;
    return auditPage(request, reply, run);
  });

  app.post('/archiviste/coffre/audit', { config: page }, async (request, reply) => {
    const answer = await callApi<AuditRun>(ctx, request, { method: 'POST', url: '/v1/vault/audits', body: {} });
    if (answer.status === 200 || answer.status === 202) return reply.redirect(`/archiviste/coffre/audit?suivi=${answer.body.id}`, 303);
    return auditPage(request, reply, answer);
  });

  const auditPage = (request: FastifyRequest, reply: FastifyReply, run: { status: number; body: AuditRun | unknown } | null) => {
    const ok = run?.status === 200 || run?.status === 202;
    const r = ok ? (run!.body as AuditRun) : null;
    return sendPage(ctx, request, reply, {
      status: run && !ok ? run.status : 200,
      title: 'Audit du coffre-fort',
      scripts: r?.status === 'running' ? ['audit-progress.js'] : [],
      body: html`<h1>Audit du coffre-fort</h1>
<p class="lead">L’audit relit chaque objet dans chaque emplacement, refait la chaîne du journal, recalcule chaque sceau et revérifie chaque signature. Il peut durer plusieurs minutes.</p>
${run && !ok ? html`<div class="alert" role="alert"><p>${problemDetail(run.body)}</p></div>` : ''}
${r ? auditView(r) : ''}
${
  r?.status === 'running'
    ? ''
    : html`<form method="post" action="/archiviste/coffre/audit">
<input type="hidden" name="${CSRF_FIELD}" value="${sessionOfPage(request).csrfToken}">
<button type="submit" class="primary">Lancer un audit</button>
</form>`
}`,
    });
  };
};

function packageTable(packageId: string, list: VaultObject[], caption = true): SafeHtml {
  return html`<div class="table-wrap" role="region" aria-label="Paquet ${packageId}" tabindex="0"><table>
${caption ? html`<caption>Paquet ${packageId}${list[0]?.dossierId ? ` · dossier ${list[0].dossierId}` : ''} · déposé le ${dateFr(list[0]!.depositedAt)}</caption>` : ''}
<thead><tr><th scope="col">Objet</th><th scope="col">Classe</th><th scope="col" class="num">Taille</th><th scope="col">SHA-256</th><th scope="col">Conservé jusqu’au</th></tr></thead>
<tbody>${list.map((o) => html`<tr><td><a href="/archiviste/coffre/objets/${o.id}">${o.name}</a></td><td>${CLASS_LABEL[o.documentClass] ?? o.documentClass}</td><td class="num">${kilo(o.size)}</td><td class="meta">${short(o.sha256)}</td><td>${o.disposedAt ? 'détruit' : o.retentionEnd ? dateFr(o.retentionEnd) : 'sans limite'}</td></tr>`)}</tbody>
</table></div>`;
}

function journalTable(entries: JournalEntry[]): SafeHtml {
  if (entries.length === 0) return html`<p>Aucune entrée.</p>`;
  return html`<div class="table-wrap" role="region" aria-label="Journal de l’objet" tabindex="0"><table>
<caption>Chaque entrée porte l’empreinte de la précédente ; les sceaux horodatent le tout.</caption>
<thead><tr><th scope="col" class="num">N°</th><th scope="col">Date</th><th scope="col">Opération</th><th scope="col">Par</th><th scope="col">Résultat</th><th scope="col">Empreinte</th></tr></thead>
<tbody>${entries.map((e) => html`<tr><td class="num">${e.seq}</td><td>${dateTimeFr(e.time)}</td><td>${OPERATION_LABEL[e.operation] ?? e.operation}</td><td>${e.actor}</td><td>${OUTCOME_LABEL[e.outcome] ?? e.outcome}</td><td class="meta">${short(e.hash)}</td></tr>`)}</tbody>
</table></div>`;
}

function checkView(check: { status: number; body: ObjectCheck | unknown }): SafeHtml {
  if (check.status !== 200) return html`<div class="alert" role="alert"><p>${problemDetail(check.body)}</p></div>`;
  const c = check.body as ObjectCheck;
  const [tone, words] = c.signatures ? INDICATION[c.signatures.indication] : c.ok ? (['ok', 'Objet intact'] as const) : (['ko', 'Objet altéré'] as const);
  return html`<div class="verdict-box ${c.ok ? tone : 'ko'}" role="status" id="controle">
<p class="verdict-word">${c.ok ? (c.signatures ? words : 'Intact') : 'Anomalie'}</p>
<ul>
${c.copies.map((copy, i) => html`<li>Copie ${i + 1} sur ${c.copies.length} : ${!copy.present ? 'absente' : copy.intact ? 'présente et intacte' : 'altérée'}</li>`)}
<li>Entrée de dépôt au journal : ${c.depositEntry ? `n° ${c.depositEntry.seq}` : 'introuvable'}</li>
<li>Sceau du journal : ${c.seal ? `${c.seal.id}, racine de Merkle ${c.seal.merkleRootMatches ? 'exacte' : 'fausse'}, horodatage ${c.seal.timestampOk ? 'valide' : 'invalide'}${c.seal.tokenTime ? ` (${dateTimeFr(c.seal.tokenTime)})` : ''}` : 'pas encore scellé (le prochain scellement le couvrira)'}</li>
${c.signatures ? html`<li>${words} (${c.signatures.indication}) : ${c.signatures.signatures.map((s) => `${s.kind === 'signature' ? (s.signer ?? 'signataire inconnu') : 'horodatage d’archivage'} ${s.level ? `(${s.level}) ` : ''}${s.indication}`).join(' ; ')}</li>` : ''}
</ul>
${c.problems.length > 0 ? html`<p>Problèmes :</p><ul>${c.problems.map((p) => html`<li>${p}</li>`)}</ul>` : ''}
</div>`;
}

function auditView(r: AuditRun): SafeHtml {
  if (r.status === 'running') {
    const p = r.progress;
    const ratio = p && p.total > 0 ? p.done / p.total : 0;
    return html`<div class="notice" data-audit-run="${r.id}">
<p><strong>Audit en cours</strong>, lancé le ${dateTimeFr(r.startedAt)}.</p>
<p><label for="audit-avancement">Étape : <span data-audit-phase>${p ? (PHASE_LABEL[p.phase] ?? p.phase) : 'démarrage'}</span></label></p>
<progress id="audit-avancement" max="100" value="${Math.round(ratio * 100)}">${Math.round(ratio * 100)} %</progress>
<p data-audit-counts role="status" aria-live="polite">${p ? `${p.done} sur ${p.total}` : ''}</p>
</div>`;
  }
  if (r.status === 'failed') return html`<div class="alert" role="alert"><p>L’audit n’a pas pu aller au bout : ${r.error ?? 'erreur inconnue'}.</p></div>`;
  const rep = r.report!;
  return html`<div class="verdict-box ${rep.clean ? 'ok' : 'ko'}" role="status" id="rapport-audit">
<p class="verdict-word">${rep.clean ? 'Coffre-fort sain' : 'Anomalies trouvées'}</p>
<p>Audit n° ${rep.auditId}, terminé le ${dateTimeFr(rep.finishedAt)}.</p>
<ul>
<li>${rep.objects.checked} objets relus (${rep.objects.copies} copies, ${kilo(rep.objects.bytes)})</li>
<li>${rep.journal.entries} entrées du journal vérifiées</li>
<li>${rep.seals.checked} sceaux recalculés</li>
<li>${rep.signatures.checked} PDF signés revérifiés : ${rep.signatures.passed} valides, ${rep.signatures.failed} invalides, ${rep.signatures.indeterminate} non confirmés</li>
</ul>
</div>
${
  rep.anomalyCount > 0
    ? html`<div class="table-wrap" role="region" aria-label="Anomalies" tabindex="0"><table>
<caption>${rep.anomalyCount} anomalie${rep.anomalyCount > 1 ? 's' : ''}${rep.anomalyCount > rep.anomalies.length ? ` (les ${rep.anomalies.length} premières)` : ''}</caption>
<thead><tr><th scope="col">Gravité</th><th scope="col">Où</th><th scope="col">Quoi</th></tr></thead>
<tbody>${rep.anomalies.map((a) => html`<tr><td>${a.severity === 'error' ? 'erreur' : 'avertissement'}</td><td>${a.target.type} ${a.target.id}</td><td>${a.message}</td></tr>`)}</tbody>
</table></div>`
    : ''
}`;
}
