/**
 * The contract's signature on each party's dossier page (issue 13's ceremony):
 * where it stands (whose turn, signatures so far, the level each party needs),
 * the documents to read, and what this person can do now — sign with their
 * software certificate in the browser (web/client/contract-signer.ts: the
 * PKCS#12 file is opened locally, only the signature value is sent), follow the
 * USB-token tool's instructions, countersign with the bank's seal, or decline
 * with a reason. Every step goes through the API's signing routes as the
 * signed-in person, so the engine's checks and refusals are the only ones.
 */
import type { FastifyRequest } from 'fastify';
import type { DossierRecord } from '../../db/repositories/dossiers.ts';
import { DECLINE_REASON_MAX, SIGNING_ORDER, type Party } from '../../domain/ceremony.ts';
import { dateFr, dateTimeFr } from '../format.ts';
import { formValue, textareaField, type FormBody } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { CSRF_FIELD } from '../session.ts';
import { callApi, problemDetail, problemErrors, sessionOfPage, type WebContext } from '../context.ts';
import { pkcs12SigningForm } from './p12-form.ts';

/** What GET /v1/dossiers/{id}/contract answers (api/routes/signing.ts, ContractStatus). */
export interface ContractStatus {
  party: Party | null;
  status: string;
  contractNumber: string | null;
  offerExpiresAt: string | null;
  requiredLevels: Record<Party, number> | null;
  turn: Party | null;
  signatures: { party: Party; signer: string; rgsLevel: number; signedAt: string }[];
  closing: { outcome: 'declined' | 'lapsed'; party?: Party; reason?: string; at: string } | null;
  contract: { version: number; sha256: string; label: string } | null;
  archive: { packageId: string; location: string } | null;
}

/** The decline form as it was sent, and the engine's answer, to show again next to the field. */
export interface SigningFormState {
  which?: 'decline' | 'countersign';
  reason?: string;
  error?: string;
}

const WHO: Record<Party, string> = { createur: 'Le créateur (preneur)', revendeur: 'Le revendeur (fournisseur)', banque: 'La banque (bailleur)' };
const YOU: Record<Party, string> = { createur: 'vous, le créateur', revendeur: 'vous, le revendeur', banque: 'vous, la banque' };
/** The party's dossier page, by role. */
const PAGE_OF: Record<Party, string> = { createur: '/createur/dossiers', revendeur: '/revendeur/dossiers', banque: '/banque/dossiers' };
/** The party names of `passeport sign --party`. */
const CLI_PARTY: Record<Party, string> = { createur: 'createur', revendeur: 'revendeur', banque: 'banque' };

/** The browser modules of a page where one may sign: the PKCS#12 form, and the signing steps. */
export const SIGNING_SCRIPTS = ['p12-signer.js', 'contract-signer.js'];

const stars = (level: number | undefined) => (level ? `RGS ${'*'.repeat(level)}` : '—');

export function dossierPage(party: Party, dossierId: string): string {
  return `${PAGE_OF[party]}/${dossierId}`;
}

/** The ceremony as the API reports it to this person; null while the contract is being prepared (or signing is off). */
export async function contractStatus(ctx: WebContext, request: FastifyRequest, dossierId: string): Promise<ContractStatus | null> {
  const answer = await callApi<ContractStatus>(ctx, request, { method: 'GET', url: `/v1/dossiers/${dossierId}/contract` });
  return answer.status === 200 ? answer.body : null;
}

/** The section « Le contrat et sa signature » of an approved dossier's page, for this party. */
export async function contractSection(ctx: WebContext, request: FastifyRequest, d: DossierRecord, party: Party, state: SigningFormState = {}): Promise<SafeHtml | null> {
  if (d.status !== 'approved') return null;
  const c = await contractStatus(ctx, request, d.id);
  return html`<section aria-labelledby="contrat" class="block" id="signature-contrat">
<h2 id="contrat">Le contrat et sa signature</h2>
${c && c.status !== 'letter_sealed' ? ceremonyView(ctx, request, d, party, c, state) : notYetOffered(d, ctx.now())}
</section>`;
}

/** A contract is written within seconds of the accord; long after it, online signing is not running on this server. */
const PREPARATION_SECONDS = 10 * 60;

function notYetOffered(d: DossierRecord, now: Date): SafeHtml {
  const decidedAt = d.decidedAt ? new Date(d.decidedAt).getTime() : now.getTime();
  if (now.getTime() - decidedAt > PREPARATION_SECONDS * 1000) {
    return html`<p>La signature en ligne n’est pas ouverte pour ce dossier. Le contrat sera signé autrement : votre interlocuteur au programme vous dira comment.</p>`;
  }
  return html`<p>Le contrat est en préparation : il apparaîtra ici dans un instant (rechargez la page). On signe dans cet ordre : le créateur, puis le revendeur, puis la banque.</p>`;
}

