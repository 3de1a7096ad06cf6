/**
 * One party's signature on the contract, in two steps (architecture.md
 * « Deferred signing »): prepare the data to be signed for the signer's
 * certificate, after checking it; then, with the value the signer's device
 * returns, complete the CMS, embed it in the party's own field, timestamp it
 * (B-T), verify the whole contract and only then keep the new version. A
 * server-side seal (the bank's) runs both steps itself.
 */
import crypto from 'node:crypto';
import type { Sql } from '../db/connect.ts';
import type { Signer } from '../certs/types.ts';
import type { RgsLevel } from '../certs/policies.ts';
import {
  ContractChangedError,
  getDocument,
  getPreparation,
  getSignatory,
  insertPreparation,
  recordSignature,
  sha256Hex,
  signatureByPreparation,
  signatureOfParty,
  type CeremonyStatus,
  type SignatureRecord,
} from '../db/repositories/ceremonies.ts';
import { getDossier } from '../db/repositories/dossiers.ts';
import { PARTY_LABEL, SIGNING_ORDER, awaiting, type Party } from '../domain/ceremony.ts';
import type { Dossier } from '../domain/dossier.ts';
import { signatureField } from '../documents/index.ts';
import { complete, prepare, type PreparedSignature } from '../signature/deferred.ts';
import { signatureMatches } from '../signature/keys.ts';
import { normaliseSignatureValue, signPdf } from '../signature/pades.ts';
import { verifyPdf } from '../signature/validation/verify-pdf.ts';
import type { VerificationReport } from '../signature/validation/report.ts';
import type { ExpectedSigner } from './identity.ts';
import type { EnginePki } from './pki-access.ts';
import { checkSignerCertificate, SigningRefused, type CertificateFacts } from './signer-check.ts';
import { dirigeantName } from './terms.ts';
import { CeremonyError } from './errors.ts';

/** Where a request came from, for the evidence. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export interface SigningContext {
  sql: Sql;
  pki: EnginePki;
  now(): Date;
}

export interface PrepareInput {
  dossierId: string;
  party: Party;
  certificate: Uint8Array;
  chain: Uint8Array[];
  requiredLevel: RgsLevel;
  client: ClientInfo;
}

export interface PreparedForSigner {
  preparationId: string;
  /** DER SET OF signed attributes: what the device signs (hashing it with `hash`). */
  dataToSign: string;
  /** Their hash, for devices that sign a digest (PKCS#11 CKM_ECDSA, remote HSMs). */
  digestToSign: string;
  hash: 'SHA-256';
  signatureAlgorithm: PreparedSignature['keyAlgorithm'];
  fieldName: string;
  facts: CertificateFacts;
}

const REASON: Record<Party, string> = {
  createur: 'Le preneur accepte le contrat',
  revendeur: 'Le fournisseur accepte le contrat',
  banque: 'Contresignature du bailleur',
};

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');

/** Who must sign for a party: the dossier's dirigeant, or the organisation's registered signatory. */
export async function expectedSigner(sql: Sql, dossierId: string, party: Party): Promise<ExpectedSigner> {
  const record = await getDossier(sql, dossierId);
  if (!record) throw new CeremonyError('CEREMONY_DOSSIER_UNKNOWN', `Dossier ${dossierId} introuvable`);
  if (party === 'createur') {
    const dossier = record.body as Dossier;
    return { name: dirigeantName(dossier), siren: dossier.company.siren };
  }
  const organisationId = party === 'revendeur' ? record.resellerId : record.bankId;
  const signatory = await getSignatory(sql, organisationId);
  if (!signatory) {
    throw new SigningRefused(
      'signatory_unknown',
      `Aucun signataire n’est enregistré pour ${PARTY_LABEL[party]} (${organisationId}) : l’administrateur du programme doit l’enregistrer.`,
    );
  }
  return { name: signatory.name, siren: signatory.siren };
}

async function latestContract(sql: Sql, dossierId: string) {
  const latest = await getDocument(sql, dossierId, 'contract');
  if (!latest) throw new CeremonyError('CEREMONY_NO_CONTRACT', `Aucun contrat pour le dossier ${dossierId}`);
  return latest;
}

export async function prepareSignatureFor(ctx: SigningContext, input: PrepareInput): Promise<PreparedForSigner> {
  const contract = await latestContract(ctx.sql, input.dossierId);
  const facts = await checkSignerCertificate(
    {
      party: input.party,
      certificate: input.certificate,
      chain: input.chain,
      expected: await expectedSigner(ctx.sql, input.dossierId, input.party),
      requiredLevel: input.requiredLevel,
      at: ctx.now(),
    },
    ctx.pki.trust,
  );
  const field = signatureField(input.party);
  const prepared = prepare(contract.content, {
    certificate: input.certificate,
    chain: input.chain,
    level: 'B-T',
    hash: 'SHA-256',
    fieldName: field.name,
    // The créateur signs first and certifies: later signers may only fill their own fields.
    certify: input.party === 'createur',
    reason: REASON[input.party],
    signingTime: ctx.now(),
  });
  const preparationId = crypto.randomUUID();
  // The prepared PDF is the base version and what the preparation appends: only the latter is kept.
  const preparedPdf = Buffer.from(prepared.state.pdf, 'base64');
  await insertPreparation(ctx.sql, {
    id: preparationId,
    dossierId: input.dossierId,
    party: input.party,
    baseVersion: contract.version,
    baseSha256: contract.sha256,
    state: { ...prepared.state, pdf: '' },
    tail: preparedPdf.subarray(contract.content.length),
    certificate: Buffer.from(input.certificate),
    facts,
    ip: input.client.ip,
    userAgent: input.client.userAgent,
  });
  return {
    preparationId,
    dataToSign: b64(prepared.toBeSigned),
    digestToSign: b64(prepared.digestToSign),
    hash: 'SHA-256',
    signatureAlgorithm: prepared.state.keyAlgorithm,
    fieldName: field.name,
    facts,
  };
}

