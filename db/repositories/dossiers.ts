import crypto from 'node:crypto';
import type postgres from 'postgres';
import type { Sql } from '../connect.ts';
import type { DossierStatus, HardCaseCode, IneligibilityCode, Reason } from '../../domain/codes.ts';
import type { DossierView, FinalDecision, GuaranteeResult } from '../../domain/outcomes.ts';
import { DecisionConflictError, DossierStateError, IdempotencyConflictError } from '../errors.ts';

export interface DossierRecord {
  id: string;
  resellerId: string;
  bankId: string;
  idempotencyKey: string;
  requestHash: string;
  body: unknown;
  siren: string;
  totalAmountCents: number;
  status: DossierStatus;
  ineligibility: Reason<IneligibilityCode>[];
  hardCases: Reason<HardCaseCode>[];
  guarantee: GuaranteeResult | null;
  guaranteeReference: string | null;
  decision: FinalDecision | null;
  createdAt: string;
  acceptedAt: string;
  decisionDeadline: string | null;
  decidedAt: string | null;
}

interface DossierRow {
  id: string;
  reseller_id: string;
  bank_id: string;
  idempotency_key: string;
  request_hash: string;
  body: unknown;
  siren: string;
  total_amount_cents: bigint;
  status: DossierStatus;
  ineligibility: Reason<IneligibilityCode>[];
  hard_cases: Reason<HardCaseCode>[];
  guarantee: GuaranteeResult | null;
  guarantee_reference: string | null;
  decision: FinalDecision | null;
  created_at: Date;
  accepted_at: Date;
  decision_deadline: Date | null;
  decided_at: Date | null;
}

function fromRow(r: DossierRow): DossierRecord {
  return {
    id: r.id,
    resellerId: r.reseller_id,
    bankId: r.bank_id,
    idempotencyKey: r.idempotency_key,
    requestHash: r.request_hash,
    body: r.body,
    siren: r.siren,
    totalAmountCents: Number(r.total_amount_cents),
    status: r.status,
    ineligibility: r.ineligibility,
    hardCases: r.hard_cases,
    guarantee: r.guarantee,
    guaranteeReference: r.guarantee_reference,
    decision: r.decision,
    createdAt: r.created_at.toISOString(),
    acceptedAt: r.accepted_at.toISOString(),
    decisionDeadline: r.decision_deadline ? r.decision_deadline.toISOString() : null,
    decidedAt: r.decided_at ? r.decided_at.toISOString() : null,
  };
}

export function toDossierView(d: DossierRecord): DossierView {
  return {
    dossierId: d.id,
    status: d.status,
    ineligibility: d.ineligibility,
    hardCases: d.hardCases,
    guarantee: d.guarantee,
    decision: d.decision,
    decisionDeadline: d.status === 'awaiting_analyst' ? d.decisionDeadline : null,
  };
}

/** Same JSON whatever the key order, so a replayed body hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestHash(body: unknown): string {
  return crypto.createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export interface NewDossier {
  resellerId: string;
  bankId: string;
  idempotencyKey: string;
  siren: string;
  totalAmountCents: number;
  body: unknown;
}

/**
 * Stores a dossier once per (reseller, idempotency key). A replay of the same
 * body returns the stored dossier with `created: false`; another body under
 * the same key throws IdempotencyConflictError.
 */