function ceremonyView(ctx: WebContext, request: FastifyRequest, d: DossierRecord, party: Party, c: ContractStatus, state: SigningFormState): SafeHtml {
  const signedBy = new Map(c.signatures.map((s) => [s.party, s]));
  const open = c.turn !== null;
  return html`${c.contractNumber ? html`<p>Contrat n° <strong>${c.contractNumber}</strong>${c.offerExpiresAt && open ? html` · offre valable jusqu’au <strong>${dateFr(c.offerExpiresAt)}</strong> inclus` : ''}.</p>` : ''}
<ol class="steps" aria-label="Les trois signatures, dans l’ordre">
${SIGNING_ORDER.map((p) => {
  const s = signedBy.get(p);
  const state = s
    ? html`<span class="badge ok">signé</span> le ${dateTimeFr(s.signedAt)} par ${s.signer} (${stars(s.rgsLevel)})`
    : c.turn === p
      ? html`<span class="badge warn">à son tour</span>`
      : html`<span class="badge info">en attente</span>`;
  return html`<li${c.turn === p ? html` aria-current="step"` : ''}><strong>${p === party ? `${WHO[p]} — ${YOU[p].split(',')[0]}` : WHO[p]}</strong> : ${state}<br><span class="hint">Niveau de certificat exigé : ${stars(c.requiredLevels?.[p])}</span></li>`;
})}
</ol>
${documents(d.id, c)}
${nextStep(ctx, request, d, party, c, state)}
${open && !signedBy.has(party) ? declineForm(d.id, party, sessionOfPage(request).csrfToken, state) : ''}`;
}

function documents(dossierId: string, c: ContractStatus): SafeHtml {
  const finished = c.status === 'signed';
  return html`<ul class="documents">
${c.contract ? html`<li><a href="/v1/dossiers/${dossierId}/contract/document" target="_blank" rel="noopener">${finished ? 'Le contrat signé par les trois parties (PDF)' : 'Lire le contrat (PDF)'}</a> <span class="hint">— ${c.contract.label}</span></li>` : ''}
<li><a href="/v1/dossiers/${dossierId}/decision-letter" target="_blank" rel="noopener">La lettre de décision de la banque (PDF)</a></li>
${finished || c.closing ? html`<li><a href="/v1/dossiers/${dossierId}/contract/evidence" target="_blank" rel="noopener">Le dossier de preuve de la signature (PDF)</a></li>` : ''}
</ul>`;
}

function nextStep(ctx: WebContext, request: FastifyRequest, d: DossierRecord, party: Party, c: ContractStatus, state: SigningFormState): SafeHtml {
  if (c.closing?.outcome === 'declined') {
    return html`<div class="alert" role="status"><p><strong>La signature est arrêtée</strong> : ${c.closing.party ? WHO[c.closing.party].toLowerCase() : 'une partie'} a refusé de signer le ${dateTimeFr(c.closing.at)}.</p>${c.closing.reason ? html`<p>Motif : ${c.closing.reason}</p>` : ''}</div>`;
  }
  if (c.closing?.outcome === 'lapsed' || c.status === 'lapsed') {
    return html`<div class="alert" role="status"><p><strong>L’offre a expiré</strong> le ${dateTimeFr(c.closing?.at ?? c.offerExpiresAt ?? '')} sans toutes les signatures : le contrat ne peut plus être signé. Une nouvelle demande reste possible.</p></div>`;
  }
  if (c.status === 'finalising') {
    return html`<p class="notice" role="status">Les trois signatures sont faites. La plateforme ajoute les preuves de validité et l’horodatage d’archivage, puis range le contrat dans le coffre-fort : rechargez la page dans un instant.</p>`;
  }
  if (c.status === 'signed') {
    return html`<div class="notice" role="status"><p><strong>Le contrat est signé par les trois parties.</strong> Téléchargez-le avec le lien ci-dessus et gardez-le.</p>
${c.archive ? html`<p>Il est conservé dix ans dans le coffre-fort électronique de la plateforme (paquet <strong>${c.archive.packageId}</strong>) : en cas de litige, l’archiviste peut en prouver l’intégrité.</p>` : ''}</div>`;
  }
  if (c.turn !== party) {
    const mine = c.signatures.some((s) => s.party === party);
    return html`<p>${mine ? 'Vous avez signé. ' : ''}C’est au tour ${c.turn === 'createur' ? 'du créateur' : c.turn === 'revendeur' ? 'du revendeur' : 'de la banque'} de signer${mine ? '' : ' : vous signerez ensuite'}. Cette page se met à jour quand vous la rechargez.</p>`;
  }
  if (party === 'banque') return countersignForm(d.id, sessionOfPage(request).csrfToken, state.which === 'countersign' ? state.error : undefined);
  return signingBlock(ctx, d.id, party, c.requiredLevels?.[party]);
}

