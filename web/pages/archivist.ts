/**
 * The archivist: verify any signed PDF and read the verifier's report with a
 * clear verdict (signature/validation: the same checks and French headlines as
 * `passeport verify`), and download the full report (HTML, JSON). The file is
 * verified in memory and never kept. Trust is the engine's own root
 * certificates; revocation data is what the file embeds (PAdES B-LT and
 * above): nothing is fetched from addresses a file names.
 * Searching the vault, packages, journal, audits and export: web/pages/vault.ts.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { documentHeadline, renderHtmlReport, signatureHeadline, verifyPdf, type SignatureReport, type VerificationReport } from '../../signature/validation/index.ts';
import { dateTimeFr } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { sendPage, sessionOfPage, type WebContext } from '../context.ts';
import { CSRF_FIELD, sameOrigin, tokensMatch } from '../session.ts';

const page = { page: ['archivist'] as const, multipart: true };
export const MAX_VERIFY_BYTES = 32 * 1024 * 1024;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A multipart form: its CSRF token is its first field, checked by the handler before the file is read. */
    multipart?: boolean;
  }
}

export const archivistPages: FastifyPluginAsync<WebContext> = async (app, ctx) => {
  await app.register(multipart, { limits: { fileSize: MAX_VERIFY_BYTES, files: 1, fields: 2, parts: 3 } });

  const home = async (request: FastifyRequest, reply: FastifyReply, state: { error?: string; report?: VerificationReport; status?: number }) => {
    const session = sessionOfPage(request);
    return sendPage(ctx, request, reply, {
      status: state.status,
      title: state.report ? 'Rapport de vérification' : 'Vérifier un PDF signé',
      body: html`${state.report ? reportView(state.report) : html`<h1>Vérifier un PDF signé</h1>`}
<section aria-labelledby="verifier" class="block">
<h2 id="verifier">${state.report ? 'Vérifier un autre fichier' : 'Choisir le fichier'}</h2>
<p>Toutes les signatures et tous les horodatages du fichier sont vérifiés : intégrité, certificats jusqu’à une autorité de confiance, révocation, niveau PAdES et niveau RGS. Le fichier n’est pas conservé.</p>
${state.error ? html`<div class="alert" role="alert" id="fichier-erreur"><p>${state.error}</p></div>` : ''}
<form method="post" action="/archiviste/verification" enctype="multipart/form-data">
<input type="hidden" name="${CSRF_FIELD}" value="${session.csrfToken}">
<div class="field">
<label for="fichier">Fichier PDF (32 Mo au plus)</label>
<input type="file" id="fichier" name="fichier" accept="application/pdf,.pdf" required${state.error ? html` aria-describedby="fichier-erreur" aria-invalid="true"` : ''}>
</div>
<button type="submit" class="primary">Vérifier</button>
</form>
</section>
<p>Pour retrouver un contrat archivé, le contrôler ou l’exporter : <a href="/archiviste/coffre">le coffre-fort</a>.</p>`,
    });
  };

  app.get('/archiviste', { config: page }, async (request, reply) => home(request, reply, {}));

  app.post('/archiviste/verification', { config: page }, async (request, reply) => {
    const session = sessionOfPage(request);
    if (!request.isMultipart()) return home(request, reply, { status: 415, error: 'Envoyez le fichier avec le formulaire ci-dessous.' });
    let csrfOk = false;
    let file: { name: string; bytes: Buffer } | null = null;
    try {
      for await (const part of request.parts()) {
        if (part.type === 'field') {
          if (part.fieldname === CSRF_FIELD) csrfOk = sameOrigin(request) && tokensMatch(session.csrfToken, part.value);
          continue;
        }
        // The token comes first in the form: a file without it is not read.
        if (!csrfOk) break;
        file = { name: part.filename, bytes: await part.toBuffer() };
      }
    } catch (error) {
      if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
        return home(request, reply, { status: 413, error: 'Ce fichier dépasse 32 Mo : il ne peut pas être vérifié ici (utilisez « passeport verify »).' });
      }
      throw error;
    }
    if (!csrfOk) return home(request, reply, { status: 403, error: 'Le formulaire a expiré : choisissez à nouveau le fichier.' });
    if (!file || file.bytes.length === 0) return home(request, reply, { status: 422, error: 'Choisissez un fichier PDF à vérifier.' });
    const report = await verifyPdf(file.bytes, { trustAnchors: await ctx.verifier.trustAnchors(), fileName: file.name });
    request.log.info({ indication: report.indication, signatures: report.signatures.length, size: report.size }, 'pdf verified');
    return home(request, reply, { report });
  });

  // A GET on the form's address (a reload after the answer) goes back to the form.
  app.get('/archiviste/verification', { config: { page: ['archivist'] } }, async (_request, reply) => reply.redirect('/archiviste', 303));
};

