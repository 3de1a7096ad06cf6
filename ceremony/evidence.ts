/**
 * The dossier de preuve's facts, gathered from what the ceremony recorded:
 * the journal of the dossier (made available, opened, prepared, signed,
 * refused, declined, reminders, lapse, extensions), the signatures with their
 * certificates and hashes, every document version, and the final
 * validation report.
 */
import type { Sql } from '../db/connect.ts';
import { getCeremony, getDocument, listDocuments, listSignatures } from '../db/repositories/ceremonies.ts';
import { listEvents } from '../db/repositories/events.ts';
import { PARTY_LABEL, PARTY_OF, PARTY_TO, isParty, type Party } from '../domain/ceremony.ts';
import type { EvidenceEvent, EvidenceInput } from '../documents/index.ts';
import type { VerificationReport } from '../signature/validation/report.ts';
import type { CertificateFacts } from './signer-check.ts';
import { loadDossierTerms } from './terms.ts';
import { CeremonyError } from './errors.ts';

interface Payload {
  party?: string;
  ip?: string | null;
  userAgent?: string | null;
  reason?: string;
  message?: string;
  level?: string;
  indication?: string;
  version?: number;
}

const who = (p: Payload): string => (isParty(p.party) ? PARTY_LABEL[p.party] : 'une partie');
const whose = (p: Payload): string => (isParty(p.party) ? PARTY_OF[p.party] : 'd’une partie');
const toWhom = (p: Payload): string => (isParty(p.party) ? PARTY_TO[p.party] : 'à une partie');

/** How each journal entry reads in the evidence; entries not listed stay out. */
const EVENT_TEXT: Record<string, (p: Payload) => string> = {
  decided: () => 'décision de la banque',
  decision_letter_sealed: () => 'lettre de décision scellée par la banque',
  contract_written: () => 'contrat établi avec ses trois champs de signature vides',
  contract_available: (p) => `contrat mis à la disposition ${whose(p)}`,
  contract_opened: (p) => `contrat ouvert par ${who(p)}${p.version !== undefined ? ` (version ${p.version})` : ''}`,
  signature_prepared: (p) => `données à signer préparées pour le certificat ${whose(p)}`,
  signature_refused: (p) => `signature ${whose(p)} refusée par la plateforme : ${p.message ?? 'raison inconnue'}`,
  contract_signed: (p) => `contrat signé par ${who(p)}`,
  signing_reminder_sent: (p) => `rappel envoyé ${toWhom(p)}`,
  contract_declined: (p) => `signature refusée par ${who(p)} : « ${p.reason ?? ''} »`,
  contract_lapsed: () => 'offre expirée sans les trois signatures',
  contract_extended: (p) => (p.level === 'B-LTA' ? 'horodatage d’archivage du contrat (PAdES B-LTA)' : 'données de validation ajoutées au contrat (PAdES B-LT)'),
  contract_validated: (p) => `vérification finale du contrat : ${p.indication ?? ''}`,
};

/** Entries a person caused carry their IP address and software. */
const BY_A_PERSON = new Set(['contract_opened', 'signature_prepared', 'signature_refused', 'contract_signed', 'contract_declined']);

export async function gatherEvidence(sql: Sql, dossierId: string): Promise<EvidenceInput> {
  const ceremony = await getCeremony(sql, dossierId);
  if (!ceremony?.contractNumber) throw new CeremonyError('CEREMONY_NO_CONTRACT', `Aucun contrat pour le dossier ${dossierId}`);
  const terms = await loadDossierTerms(sql, dossierId);
  const signatures = await listSignatures<CertificateFacts>(sql, dossierId);
  const events: EvidenceEvent[] = (await listEvents(sql, dossierId)).flatMap((e) => {
    const text = EVENT_TEXT[e.type];
    if (!text) return [];
    const p = (e.payload ?? {}) as Payload;
    return [{ at: e.at, what: text(p), ...(BY_A_PERSON.has(e.type) ? { ip: p.ip ?? null, userAgent: p.userAgent ?? null } : {}) }];
  });
  const reportDoc = await getDocument(sql, dossierId, 'validation_report');
  const report = reportDoc ? (JSON.parse(reportDoc.content.toString('utf8')) as VerificationReport) : null;
  const docTimestamps = (report?.signatures ?? []).filter((s) => s.type === 'document-timestamp' && s.timestampTime);

  return {
    dossierId,
    contractNumber: ceremony.contractNumber,
    companyName: terms.dossier.company.legalName,
    siren: terms.dossier.company.siren,
    bankName: terms.bank.name,
    resellerName: terms.reseller.name,
    outcome: ceremony.status === 'declined' || ceremony.status === 'lapsed' ? ceremony.status : 'signed',
    documents: (await listDocuments(sql, dossierId))
      .filter((d) => d.kind !== 'evidence')
      .map((d) => ({ label: documentLabel(d.kind, d.label), sha256: d.sha256, at: d.createdAt })),
    signatures: signatures.map((s) => ({
      party: s.party,
      signer: s.facts.commonName,
      certificate: {
        subject: s.facts.subject,
        issuer: s.facts.issuer,
        serial: s.facts.serial,
        rgsLevel: s.facts.rgsLevel,
        keyStore: s.facts.keyStore,
        notAfter: s.facts.notAfter,
      },
      sha256Before: s.sha256Before,
      sha256After: s.sha256After,
      signedAt: s.signedAt,
      timestampTime: s.timestampTime,
      ip: s.ip,
      userAgent: s.userAgent,
    })),
    events,
    timestamps: [
      ...signatures.filter((s) => s.timestampTime).map((s) => ({ what: `signature ${PARTY_OF[s.party as Party]}`, at: s.timestampTime! })),
      ...docTimestamps.map((t) => ({ what: `horodatage du document (champ ${t.fieldName})`, at: t.timestampTime! })),
    ],
    verdict: report
      ? {
          indication: report.indication,
          lines: report.signatures.map(
            (s) =>
              `${s.fieldName} : ${s.indication}${s.subIndication ? ` / ${s.subIndication}` : ''}` +
              (s.type === 'signature'
                ? `, niveau ${s.padesLevel ?? '?'}, ${s.signer?.subject ?? 'signataire inconnu'}, RGS ${s.rgsLevel ?? 'non reconnu'}`
                : ', horodatage de document'),
          ),
          reasons: report.reasons,
        }
      : null,
  };
}

const KIND_LABEL: Record<string, string> = {
  decision_letter: 'Lettre de décision scellée',
  dossier_summary: 'Dossier (une page)',
  validation_report: 'Rapport de validation (JSON)',
};

function documentLabel(kind: string, label: string): string {
  return kind === 'contract' ? `Contrat — ${label}` : (KIND_LABEL[kind] ?? label);
}