function signingBlock(ctx: WebContext, dossierId: string, party: Party, level: number | undefined): SafeHtml {
  return html`<div class="card warn" id="signer-maintenant">
<h3>À vous de signer</h3>
<p>${
    party === 'createur'
      ? 'Lisez d’abord le contrat en entier (lien ci-dessus). En signant, vous vous engagez à payer tous les loyers jusqu’à la fin du contrat.'
      : 'Vérifiez le contrat (lien ci-dessus). En signant, vous confirmez comme fournisseur l’équipement, son prix et sa livraison.'
  }
Il faut un certificat de niveau <strong>${stars(level)}</strong> à votre nom.</p>
<h4>Avec un certificat en fichier</h4>
<div data-contract-signing data-dossier="${dossierId}" data-party="${party}">
${pkcs12SigningForm(ctx.assets, 'certificat')}
<div data-sign-result role="alert" aria-live="assertive"></div>
</div>
<details><summary>Avec une clé USB (certificat sur un jeton)</summary>
<p>Le navigateur ne peut pas utiliser une clé USB. Branchez-la, puis, sur l’ordinateur où l’outil Passeport est installé, tapez :</p>
<pre><code>passeport sign --dossier ${dossierId} --party ${CLI_PARTY[party]} --token-label &lt;nom de votre clé&gt;</code></pre>
<p>L’outil vous demande le code de la clé, montre le contrat, puis signe. La clé privée ne quitte jamais la clé USB. Revenez ensuite sur cette page : elle dira que vous avez signé.</p>
</details>
</div>`;
}

function countersignForm(dossierId: string, csrf: string, error: string | undefined): SafeHtml {
  return html`<form method="post" action="/banque/dossiers/${dossierId}/contresignature" class="card warn">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<h3>À vous de contresigner</h3>
${error ? html`<div class="alert" role="alert"><p>${error}</p></div>` : ''}
<p>Le créateur et le revendeur ont signé. La contresignature est faite par le cachet électronique de la banque (RGS ***), conservé sur le jeton du serveur : personne ne tape de code ici.</p>
<button type="submit" class="primary">Contresigner avec le cachet de la banque</button>
</form>`;
}

function declineForm(dossierId: string, party: Party, csrf: string, state: SigningFormState): SafeHtml {
  const failed = state.which === 'decline' && state.error;
  const errors = new Map(failed ? [['reason', state.error!]] : []);
  return html`<details class="decline"${failed ? ' open' : ''}><summary>Refuser de signer</summary>
<form method="post" action="${dossierPage(party, dossierId)}/refus" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<p>Refuser arrête la signature pour tout le monde : les autres parties sont prévenues, avec votre motif.</p>
${textareaField({ name: 'reason', label: 'Pourquoi refusez-vous de signer ?', value: state.reason ?? '', errors, maxLength: DECLINE_REASON_MAX, required: true })}
<button type="submit" class="danger">Refuser de signer</button>
</form>
</details>`;
}

export type StepOutcome = { done: true } | { done: false; state: SigningFormState; status: number };

/** Sends the decline form to the API as the signed-in person. */
export async function declineStep(ctx: WebContext, request: FastifyRequest, d: DossierRecord, party: Party, body: FormBody): Promise<StepOutcome> {
  const reason = formValue(body, 'reason');
  const answer = await callApi(ctx, request, { method: 'POST', url: `/v1/dossiers/${d.id}/contract/${party}/decline`, body: { reason } });
  if (answer.status === 200) return { done: true };
  return { done: false, state: { which: 'decline', reason, error: problemErrors(answer.body).get('reason') ?? problemDetail(answer.body) }, status: answer.status };
}

/** The bank's seal countersigns, server-side. */
export async function countersignStep(ctx: WebContext, request: FastifyRequest, d: DossierRecord): Promise<StepOutcome> {
  const answer = await callApi(ctx, request, { method: 'POST', url: `/v1/dossiers/${d.id}/contract/banque/countersignature`, body: {} });
  if (answer.status === 200) return { done: true };
  return { done: false, state: { which: 'countersign', error: problemDetail(answer.body) }, status: answer.status };
}

/** The notice a dossier page shows after a step (?signature=…). */
export function stepNotice(query: string | undefined): string | undefined {
  if (query === 'refus') return 'Votre refus est enregistré : les autres parties sont prévenues.';
  if (query === 'contresigne') return 'Contresignature faite : la plateforme termine le contrat et le range dans le coffre-fort.';
  if (query === 'signe') return 'Votre signature est enregistrée.';
  return undefined;
}
