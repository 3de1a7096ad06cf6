/**
 * The signing ceremony's tables (migration 0600_ceremony.sql): the ceremony
 * itself, its documents and contract versions, the data prepared for each
 * signer, the signatures, who signs for an organisation and its seal key.
 * Activities are retried: every write is idempotent.
 */
import crypto from 'node:crypto';
import type { Sql } from '../connect.ts';
import type { CeremonyStage, Party, RequiredLevels } from '../../domain/ceremony.ts';
import { PasseportError } from '../../errors/index.ts';

export type CeremonyStatus = Exclude<CeremonyStage, 'sealing_letter' | 'writing_contract'>;

export interface CeremonyClosing {
  outcome: 'declined' | 'lapsed';
  party?: Party;
  reason?: string;
  at: string;
}

export interface CeremonyRecord {
  dossierId: string;
  outcome: 'approved' | 'declined';
  status: CeremonyStatus;
  contractNumber: string | null;
  offerExpiresAt: string | null;
  requiredLevels: RequiredLevels | null;
  closing: CeremonyClosing | null;
  createdAt: string;
  updatedAt: string;
}

export const sha256Hex = (bytes: Uint8Array): string => crypto.createHash('sha256').update(bytes).digest('hex');

interface CeremonyRow {
  dossier_id: string;
  outcome: 'approved' | 'declined';
  status: CeremonyStatus;
  contract_number: string | null;
  offer_expires_at: Date | null;
  required_levels: RequiredLevels | null;
  closing: CeremonyClosing | null;
  created_at: Date;
  updated_at: Date;
}