export async function insertDossierIdempotent(sql: Sql, input: NewDossier): Promise<{ dossier: DossierRecord; created: boolean }> {
  const hash = requestHash(input.body);
  const inserted = await sql<DossierRow[]>`
    insert into dossiers (id, reseller_id, bank_id, idempotency_key, request_hash, body, siren, total_amount_cents)
    values (${crypto.randomUUID()}, ${input.resellerId}, ${input.bankId}, ${input.idempotencyKey}, ${hash},
            ${sql.json(input.body as never)}, ${input.siren}, ${input.totalAmountCents})
    on conflict (reseller_id, idempotency_key) do nothing
    returning *`;
  if (inserted[0]) return { dossier: fromRow(inserted[0]), created: true };
  const [existing] = await sql<DossierRow[]>`
    select * from dossiers where reseller_id = ${input.resellerId} and idempotency_key = ${input.idempotencyKey}`;
  if (!existing) throw new Error('Dossier vanished between insert and select');
  if (existing.request_hash !== hash) throw new IdempotencyConflictError(existing.id);
  return { dossier: fromRow(existing), created: false };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getDossier(sql: Sql, id: string): Promise<DossierRecord | null> {
  if (!UUID.test(id)) return null;
  const [row] = await sql<DossierRow[]>`select * from dossiers where id = ${id}`;
  return row ? fromRow(row) : null;
}

export interface ListOptions {
  status?: DossierStatus | undefined;
  limit?: number | undefined;
}

export async function listDossiersForReseller(sql: Sql, resellerId: string, options: ListOptions = {}): Promise<DossierRecord[]> {
  const rows = await sql<DossierRow[]>`
    select * from dossiers
    where reseller_id = ${resellerId} ${options.status ? sql`and status = ${options.status}` : sql``}
    order by created_at desc, id limit ${options.limit ?? 100}`;
  return rows.map(fromRow);
}

export async function listDossiersForBank(sql: Sql, bankId: string, options: ListOptions = {}): Promise<DossierRecord[]> {
  const rows = await sql<DossierRow[]>`
    select * from dossiers
    where bank_id = ${bankId} ${options.status ? sql`and status = ${options.status}` : sql``}
    order by created_at desc, id limit ${options.limit ?? 100}`;
  return rows.map(fromRow);
}

/** A company's dossiers (its créateur's view), the latest first. */
export async function listDossiersForCompany(sql: Sql, siren: string, limit = 100): Promise<DossierRecord[]> {
  const rows = await sql<DossierRow[]>`
    select * from dossiers where siren = ${siren} order by created_at desc, id limit ${limit}`;
  return rows.map(fromRow);
}

/** A bank's dossiers decided by the protocol's default because no analyst answered in time, the latest first. */
export async function listDecidedByDeadline(sql: Sql, bankId: string, limit = 200): Promise<DossierRecord[]> {
  const rows = await sql<DossierRow[]>`
    select * from dossiers where bank_id = ${bankId} and decision->>'decidedBy' = 'deadline'
    order by decided_at desc, id limit ${limit}`;
  return rows.map(fromRow);
}

/** A bank's hard cases waiting for its analysts, the most urgent first. */
export async function listPendingForBank(sql: Sql, bankId: string, limit = 100): Promise<DossierRecord[]> {
  const rows = await sql<DossierRow[]>`
    select * from dossiers where bank_id = ${bankId} and status = 'awaiting_analyst'
    order by decision_deadline nulls last, created_at limit ${limit}`;
  return rows.map(fromRow);
}

/** Dossiers stored but never started (the engine was down when they arrived), oldest first. */
export async function listStalledDossiers(sql: Sql, olderThanSeconds: number, limit = 500): Promise<DossierRecord[]> {
  const rows = await sql<DossierRow[]>`
    select * from dossiers where status = 'received' and accepted_at < now() - make_interval(secs => ${olderThanSeconds})
    order by accepted_at limit ${limit}`;
  return rows.map(fromRow);
}

async function lockDossier(tx: postgres.TransactionSql, id: string): Promise<DossierRow> {
  const [row] = await tx<DossierRow[]>`select * from dossiers where id = ${id} for update`;
  if (!row) throw new DossierStateError(id, 'unknown', `Dossier inconnu : ${id}.`);
  return row;
}

/** Marks a dossier irrecevable. Idempotent; refused once the dossier went another way. */
export async function markIneligible(sql: Sql, id: string, reasons: Reason<IneligibilityCode>[]): Promise<boolean> {
  return sql.begin(async (tx) => {
    const row = await lockDossier(tx, id);
    if (row.status === 'ineligible') return false;
    if (row.status !== 'received') throw new DossierStateError(id, row.status, `Le dossier ${id} est à l’état ${row.status}, pas « reçu ».`);
    await tx`update dossiers set status = 'ineligible', ineligibility = ${tx.json(reasons as never)},
             decided_at = now(), updated_at = now() where id = ${id}`;
    return true;
  });
}

/** Puts a hard case in its bank's queue. A retry, or a late call after the decision, changes nothing. */
export async function markAwaitingAnalyst(sql: Sql, id: string, hardCases: Reason<HardCaseCode>[], deadlineAt: string): Promise<boolean> {
  return sql.begin(async (tx) => {
    const row = await lockDossier(tx, id);
    if (row.status !== 'received') {
      if (row.status === 'ineligible') throw new DossierStateError(id, row.status, `Le dossier ${id} est inéligible.`);
      return false;
    }
    await tx`update dossiers set status = 'awaiting_analyst', hard_cases = ${tx.json(hardCases as never)},
             decision_deadline = ${new Date(deadlineAt)}, updated_at = now() where id = ${id}`;
    return true;
  });
}

/** Keeps the first guarantee answer: a retried request returns what was stored. */
export async function saveGuarantee(sql: Sql, id: string, result: GuaranteeResult): Promise<GuaranteeResult> {
  const reference = result.status === 'granted' ? result.reference : null;
  const [row] = await sql<{ guarantee: GuaranteeResult }[]>`
    update dossiers set guarantee = coalesce(guarantee, ${sql.json(result as never)}),
      guarantee_reference = coalesce(guarantee_reference, ${reference}), updated_at = now()
    where id = ${id} returning guarantee`;
  if (!row) throw new DossierStateError(id, 'unknown', `Dossier inconnu : ${id}.`);
  return row.guarantee;
}

function sameDecision(a: FinalDecision, b: FinalDecision): boolean {
  const key = (d: FinalDecision) => canonicalJson({ o: d.outcome, by: d.decidedBy, an: d.analyst, rc: d.reasonCode, t: d.text, c: d.conditions });
  return key(a) === key(b);
}

/**
 * Records the final decision. The same decision twice is a no-op (returns
 * false); a different one for a decided dossier throws DecisionConflictError.
 */
export async function recordDecision(sql: Sql, id: string, decision: FinalDecision): Promise<boolean> {
  return sql.begin(async (tx) => {
    const row = await lockDossier(tx, id);
    if (row.decision) {
      if (sameDecision(row.decision, decision)) return false;
      throw new DecisionConflictError(id);
    }
    if (row.status !== 'received' && row.status !== 'awaiting_analyst') {
      throw new DossierStateError(id, row.status, `Le dossier ${id} est à l’état ${row.status} : il ne peut pas être décidé.`);
    }
    await tx`update dossiers set status = ${decision.outcome}, decision = ${tx.json(decision as never)},
             guarantee_reference = coalesce(guarantee_reference, ${decision.guaranteeReference ?? null}),
             decided_at = ${new Date(decision.decidedAt)}, updated_at = now() where id = ${id}`;
    return true;
  });
}
