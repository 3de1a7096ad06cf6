import type { SignatureReport, VerificationReport } from './report.ts';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const dateFr = (iso: string | null): string => (iso ? new Date(iso).toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long', timeStyle: 'medium' }) : '—');

/** The one-line verdict an archivist reads first. */
export function signatureHeadline(s: SignatureReport): string {
  const ts = s.type === 'document-timestamp';
  const what = ts ? 'Horodatage' : 'Signature';
  const confirmed = ts ? 'non confirmé' : 'non confirmée';
  if (s.indication === 'TOTAL_PASSED') return `${what} valide`;
  if (s.modificationsAfter.length > 0) return `${what} invalide : le document a été modifié après la signature`;
  switch (s.subIndication) {
    case 'HASH_FAILURE':
      return `${what} invalide : le document a été modifié depuis la signature`;
    case 'SIG_CRYPTO_FAILURE':
      return `${what} invalide : la valeur de signature est altérée`;
    case 'FORMAT_FAILURE':
      return `${what} invalide : la signature est mal formée`;
    case 'REVOKED':
      return `${what} invalide : le certificat a été révoqué`;
    default:
      break;
  }
  if (s.indication === 'TOTAL_FAILED') return `${what} invalide`;
  const why: Partial<Record<string, string>> = {
    TRY_LATER: 'les informations de révocation du certificat manquent',
    REVOCATION_OUT_OF_BOUNDS_NO_POE: 'les informations de révocation du certificat ne sont pas utilisables',
    NO_CERTIFICATE_CHAIN_FOUND: 'le certificat ne se rattache à aucune autorité de confiance',
    OUT_OF_BOUNDS_NO_POE: 'le certificat n’était pas valide à la date de vérification',
    OUT_OF_BOUNDS_NOT_REVOKED: 'le certificat n’était pas valide à la date de vérification',
    NO_SIGNING_CERTIFICATE_FOUND: 'le signataire n’est pas identifié avec certitude',
    CHAIN_CONSTRAINTS_FAILURE: 'le certificat ne remplit pas les exigences',
    CRYPTO_CONSTRAINTS_FAILURE: 'un algorithme utilisé n’est pas accepté',
  };
  return `${what} ${confirmed} : ${why[s.subIndication ?? ''] ?? 'la vérification n’a pas pu aboutir'}`;
}

export function documentHeadline(r: VerificationReport): string {
  if (r.indication === 'TOTAL_PASSED') return 'Document valide : toutes les signatures sont valides et rien n’a été modifié après elles';
  if (r.signatures.length === 0) return r.reasons[0] ? `Document non vérifiable : ${r.reasons[0]}` : 'Document non vérifiable';
  if (r.indication === 'TOTAL_FAILED') return 'Document invalide : au moins une signature est invalide ou le document a été modifié';
  return 'Document non confirmé : au moins une signature n’a pas pu être vérifiée entièrement';
}

const LEVEL_TEXT: Record<string, string> = {
  'B-B': 'B-B (signature de base)',
  'B-T': 'B-T (signature horodatée)',
  'B-LT': 'B-LT (avec les données de validation)',
  'B-LTA': 'B-LTA (archivage à long terme)',
  PKCS7: 'ancien format PKCS#7 (hors niveaux PAdES)',
  none: 'inférieur à B-B',
};

function card(s: SignatureReport, i: number): string {
  const ok = s.indication === 'TOTAL_PASSED';
  const cls = ok ? 'ok' : s.indication === 'TOTAL_FAILED' ? 'ko' : 'warn';
  const rows: [string, string][] = [
    ['Champ', s.fieldName],
    ['Signataire', s.signer ? s.signer.subject : 'inconnu'],
    ['Émetteur du certificat', s.signer?.issuer ?? '—'],
    ['Date annoncée par le signataire', dateFr(s.claimedTime)],
    ['Date prouvée par horodatage', dateFr(s.timestampTime)],
  ];
  if (s.type === 'signature') {
    rows.push(['Niveau PAdES', s.padesLevel ? (LEVEL_TEXT[s.padesLevel] ?? s.padesLevel) : '—']);
    rows.push(['Niveau RGS du certificat', s.rgsLevel ? `RGS ${'*'.repeat(s.rgsLevel)}` : 'non reconnu']);
    if (s.meetsRequiredLevel !== null) rows.push(['Niveau exigé atteint', s.meetsRequiredLevel ? 'oui' : 'non']);
  }
  rows.push(['Couvre tout le document', s.coveredWholeDocument ? 'oui' : 'non (des ajouts ont suivi)']);
  rows.push(['Résultat technique', `${s.indication}${s.subIndication ? ` / ${s.subIndication}` : ''}`]);
  return `<section class="card ${cls}">
<h2>${i + 1}. ${esc(signatureHeadline(s))}</h2>
<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
${s.reasons.length ? `<ul>${s.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : ''}
</section>`;
}

/** A self-contained, printable French report. */
export function renderHtmlReport(reports: VerificationReport[]): string {
  const body = reports
    .map((r) => {
      const cls = r.indication === 'TOTAL_PASSED' ? 'ok' : r.indication === 'TOTAL_FAILED' ? 'ko' : 'warn';
      return `<article>
<header class="doc ${cls}"><h1>${esc(r.file || 'Document')}</h1><p class="verdict">${esc(documentHeadline(r))}</p>
<p class="meta">Vérifié le ${esc(dateFr(r.verifiedAt))} · ${r.size} octets · SHA-256 ${esc(r.sha256)} · ${r.revisions} version(s) du fichier${r.requiredRgsLevel ? ` · niveau exigé : RGS ${'*'.repeat(r.requiredRgsLevel)}` : ''}</p>
${r.reasons.length ? `<ul>${r.reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''}</header>
${r.signatures.map(card).join('\n')}
</article>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Rapport de vérification</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#111;line-height:1.4}
h1{font-size:1.2rem;margin:0 0 .3rem}h2{font-size:1.05rem;margin:0 0 .5rem}
article{margin-bottom:2.5rem;page-break-after:always}
.doc{padding:1rem;border-radius:.4rem;margin-bottom:1rem}.verdict{font-weight:bold;font-size:1.1rem}
.meta{font-size:.85rem;color:#444;word-break:break-all}
.card{border:2px solid;border-radius:.4rem;padding:1rem;margin:.8rem 0;page-break-inside:avoid}
.ok{border-color:#1b7f3b;background:#eef8f0}.ko{border-color:#b42318;background:#fdf0ee}.warn{border-color:#b54708;background:#fef6e7}
table{border-collapse:collapse;width:100%}th{text-align:left;width:16rem;font-weight:normal;color:#444}td,th{padding:.15rem .4rem;vertical-align:top}
@media print{body{margin:0}.card,.doc{background:none}}
</style></head><body>
<p style="font-size:1.5rem;font-weight:bold">Rapport de vérification</p>
${body}
</body></html>
`;
}
