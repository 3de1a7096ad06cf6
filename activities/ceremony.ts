/**
 * The ceremony workflow's activities: thin adapters from the workflow to
 * ceremony/ (checks, deferred signing, evidence, archive), documents/ and db/.
 * Temporal retries them, so each one is idempotent: a document version is
 * stored once, a preparation signs once, journal entries and notifications
 * carry unique keys. A refusal (SigningRefused) is final and carries its code.
 */
import crypto from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Sql } from '../db/connect.ts';
import {
  describeDocument,
  ensureCompanyOrganisation,
  getArchiveDeposit,
  getCeremony,
  getDocument,
  openCeremony,
  putDocument,
  recordArchiveDeposit,
  setCeremonyStatus,
  setContractTerms,
  type StoredDocument,
} from '../db/repositories/ceremonies.ts';
import { getDossier, type DossierRecord } from '../db/repositories/dossiers.ts';
import { recordEvent } from '../db/repositories/events.ts';
import { enqueueOutbox, type OutboxKind } from '../db/repositories/outbox.ts';
import { SIGNING_ORDER, awaiting, contractNumber, requiredLevels, type Party } from '../domain/ceremony.ts';
import type { FinalDecision } from '../domain/outcomes.ts';
import { QuoteRefused } from '../domain/rents.ts';
import { DocumentError, renderContract, renderDecisionLetter, renderDossierSummary, renderEvidence, type Approval, type Refusal } from '../documents/index.ts';
import { appendDocumentTimestamp } from '../signature/doc-timestamp.ts';
import { extendPdf } from '../signature/pades.ts';
import { verifyPdf } from '../signature/validation/verify-pdf.ts';
import type { ArchiveDepositor, ArchiveObject } from '../ceremony/archive.ts';
import { gatherEvidence } from '../ceremony/evidence.ts';
import type { EnginePki } from '../ceremony/pki-access.ts';
import type { SealKeys } from '../ceremony/seals.ts';
import { SigningRefused } from '../ceremony/signer-check.ts';
import { PkiError } from '../certs/errors.ts';
import { applySignature, prepareSignatureFor, sealDocument, signWithServerKey, type AppliedSignature, type ClientInfo, type SigningContext } from '../ceremony/signing.ts';
import { approvedQuote, loadDossierTerms, type DossierTerms } from '../ceremony/terms.ts';
import type { CeremonyActivities, Closing, LetterRequest, SignatureSummary } from './ceremony-types.ts';
import { CeremonyError } from '../ceremony/errors.ts';

export interface CeremonyActivityDeps {
  sql: Sql;
  /** The engine's PKI (trust, TSA, revocation), loaded on first use. */
  pki: () => Promise<EnginePki>;
  seals: SealKeys;
  archive: ArchiveDepositor;
  now?: () => Date;
}

/** The platform's own organisation: its seal closes the evidence. */
export const PLATFORM_ORGANISATION = 'programme';

/** Failures a retry cannot fix go to the workflow at once, with their stable code. */
function final(error: unknown): never {
  if (error instanceof SigningRefused) throw ApplicationFailure.nonRetryable(error.message, error.code);
  if (error instanceof PkiError) throw ApplicationFailure.retryable(error.message, error.code);
  if (error instanceof DocumentError) throw ApplicationFailure.nonRetryable(error.message, error.code);
  if (error instanceof QuoteRefused) throw ApplicationFailure.nonRetryable(error.message, 'quote_refused');
  throw error;
}

/** A key unique to this activity execution (its retries share it). */
function executionKey(): string {
  try {
    const info = Context.current().info;
    return `${info.workflowExecution?.runId ?? ''}:${info.activityId}`;
  } catch {
    return crypto.randomUUID();
  }
}

export function partyOrganisation(record: DossierRecord, party: Party): string {
  if (party === 'createur') return record.siren;
  return party === 'revendeur' ? record.resellerId : record.bankId;
}