const TONE = { TOTAL_PASSED: 'ok', TOTAL_FAILED: 'ko', INDETERMINATE: 'warn' } as const;
const VERDICT_WORD = { TOTAL_PASSED: 'Valide', TOTAL_FAILED: 'Invalide', INDETERMINATE: 'Non confirmé' } as const;

const LEVEL_TEXT: Record<string, string> = {
  'B-B': 'B-B : signature de base',
  'B-T': 'B-T : signature horodatée',
  'B-LT': 'B-LT : avec les données de validation',
  'B-LTA': 'B-LTA : archivage à long terme',
  PKCS7: 'ancien format PKCS#7',
  none: 'inférieur à B-B',
};

function dataUrl(type: string, text: string): string {
  return `data:${type};charset=utf-8;base64,${Buffer.from(text, 'utf8').toString('base64')}`;
}

function reportView(r: VerificationReport): SafeHtml {
  const base = (r.file || 'document').replace(/\.pdf$/i, '');
  return html`<h1>Rapport de vérification</h1>
<div class="verdict-box ${TONE[r.indication]}" role="status">
<p class="verdict-word">${VERDICT_WORD[r.indication]}</p>
<p class="verdict">${documentHeadline(r)}</p>
<p class="meta">${r.file} · ${r.signatures.length} signature${r.signatures.length > 1 ? 's' : ''} ou horodatage${r.signatures.length > 1 ? 's' : ''} · vérifié le ${dateTimeFr(r.verifiedAt)} · empreinte SHA-256 ${r.sha256}</p>
${r.signatures.length === 0 && r.reasons.length > 0 ? html`<ul>${r.reasons.map((x) => html`<li>${x}</li>`)}</ul>` : ''}
</div>
${r.signatures.map((s, i) => signatureCard(s, i))}
<p class="downloads">Rapport complet :
<a href="${dataUrl('text/html', renderHtmlReport([r]))}" download="${base}-rapport.html">HTML (à imprimer)</a> ·
<a href="${dataUrl('application/json', JSON.stringify(r, null, 2))}" download="${base}-rapport.json">JSON</a></p>`;
}

function signatureCard(s: SignatureReport, i: number): SafeHtml {
  const rows: [string, string][] = [
    ['Signataire', s.signer?.subject ?? 'inconnu'],
    ['Autorité du certificat', s.signer?.issuer ?? '—'],
    ['Date prouvée par horodatage', s.timestampTime ? dateTimeFr(s.timestampTime) : 'aucune'],
    ['Date annoncée par le signataire', s.claimedTime ? dateTimeFr(s.claimedTime) : '—'],
  ];
  if (s.type === 'signature') {
    rows.push(['Niveau PAdES', s.padesLevel ? (LEVEL_TEXT[s.padesLevel] ?? s.padesLevel) : '—']);
    rows.push(['Niveau RGS du certificat', s.rgsLevel ? `RGS ${'*'.repeat(s.rgsLevel)}` : 'non reconnu']);
  }
  if (s.revocation) rows.push(['Révocation', s.revocation.status === 'good' ? 'certificat non révoqué' : s.revocation.status === 'revoked' ? 'certificat révoqué' : 'inconnue']);
  rows.push(['Couvre tout le document', s.coveredWholeDocument ? 'oui' : 'non : des ajouts ont suivi']);
  rows.push(['Résultat technique', `${s.indication}${s.subIndication ? ` / ${s.subIndication}` : ''}`]);
  return html`<section class="card ${TONE[s.indication]}" aria-labelledby="sig-${i}">
<h2 id="sig-${i}">${i + 1}. ${signatureHeadline(s)}</h2>
<dl class="facts">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
${s.reasons.length > 0 ? html`<ul>${s.reasons.map((x) => html`<li>${x}</li>`)}</ul>` : ''}
</section>`;
}
