/**
 * The dossier de preuve of a signing ceremony: what a judge or an auditor
 * needs to know how the contract was signed. Each version's SHA-256 before
 * and after each signature; each signer's name and certificate (issuer,
 * serial, RGS level, token or software); when the contract was made
 * available, opened, signed or declined, from which IP address and browser or
 * tool; the timestamps; the final validation verdict. The platform seals it.
 */
import { PARTY_LABEL, rgsStars, type Party } from '../domain/ceremony.ts';
import { parisDateTime, sirenText } from './french.ts';
import { COLORS, Layout } from './layout.ts';
import { instantOf, openDocument, saveDocument, type RenderOptions } from './pdf-document.ts';

export interface EvidenceCertificate {
  subject: string;
  issuer: string;
  /** Lower-case hex. */
  serial: string;
  rgsLevel: 1 | 2 | 3;
  keyStore: 'token' | 'software' | 'unknown';
  notAfter: string;
}

export interface EvidenceSignature {
  party: Party;
  signer: string;
  certificate: EvidenceCertificate;
  sha256Before: string;
  sha256After: string;
  signedAt: string;
  /** genTime of the signature's timestamp. */
  timestampTime: string | null;
  ip: string | null;
  userAgent: string | null;
}

export interface EvidenceEvent {
  /** ISO instant. */
  at: string;
  /** What happened, in French (« contrat ouvert par le preneur »). */
  what: string;
  ip?: string | null;
  userAgent?: string | null;
}

export interface EvidenceVerdict {
  indication: string;
  /** One line per signature and document timestamp. */
  lines: string[];
  reasons: string[];
}

export interface EvidenceInput {
  dossierId: string;
  contractNumber: string;
  companyName: string;
  siren: string;
  bankName: string;
  resellerName: string;
  outcome: 'signed' | 'declined' | 'lapsed';
  /** Every document and contract version with its SHA-256. */
  documents: { label: string; sha256: string; at: string }[];
  signatures: EvidenceSignature[];
  events: EvidenceEvent[];
  timestamps: { what: string; at: string }[];
  verdict: EvidenceVerdict | null;
}

const SIZE = 8.5;
const LABEL_WIDTH = 120;

const KEY_STORE: Record<EvidenceCertificate['keyStore'], string> = {
  token: 'support matériel (jeton PKCS#11)',
  software: 'certificat logiciel (PKCS#12)',
  unknown: 'non précisé par l’autorité de certification',
};

const OUTCOME: Record<EvidenceInput['outcome'], string> = {
  signed: 'Contrat signé par les trois parties.',
  declined: 'Signature refusée : le contrat ne s’est pas formé.',
  lapsed: 'Offre expirée sans les trois signatures : le contrat ne s’est pas formé.',
};

const VERDICT: Record<string, string> = {
  TOTAL_PASSED: 'valide (TOTAL_PASSED)',
  TOTAL_FAILED: 'invalide (TOTAL_FAILED)',
  INDETERMINATE: 'indéterminé (INDETERMINATE)',
};

export async function renderEvidence(input: EvidenceInput, options: RenderOptions): Promise<Uint8Array> {
  const now = instantOf(options.now);
  const open = await openDocument(
    {
      kind: 'evidence',
      title: `Dossier de preuve — contrat n° ${input.contractNumber}`,
      subject: `Preuve de la signature électronique du contrat n° ${input.contractNumber}`,
      author: 'Passeport',
      keywords: ['dossier de preuve', 'signature électronique', input.contractNumber, input.siren],
    },
    input,
    now,
  );
  const layout = new Layout(open, { size: SIZE });
  const when = (at: string) => parisDateTime(at);

  layout.paragraph('Dossier de preuve de la signature électronique', { size: SIZE + 7, bold: true, color: COLORS.accent });
  layout.paragraph(`Contrat n° ${input.contractNumber} — dossier n° ${input.dossierId}`, { color: COLORS.muted });
  layout.rule();
  layout.keyValues(
    [
      ['Preneur', `${input.companyName}, SIREN ${sirenText(input.siren)}`],
      ['Fournisseur', input.resellerName],
      ['Bailleur', input.bankName],
      ['Résultat', OUTCOME[input.outcome]],
      ['Établi le', `${when(now.toISOString())}, par la plateforme Passeport, qui scelle ce document de son cachet électronique.`],
    ],
    LABEL_WIDTH,
  );

  layout.heading('Les signataires');
  if (input.signatures.length === 0) layout.paragraph('Personne n’a signé le contrat.');
  for (const s of input.signatures) {
    layout.ensure(layout.lineHeight() * 12);
    layout.paragraph(`${capitalise(PARTY_LABEL[s.party])} : ${s.signer}`, { bold: true });
    layout.keyValues(
      [
        ['Certificat', s.certificate.subject],
        ['Émis par', s.certificate.issuer],
        ['Numéro de série', s.certificate.serial],
        ['Niveau', `${rgsStars(s.certificate.rgsLevel)}, clé sur ${KEY_STORE[s.certificate.keyStore]}, valable jusqu’au ${when(s.certificate.notAfter)}`],
        ['Signé le', `${when(s.signedAt)}${s.timestampTime ? ` (horodatage : ${when(s.timestampTime)})` : ''}`],
        ['Depuis', origin(s.ip, s.userAgent)],
        ['SHA-256 avant', s.sha256Before],
        ['SHA-256 après', s.sha256After],
      ],
      LABEL_WIDTH,
    );
    layout.space(SIZE / 2);
  }

  layout.heading('Le déroulement');
  layout.table(
    [
      { header: 'Date (heure de Paris)', width: 110 },
      { header: 'Étape', width: 190 },
      { header: 'Adresse IP et logiciel', width: 195 },
    ],
    input.events.map((e) => [when(e.at), e.what, e.ip === undefined && e.userAgent === undefined ? '—' : origin(e.ip ?? null, e.userAgent ?? null)]),
    { size: SIZE - 1 },
  );

  layout.heading('Les documents et leurs empreintes');
  layout.table(
    [
      { header: 'Document', width: 150 },
      { header: 'Créé le', width: 95 },
      { header: 'SHA-256', width: 250 },
    ],
    input.documents.map((d) => [d.label, when(d.at), d.sha256]),
    { size: SIZE - 1.5 },
  );

  layout.heading('Les horodatages');
  if (input.timestamps.length === 0) layout.paragraph('Aucun horodatage.');
  else layout.bullets(input.timestamps.map((t) => `${t.what} : ${when(t.at)}`));

  layout.heading('La vérification finale');
  if (!input.verdict) {
    layout.paragraph('Pas de vérification finale : le contrat n’a pas reçu ses trois signatures.');
  } else {
    layout.paragraph(`Verdict du vérificateur (ETSI EN 319 102-1) : ${VERDICT[input.verdict.indication] ?? input.verdict.indication}.`, { bold: true });
    layout.bullets(input.verdict.lines);
    if (input.verdict.reasons.length > 0) layout.bullets(input.verdict.reasons);
  }
  layout.footers((page, pages) => `Dossier de preuve — contrat n° ${input.contractNumber} — page ${page} sur ${pages}`);
  return saveDocument(open);
}

function origin(ip: string | null, userAgent: string | null): string {
  return `${ip ?? 'adresse inconnue'} — ${userAgent ?? 'logiciel inconnu'}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