export function createCeremonyActivities(deps: CeremonyActivityDeps): CeremonyActivities {
  const { sql, seals, archive } = deps;
  const now = deps.now ?? (() => new Date());
  const signing = async (): Promise<SigningContext> => ({ sql, pki: await deps.pki(), now });

  async function load(dossierId: string): Promise<DossierRecord> {
    const record = await getDossier(sql, dossierId);
    if (!record) throw ApplicationFailure.retryable(`Dossier ${dossierId} introuvable pour l’instant`, 'DossierNotFoundYet');
    return record;
  }

  async function event(dossierId: string, type: string, payload: object, key: string = type): Promise<void> {
    await recordEvent(sql, dossierId, type, payload, `${dossierId}:${key}`);
  }

  async function notify(record: DossierRecord, kind: OutboxKind, parties: readonly Party[], payload: object, offsetSeconds = 0): Promise<void> {
    for (const party of parties) {
      await enqueueOutbox(sql, { dossierId: record.id, kind, recipientOrganisationId: partyOrganisation(record, party), offsetSeconds, payload: { party, ...payload } });
    }
  }

  async function refused(dossierId: string, party: Party, client: ClientInfo, error: unknown): Promise<never> {
    if (error instanceof SigningRefused) {
      await event(dossierId, 'signature_refused', { party, code: error.code, message: error.message, ...client }, `signature_refused:${executionKey()}`);
    }
    return final(error);
  }

  function summary(s: AppliedSignature): SignatureSummary {
    return {
      party: s.party,
      preparationId: s.preparationId,
      signer: s.facts.commonName,
      rgsLevel: s.facts.rgsLevel,
      signedAt: s.signedAt,
      sha256Before: s.sha256Before,
      sha256After: s.sha256After,
    };
  }

  async function signed(dossierId: string, s: AppliedSignature): Promise<SignatureSummary> {
    await event(dossierId, 'contract_signed', { party: s.party, version: s.version, sha256: s.sha256After, ip: s.ip, userAgent: s.userAgent }, `contract_signed:${s.party}`);
    return summary(s);
  }

  function letterDecision(terms: DossierTerms, decision: FinalDecision, offerExpiresOn: string): Approval | Refusal {
    if (decision.outcome === 'approved') {
      return {
        outcome: 'approved',
        decidedBy: decision.decidedBy,
        decidedAt: decision.decidedAt,
        ...(decision.conditions ? { conditions: decision.conditions } : {}),
        guarantee: terms.guarantee,
        quote: approvedQuote(terms, decision),
        offerExpiresOn,
      };
    }
    return {
      outcome: 'declined',
      decidedBy: decision.decidedBy,
      decidedAt: decision.decidedAt,
      reasonCode: decision.reasonCode ?? 'other',
      ...(decision.text ? { text: decision.text } : {}),
    };
  }

  /**
   * A document sealed with an organisation's seal. A seal not yet registered or
   * configured is waited for (retried), not a reason to end the ceremony.
   */
  async function sealed(organisationId: string, pdf: Uint8Array, reason: string): Promise<Buffer> {
    try {
      return await sealDocument(pdf, await seals.signerFor(organisationId), await deps.pki(), reason);
    } catch (error) {
      if (error instanceof SigningRefused && error.code === 'seal_unavailable') throw ApplicationFailure.retryable(error.message, 'SealNotReady');
      throw error;
    }
  }

  async function sealLetter(dossierId: string, decision: FinalDecision, offer: LetterRequest['offer']): Promise<StoredDocument> {
    const terms = await loadDossierTerms(sql, dossierId);
    const letter = await renderDecisionLetter(
      { dossierId, dossier: terms.dossier, bank: terms.bank, reseller: terms.reseller, decision: letterDecision(terms, decision, offer.expiresOn) },
      { now: decision.decidedAt },
    );
    return putDocument(sql, dossierId, {
      kind: 'decision_letter',
      label: decision.outcome === 'approved' ? 'lettre d’accord scellée' : 'lettre de refus scellée',
      mediaType: 'application/pdf',
      content: await sealed(terms.record.bankId, letter, 'Décision de la banque'),
    });
  }

  return {
    async sealDecisionLetter({ dossierId, decision, offer }: LetterRequest) {
      try {
        const stored = (await describeDocument(sql, dossierId, 'decision_letter')) ?? (await sealLetter(dossierId, decision, offer));
        // The ceremony exists, as « letter_sealed », only once its letter does.
        await openCeremony(sql, { dossierId, outcome: decision.outcome, offerExpiresAt: decision.outcome === 'approved' ? offer.lapsesAt : null });
        await event(dossierId, 'decision_letter_sealed', { outcome: decision.outcome, sha256: stored.sha256 });
        return { sha256: stored.sha256 };
      } catch (error) {
        return final(error);
      }
    },

    async writeContract({ dossierId, decision, offer }: LetterRequest) {
      try {
        const terms = await loadDossierTerms(sql, dossierId);
        const q = approvedQuote(terms, decision);
        const number = contractNumber(q.product, decision.decidedAt, dossierId);
        const levels = requiredLevels(terms.policy.requiredRgsLevels, q.amountCents);
        const company = terms.dossier.company;
        await ensureCompanyOrganisation(sql, company.siren, company.legalName);
        let contract = await describeDocument(sql, dossierId, 'contract', 0);
        if (!contract) {
          const pdf = await renderContract(
            {
              contractNumber: number,
              dossierId,
              dossier: terms.dossier,
              bank: terms.bank,
              reseller: terms.reseller,
              quote: q,
              guarantee: terms.guarantee,
              ...(decision.conditions?.depositCents ? { depositCents: decision.conditions.depositCents } : {}),
              offerExpiresOn: offer.expiresOn,
            },
            { now: decision.decidedAt },
          );
          contract = await putDocument(sql, dossierId, { kind: 'contract', version: 0, label: 'établi, sans signature', mediaType: 'application/pdf', content: pdf });
        }
        await setContractTerms(sql, dossierId, { contractNumber: number, requiredLevels: levels });
        await event(dossierId, 'contract_written', { contractNumber: number, sha256: contract.sha256, requiredLevels: levels });
        return { contractNumber: number, sha256: contract.sha256, requiredLevels: levels };
      } catch (error) {
        return final(error);
      }
    },

    async makeAvailable(dossierId, party) {
      const record = await load(dossierId);
      await setCeremonyStatus(sql, dossierId, awaiting(party) as 'awaiting_createur');
      const contract = await describeDocument(sql, dossierId, 'contract');
      const ceremony = await getCeremony(sql, dossierId);
      await event(dossierId, 'contract_available', { party, version: contract?.version, sha256: contract?.sha256 }, `contract_available:${party}`);
      await notify(record, 'signature_request', [party], { contractNumber: ceremony?.contractNumber, offerExpiresAt: ceremony?.offerExpiresAt });
    },

    async prepareSignature(dossierId, request, requiredLevel) {
      try {
        const prepared = await prepareSignatureFor(await signing(), {
          dossierId,
          party: request.party,
          certificate: Buffer.from(request.certificate, 'base64'),
          chain: request.chain.map((c) => Buffer.from(c, 'base64')),
          requiredLevel,
          client: request.client,
        });
        await event(
          dossierId,
          'signature_prepared',
          { party: request.party, preparationId: prepared.preparationId, ...request.client },
          `signature_prepared:${prepared.preparationId}`,
        );
        return prepared;
      } catch (error) {
        return refused(dossierId, request.party, request.client, error);
      }
    },

    async applySignature(dossierId, request, requiredLevel) {
      try {
        const applied = await applySignature(await signing(), {
          dossierId,
          party: request.party,
          preparationId: request.preparationId,
          signatureValue: Buffer.from(request.signatureValue, 'base64'),
          requiredLevel,
          client: request.client,
        });
        return await signed(dossierId, applied);
      } catch (error) {
        return refused(dossierId, request.party, request.client, error);
      }
    },

    async countersign(dossierId, request, requiredLevel) {
      try {
        const record = await load(dossierId);
        const applied = await signWithServerKey(await signing(), {
          dossierId,
          party: 'banque',
          requiredLevel,
          client: request.client,
          signer: await seals.signerFor(record.bankId),
        });
        return await signed(dossierId, applied);
      } catch (error) {
        // The bank is waiting on its own request: a token that cannot sign is said at once.
        const cause = error instanceof PkiError ? new SigningRefused('seal_unavailable', `Le cachet de la banque ne peut pas signer : ${error.message}`) : error;
        return refused(dossierId, 'banque', request.client, cause);
      }
    },

    async sendSigningReminder(dossierId, party, offsetSeconds) {
      const record = await load(dossierId);
      const ceremony = await getCeremony(sql, dossierId);
      // A reminder that comes late (the party signed meanwhile) would only confuse.
      if (ceremony?.status !== awaiting(party)) return;
      await notify(record, 'signature_reminder', [party], { contractNumber: ceremony.contractNumber, offerExpiresAt: ceremony.offerExpiresAt }, offsetSeconds);
      await event(dossierId, 'signing_reminder_sent', { party, offsetSeconds }, `signing_reminder_sent:${party}:${offsetSeconds}`);
    },

    async closeCeremony(dossierId, closing: Closing) {
      const record = await load(dossierId);
      await setCeremonyStatus(sql, dossierId, closing.outcome, {
        outcome: closing.outcome,
        at: closing.at,
        ...(closing.party ? { party: closing.party } : {}),
        ...(closing.reason ? { reason: closing.reason } : {}),
      });
      const payload = { party: closing.party, reason: closing.reason, ...closing.client };
      await event(dossierId, closing.outcome === 'declined' ? 'contract_declined' : 'contract_lapsed', payload);
      await notify(record, closing.outcome === 'declined' ? 'ceremony_declined' : 'ceremony_lapsed', SIGNING_ORDER, { declinedBy: closing.party, reason: closing.reason });
    },

    async finaliseContract(dossierId) {
      await setCeremonyStatus(sql, dossierId, 'finalising');
      const pki = await deps.pki();
      let contract = (await getDocument(sql, dossierId, 'contract'))!;
      const material = { certificates: [...pki.trustAnchors, ...pki.trust.intermediates] };
      if (contract.version === SIGNING_ORDER.length) {
        const lt = await extendPdf(contract.content, { level: 'B-LT', fetchers: pki.validationFetchers, material });
        contract = await putDocument(sql, dossierId, {
          kind: 'contract',
          version: contract.version + 1,
          label: 'données de validation ajoutées (B-LT)',
          mediaType: 'application/pdf',
          content: lt,
        });
        await event(dossierId, 'contract_extended', { level: 'B-LT', sha256: contract.sha256 }, 'contract_extended:B-LT');
      }
      if (contract.version === SIGNING_ORDER.length + 1) {
        const lta = await appendDocumentTimestamp(contract.content, pki.timestamper, 'SHA-256', 'horodatage-archivage');
        contract = await putDocument(sql, dossierId, {
          kind: 'contract',
          version: contract.version + 1,
          label: 'horodatage d’archivage (B-LTA)',
          mediaType: 'application/pdf',
          content: lta,
        });
        await event(dossierId, 'contract_extended', { level: 'B-LTA', sha256: contract.sha256 }, 'contract_extended:B-LTA');
      }
      // The file alone must prove itself: revocation data from the file only, nothing fetched.
      const report = await verifyPdf(contract.content, { trustAnchors: pki.trustAnchors, fileName: 'contrat-signe.pdf' });
      await putDocument(sql, dossierId, {
        kind: 'validation_report',
        label: 'rapport de validation',
        mediaType: 'application/json',
        content: Buffer.from(JSON.stringify(report, null, 2)),
      });
      await event(dossierId, 'contract_validated', { indication: report.indication, sha256: contract.sha256 });
      return { sha256: contract.sha256, indication: report.indication };
    },

    async writeEvidence(dossierId) {
      const done = await describeDocument(sql, dossierId, 'evidence');
      if (done) return { sha256: done.sha256 };
      const pdf = await renderEvidence(await gatherEvidence(sql, dossierId), { now: now() });
      const stored = await putDocument(sql, dossierId, {
        kind: 'evidence',
        label: 'dossier de preuve scellé',
        mediaType: 'application/pdf',
        content: await sealed(PLATFORM_ORGANISATION, pdf, 'Dossier de preuve de la plateforme Passeport'),
      });
      return { sha256: stored.sha256 };
    },

    async depositArchive(dossierId) {
      const done = await getArchiveDeposit(sql, dossierId);
      if (done) return { location: done.location };
      const record = await load(dossierId);
      const ceremony = await getCeremony(sql, dossierId);
      if (!ceremony) throw new CeremonyError('CEREMONY_NO_CONTRACT', `Aucune cérémonie pour le dossier ${dossierId}`);
      const terms = await loadDossierTerms(sql, dossierId);
      const summary =
        (await getDocument(sql, dossierId, 'dossier_summary')) ??
        (await putDocument(sql, dossierId, {
          kind: 'dossier_summary',
          label: 'dossier (une page)',
          mediaType: 'application/pdf',
          content: await renderDossierSummary(
            { dossierId, dossier: terms.dossier, receivedAt: record.acceptedAt, resellerName: terms.reseller.name, bankName: terms.bank.name },
            { now: record.acceptedAt },
          ),
        }));
      const object = (name: string, doc: StoredDocument | null): ArchiveObject[] => (doc ? [{ name, mediaType: doc.mediaType, content: doc.content }] : []);
      const letter = object('lettre-de-decision.pdf', await getDocument(sql, dossierId, 'decision_letter'));
      const signedOff = ceremony.status === 'finalising' || ceremony.status === 'signed';
      const objects: ArchiveObject[] =
        ceremony.outcome === 'declined'
          ? [...letter, ...object('dossier.pdf', summary)]
          : [
              ...object(signedOff ? 'contrat-signe.pdf' : 'contrat-non-signe.pdf', await getDocument(sql, dossierId, 'contract')),
              ...letter,
              ...object('dossier.pdf', summary),
              ...object('rapport-de-validation.json', await getDocument(sql, dossierId, 'validation_report')),
              ...object('dossier-de-preuve.pdf', await getDocument(sql, dossierId, 'evidence')),
            ];
      const receipt = await archive.deposit({
        documentClass: ceremony.outcome === 'declined' ? 'decision' : 'contrat',
        dossierId,
        siren: record.siren,
        parties: SIGNING_ORDER.map((role) => ({ role, id: partyOrganisation(record, role) })),
        objects,
      });
      await recordArchiveDeposit(sql, { dossierId, packageId: receipt.packageId, location: receipt.location, objects: receipt.objects });
      await event(dossierId, 'ceremony_archived', { packageId: receipt.packageId, location: receipt.location });
      if (ceremony.status === 'finalising') {
        await setCeremonyStatus(sql, dossierId, 'signed');
        await notify(record, 'contract_signed', SIGNING_ORDER, { contractNumber: ceremony.contractNumber });
      }
      return { location: receipt.location };
    },
  };
}