export async function getCeremony(sql: Sql, dossierId: string): Promise<CeremonyRecord | null> {
  const [r] = await sql<CeremonyRow[]>`select * from ceremonies where dossier_id = ${dossierId}`;
  if (!r) return null;
  return {
    dossierId: r.dossier_id,
    outcome: r.outcome,
    status: r.status,
    contractNumber: r.contract_number,
    offerExpiresAt: r.offer_expires_at?.toISOString() ?? null,
    requiredLevels: r.required_levels,
    closing: r.closing,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** Creates the ceremony row once (a retry finds it). */
export async function openCeremony(sql: Sql, c: { dossierId: string; outcome: 'approved' | 'declined'; offerExpiresAt: string | null }): Promise<void> {
  await sql`insert into ceremonies (dossier_id, outcome, status, offer_expires_at)
    values (${c.dossierId}, ${c.outcome}, 'letter_sealed', ${c.offerExpiresAt})
    on conflict (dossier_id) do nothing`;
}

export async function setContractTerms(sql: Sql, dossierId: string, terms: { contractNumber: string; requiredLevels: RequiredLevels }): Promise<void> {
  await sql`update ceremonies set contract_number = ${terms.contractNumber}, required_levels = ${sql.json(terms.requiredLevels)}, updated_at = now()
    where dossier_id = ${dossierId}`;
}

/** Moves the ceremony on; a closed ceremony (signed, declined, lapsed) never moves again. */
export async function setCeremonyStatus(sql: Sql, dossierId: string, status: CeremonyStatus, closing?: CeremonyClosing): Promise<void> {
  await sql`update ceremonies set status = ${status}, closing = coalesce(${closing ? sql.json(closing as never) : null}, closing), updated_at = now()
    where dossier_id = ${dossierId} and status not in ('signed', 'declined', 'lapsed')`;
}

// ── Documents and contract versions ─────────────────────────────────────────

export type DocumentKind = 'decision_letter' | 'dossier_summary' | 'contract' | 'evidence' | 'validation_report';

export interface StoredDocument {
  kind: DocumentKind;
  version: number;
  label: string;
  mediaType: string;
  content: Buffer;
  sha256: string;
  createdAt: string;
}

interface DocumentRow {
  kind: DocumentKind;
  version: number;
  label: string;
  media_type: string;
  content: Buffer;
  sha256: string;
  created_at: Date;
}

const toDocument = (r: DocumentRow): StoredDocument => ({
  kind: r.kind,
  version: r.version,
  label: r.label,
  mediaType: r.media_type,
  content: r.content,
  sha256: r.sha256,
  createdAt: r.created_at.toISOString(),
});

/**
 * Stores a document version once. When a retried activity made other bytes
 * (a new timestamp), the first stored ones win and are returned.
 */
export async function putDocument(
  sql: Sql,
  dossierId: string,
  doc: { kind: DocumentKind; version?: number; label: string; mediaType: string; content: Uint8Array },
): Promise<StoredDocument> {
  const version = doc.version ?? 0;
  const content = Buffer.from(doc.content.buffer, doc.content.byteOffset, doc.content.length);
  await sql`insert into ceremony_documents (dossier_id, kind, version, label, media_type, content, sha256)
    values (${dossierId}, ${doc.kind}, ${version}, ${doc.label}, ${doc.mediaType}, ${content}, ${sha256Hex(content)})
    on conflict (dossier_id, kind, version) do nothing`;
  return (await getDocument(sql, dossierId, doc.kind, version))!;
}

export type DocumentInfo = Omit<StoredDocument, 'content'>;

/** What a document is (version, label, hash) without its bytes: the given version, or the latest. */
export async function describeDocument(sql: Sql, dossierId: string, kind: DocumentKind, version?: number): Promise<DocumentInfo | null> {
  const rows =
    version === undefined
      ? await sql<Omit<DocumentRow, 'content'>[]>`select kind, version, label, media_type, sha256, created_at from ceremony_documents
          where dossier_id = ${dossierId} and kind = ${kind} order by version desc limit 1`
      : await sql<Omit<DocumentRow, 'content'>[]>`select kind, version, label, media_type, sha256, created_at from ceremony_documents
          where dossier_id = ${dossierId} and kind = ${kind} and version = ${version}`;
  const r = rows[0];
  return r ? { kind: r.kind, version: r.version, label: r.label, mediaType: r.media_type, sha256: r.sha256, createdAt: r.created_at.toISOString() } : null;
}

/** A document of the ceremony: the given version, or the latest. */
export async function getDocument(sql: Sql, dossierId: string, kind: DocumentKind, version?: number): Promise<StoredDocument | null> {
  const rows =
    version === undefined
      ? await sql<DocumentRow[]>`select kind, version, label, media_type, content, sha256, created_at from ceremony_documents
          where dossier_id = ${dossierId} and kind = ${kind} order by version desc limit 1`
      : await sql<DocumentRow[]>`select kind, version, label, media_type, content, sha256, created_at from ceremony_documents
          where dossier_id = ${dossierId} and kind = ${kind} and version = ${version}`;
  return rows[0] ? toDocument(rows[0]) : null;
}

/** Every version of every document, without their bytes (for the evidence). */
export async function listDocuments(sql: Sql, dossierId: string): Promise<DocumentInfo[]> {
  const rows = await sql<Omit<DocumentRow, 'content'>[]>`
    select kind, version, label, media_type, sha256, created_at from ceremony_documents
    where dossier_id = ${dossierId} order by kind, version`;
  return rows.map((r) => ({ kind: r.kind, version: r.version, label: r.label, mediaType: r.media_type, sha256: r.sha256, createdAt: r.created_at.toISOString() }));
}

// ── Prepared signatures and applied signatures ─────────────────────────────

export interface Preparation<State = unknown, Facts = unknown> {
  id: string;
  dossierId: string;
  party: Party;
  baseVersion: number;
  baseSha256: string;
  state: State;
  /** The bytes the preparation appends to the base version. */
  tail: Buffer;
  certificate: Buffer;
  facts: Facts;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
}

export async function insertPreparation(sql: Sql, p: Omit<Preparation, 'createdAt'>): Promise<void> {
  await sql`insert into signing_preparations (id, dossier_id, party, base_version, base_sha256, state, tail, certificate, facts, ip, user_agent)
    values (${p.id}, ${p.dossierId}, ${p.party}, ${p.baseVersion}, ${p.baseSha256}, ${sql.json(p.state as never)},
            ${p.tail}, ${p.certificate}, ${sql.json(p.facts as never)}, ${p.ip}, ${p.userAgent})
    on conflict (id) do nothing`;
}

export async function getPreparation<State, Facts>(sql: Sql, id: string): Promise<Preparation<State, Facts> | null> {
  const [r] = await sql<
    {
      id: string;
      dossier_id: string;
      party: Party;
      base_version: number;
      base_sha256: string;
      state: State;
      tail: Buffer;
      certificate: Buffer;
      facts: Facts;
      ip: string | null;
      user_agent: string | null;
      created_at: Date;
    }[]
  >`select * from signing_preparations where id = ${id}`;
  if (!r) return null;
  return {
    id: r.id,
    dossierId: r.dossier_id,
    party: r.party,
    baseVersion: r.base_version,
    baseSha256: r.base_sha256,
    state: r.state,
    tail: r.tail,
    certificate: r.certificate,
    facts: r.facts,
    ip: r.ip,
    userAgent: r.user_agent,
    createdAt: r.created_at.toISOString(),
  };
}

export interface SignatureRecord<Facts = unknown> {
  dossierId: string;
  party: Party;
  preparationId: string;
  version: number;
  certificate: Buffer;
  facts: Facts;
  sha256Before: string;
  sha256After: string;
  signatureValueSha256: string;
  timestampTime: string | null;
  signedAt: string;
  ip: string | null;
  userAgent: string | null;
}

interface SignatureRow {
  dossier_id: string;
  party: Party;
  preparation_id: string;
  version: number;
  certificate: Buffer;
  facts: unknown;
  sha256_before: string;
  sha256_after: string;
  signature_value_sha256: string;
  timestamp_time: Date | null;
  signed_at: Date;
  ip: string | null;
  user_agent: string | null;
}

function toSignature<Facts>(r: SignatureRow): SignatureRecord<Facts> {
  return {
    dossierId: r.dossier_id,
    party: r.party,
    preparationId: r.preparation_id,
    version: r.version,
    certificate: r.certificate,
    facts: r.facts as Facts,
    sha256Before: r.sha256_before,
    sha256After: r.sha256_after,
    signatureValueSha256: r.signature_value_sha256,
    timestampTime: r.timestamp_time?.toISOString() ?? null,
    signedAt: r.signed_at.toISOString(),
    ip: r.ip,
    userAgent: r.user_agent,
  };
}

export async function listSignatures<Facts>(sql: Sql, dossierId: string): Promise<SignatureRecord<Facts>[]> {
  const rows = await sql<SignatureRow[]>`select * from contract_signatures where dossier_id = ${dossierId} order by version`;
  return rows.map((r) => toSignature<Facts>(r));
}

export async function signatureOfParty<Facts>(sql: Sql, dossierId: string, party: Party): Promise<SignatureRecord<Facts> | null> {
  const [r] = await sql<SignatureRow[]>`select * from contract_signatures where dossier_id = ${dossierId} and party = ${party}`;
  return r ? toSignature<Facts>(r) : null;
}

export async function signatureByPreparation<Facts>(sql: Sql, preparationId: string): Promise<SignatureRecord<Facts> | null> {
  const [r] = await sql<SignatureRow[]>`select * from contract_signatures where preparation_id = ${preparationId}`;
  return r ? toSignature<Facts>(r) : null;
}

/** Thrown when the contract moved on since the preparation (another signature landed first). */
export class ContractChangedError extends PasseportError<'CONTRACT_CHANGED'> {
  constructor(message: string) {
    super('CONTRACT_CHANGED', message);
  }
}

/**
 * Stores the signed version and its signature in one transaction, under a
 * lock on the ceremony: the version must follow the one the preparation was
 * made on, and a party signs once; the ceremony passes to `nextStatus`.
 */
export async function recordSignature(
  sql: Sql,
  s: Omit<SignatureRecord, 'signedAt' | 'sha256After'> & { pdf: Uint8Array; label: string; nextStatus: CeremonyStatus },
): Promise<SignatureRecord> {
  return sql.begin(async (tx) => {
    await tx`select 1 from ceremonies where dossier_id = ${s.dossierId} for update`;
    const [done] = await tx<SignatureRow[]>`select * from contract_signatures where preparation_id = ${s.preparationId}`;
    if (done) return toSignature(done);
    const [latest] = await tx<{ version: number }[]>`
      select max(version)::int as version from ceremony_documents where dossier_id = ${s.dossierId} and kind = 'contract'`;
    if (latest?.version !== s.version - 1) throw new ContractChangedError('Le contrat a changé depuis la préparation de cette signature.');
    const [party] = await tx`select 1 from contract_signatures where dossier_id = ${s.dossierId} and party = ${s.party}`;
    if (party) throw new ContractChangedError('Cette partie a déjà signé le contrat.');
    const content = Buffer.from(s.pdf.buffer, s.pdf.byteOffset, s.pdf.length);
    const sha256After = sha256Hex(content);
    await tx`insert into ceremony_documents (dossier_id, kind, version, label, media_type, content, sha256)
      values (${s.dossierId}, 'contract', ${s.version}, ${s.label}, 'application/pdf', ${content}, ${sha256After})`;
    // The ceremony moves on in the same transaction: whoever reads it next sees the next party's turn.
    await tx`update ceremonies set status = ${s.nextStatus}, updated_at = now() where dossier_id = ${s.dossierId}`;
    const [row] = await tx<SignatureRow[]>`
      insert into contract_signatures (dossier_id, party, preparation_id, version, certificate, facts, sha256_before, sha256_after,
        signature_value_sha256, timestamp_time, ip, user_agent)
      values (${s.dossierId}, ${s.party}, ${s.preparationId}, ${s.version}, ${s.certificate}, ${tx.json(s.facts as never)},
        ${s.sha256Before}, ${sha256After}, ${s.signatureValueSha256}, ${s.timestampTime}, ${s.ip}, ${s.userAgent})
      returning *`;
    return toSignature(row!);
  });
}

// ── Who signs for an organisation, and its seal ────────────────────────────

export interface Signatory {
  organisationId: string;
  siren: string;
  name: string;
  title: string | null;
}

export async function getSignatory(sql: Sql, organisationId: string): Promise<Signatory | null> {
  const [r] = await sql<{ organisation_id: string; siren: string; name: string; title: string | null }[]>`
    select * from organisation_signatories where organisation_id = ${organisationId}`;
  return r ? { organisationId: r.organisation_id, siren: r.siren, name: r.name, title: r.title } : null;
}

export async function upsertSignatory(sql: Sql, s: Signatory): Promise<void> {
  await sql`insert into organisation_signatories (organisation_id, siren, name, title)
    values (${s.organisationId}, ${s.siren}, ${s.name}, ${s.title})
    on conflict (organisation_id) do update set siren = excluded.siren, name = excluded.name, title = excluded.title`;
}

export interface SealRegistration {
  organisationId: string;
  tokenLabel: string;
  keyLabel: string;
  certificate: Buffer;
}

export async function getSeal(sql: Sql, organisationId: string): Promise<SealRegistration | null> {
  const [r] = await sql<{ organisation_id: string; token_label: string; key_label: string; certificate: Buffer }[]>`
    select organisation_id, token_label, key_label, certificate from organisation_seals where organisation_id = ${organisationId}`;
  return r ? { organisationId: r.organisation_id, tokenLabel: r.token_label, keyLabel: r.key_label, certificate: r.certificate } : null;
}

export async function upsertSeal(sql: Sql, s: SealRegistration): Promise<void> {
  await sql`insert into organisation_seals (organisation_id, token_label, key_label, certificate)
    values (${s.organisationId}, ${s.tokenLabel}, ${s.keyLabel}, ${s.certificate})
    on conflict (organisation_id) do update set token_label = excluded.token_label, key_label = excluded.key_label,
      certificate = excluded.certificate, registered_at = now()`;
}

/** The créateur's organisation is their company, named by its SIREN: created when its first contract is written. */
export async function ensureCompanyOrganisation(sql: Sql, siren: string, name: string): Promise<void> {
  await sql`insert into organisations (id, kind, name) values (${siren}, 'company', ${name}) on conflict (id) do nothing`;
}

// ── The deposits in the vault ───────────────────────────────────────────────

export interface ArchiveDepositRecord {
  dossierId: string;
  packageId: string;
  location: string;
  objects: { id: string; name: string; sha256: string; size: number }[];
  depositedAt: string;
}

export async function recordArchiveDeposit(sql: Sql, d: Omit<ArchiveDepositRecord, 'depositedAt'>): Promise<void> {
  await sql`insert into archive_deposits (dossier_id, package_id, location, objects)
    values (${d.dossierId}, ${d.packageId}, ${d.location}, ${sql.json(d.objects)})
    on conflict (dossier_id) do nothing`;
}

export async function getArchiveDeposit(sql: Sql, dossierId: string): Promise<ArchiveDepositRecord | null> {
  const [r] = await sql<{ dossier_id: string; package_id: string; location: string; objects: ArchiveDepositRecord['objects']; deposited_at: Date }[]>`
    select * from archive_deposits where dossier_id = ${dossierId}`;
  return r ? { dossierId: r.dossier_id, packageId: r.package_id, location: r.location, objects: r.objects, depositedAt: r.deposited_at.toISOString() } : null;
}