export interface ApplyInput {
  dossierId: string;
  party: Party;
  preparationId: string;
  signatureValue: Uint8Array;
  requiredLevel: RgsLevel;
  client: ClientInfo;
}

export type AppliedSignature = SignatureRecord<CertificateFacts>;

export async function applySignature(ctx: SigningContext, input: ApplyInput): Promise<AppliedSignature> {
  const done = await signatureByPreparation<CertificateFacts>(ctx.sql, input.preparationId);
  if (done) return done;
  const prep = await getPreparation<PreparedSignature, CertificateFacts>(ctx.sql, input.preparationId);
  if (!prep || prep.dossierId !== input.dossierId || prep.party !== input.party) {
    throw new SigningRefused('unknown_preparation', 'Ces données à signer n’ont pas été préparées pour vous sur ce contrat : demandez-en de nouvelles.');
  }
  const contract = await latestContract(ctx.sql, input.dossierId);
  if (contract.version !== prep.baseVersion || contract.sha256 !== prep.baseSha256) {
    throw new SigningRefused('document_changed', 'Le contrat a changé depuis la préparation de ces données : demandez de nouvelles données à signer.');
  }
  const state: PreparedSignature = { ...prep.state, pdf: Buffer.concat([contract.content, prep.tail]).toString('base64') };
  const value = normaliseSignatureValue(input.signatureValue, state);
  if (!signatureMatches(prep.certificate, state.keyAlgorithm, state.hash, Buffer.from(state.signedAttributes, 'base64'), value)) {
    throw new SigningRefused('signature_invalid', 'La valeur de signature ne se vérifie pas avec votre certificat sur les données préparées : rien n’a été signé.');
  }
  // Revoked or expired since the preparation? Checked again, now.
  const facts = await checkSignerCertificate(
    {
      party: input.party,
      certificate: prep.certificate,
      chain: state.chain.map((c) => Buffer.from(c, 'base64')),
      expected: await expectedSigner(ctx.sql, input.dossierId, input.party),
      requiredLevel: input.requiredLevel,
      at: ctx.now(),
    },
    ctx.pki.trust,
  );
  const signed = await complete(state, value, { timestamper: ctx.pki.timestamper });
  const report = await verifyContract(ctx, signed);
  const newest = report.signatures.filter((s) => s.type === 'signature').pop();
  try {
    return (await recordSignature(ctx.sql, {
      dossierId: input.dossierId,
      party: input.party,
      preparationId: input.preparationId,
      version: prep.baseVersion + 1,
      label: `signé par ${PARTY_LABEL[input.party]}`,
      nextStatus: nextStatusAfter(input.party),
      certificate: prep.certificate,
      facts,
      sha256Before: contract.sha256,
      signatureValueSha256: sha256Hex(value),
      timestampTime: newest?.timestampTime ?? null,
      pdf: signed,
      ip: input.client.ip,
      userAgent: input.client.userAgent,
    })) as AppliedSignature;
  } catch (error) {
    if (error instanceof ContractChangedError) throw new SigningRefused('document_changed', error.message);
    throw error;
  }
}

function nextStatusAfter(party: Party): CeremonyStatus {
  const next = SIGNING_ORDER[SIGNING_ORDER.indexOf(party) + 1];
  return next ? (awaiting(next) as CeremonyStatus) : 'finalising';
}

/**
 * The engine's own check before it keeps a version: every signature so far
 * passes the project's verifier (revocation fetched from the engine's PKI) and
 * nothing forbidden was added.
 */
async function verifyContract(ctx: SigningContext, pdf: Uint8Array): Promise<VerificationReport> {
  const report = await verifyPdf(pdf, { trustAnchors: ctx.pki.trustAnchors, crls: await ctx.pki.trust.currentCrls(), fetchRevocation: ctx.pki.trust.fetchRevocation });
  if (report.indication !== 'TOTAL_PASSED') {
    const reasons = [...report.reasons, ...report.signatures.flatMap((s) => s.reasons)].slice(0, 3).join(' ; ');
    throw new SigningRefused('signature_invalid', `Le contrat signé ne passe pas la vérification (${report.indication}) : ${reasons || 'raison inconnue'}.`);
  }
  return report;
}

/**
 * A party that signs with a key the engine holds (the bank's seal): prepare, sign, apply.
 * A retry after the signature was stored finds it, rather than preparing a filled field again.
 */
export async function signWithServerKey(ctx: SigningContext, input: Omit<PrepareInput, 'certificate' | 'chain'> & { signer: Signer }): Promise<AppliedSignature> {
  const done = await signatureOfParty<CertificateFacts>(ctx.sql, input.dossierId, input.party);
  if (done) return done;
  const prepared = await prepareSignatureFor(ctx, { ...input, certificate: input.signer.certificate, chain: input.signer.chain });
  const value = await input.signer.sign(Buffer.from(prepared.dataToSign, 'base64'), prepared.hash);
  return applySignature(ctx, { ...input, preparationId: prepared.preparationId, signatureValue: value });
}

/** A document sealed by an organisation's key (a decision letter, an evidence file): B-T, invisible. */
export async function sealDocument(pdf: Uint8Array, seal: Signer, pki: EnginePki, reason: string): Promise<Buffer> {
  return signPdf(pdf, seal, { level: 'B-T', timestamper: pki.timestamper, reason, fieldName: 'cachet' });
}
