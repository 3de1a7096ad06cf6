/**
 * The coffre-fort's metadata in PostgreSQL (db/migrations/0700_vault.sql): packages and
 * objects, legal holds, the chained journal, seals and audit reports. SQL only; the rules
 * live in vault/.
 */
import type postgres from 'postgres';
import type { JournalEntry, LegalHold, ObjectRecord, Party, SealRecord, SearchFilter } from '../../vault/types.ts';

/** A connection or a transaction. */
export type Queryable = postgres.ISql;

interface ObjectRow {
  id: string;
  package_id: string;
  position: number;
  name: string;
  media_type: string;
  size: bigint | number;
  sha256: string;
  sha512: string;
  document_class: string;
  retention_end: Date | null;
  depositor: string;
  deposited_at: Date;
  dossier_id: string | null;
  siren: string | null;
  parties: Party[];
  derived_from: string | null;
  disposed_at: Date | null;
  disposed_by: string | null;
  disposal_reason: string | null;
  holds?: HoldRow[] | null;
}

interface HoldRow {
  id: number | string;
  reason: string;
  set_by: string;
  set_at: string | Date;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

function toHold(h: HoldRow): LegalHold {
  return { id: Number(h.id), reason: h.reason, setBy: h.set_by, setAt: iso(h.set_at)! };
}

function toObject(r: ObjectRow): ObjectRecord {
  return {
    id: r.id,
    packageId: r.package_id,
    position: r.position,
    name: r.name,
    mediaType: r.media_type,
    size: Number(r.size),
    sha256: r.sha256,
    sha512: r.sha512,
    documentClass: r.document_class,
    retentionEnd: iso(r.retention_end),
    depositor: r.depositor,
    depositedAt: iso(r.deposited_at)!,
    dossierId: r.dossier_id,
    siren: r.siren,
    parties: r.parties ?? [],
    derivedFrom: r.derived_from,
    disposedAt: iso(r.disposed_at),
    disposedBy: r.disposed_by,
    disposalReason: r.disposal_reason,
    holds: (r.holds ?? []).map(toHold),
  };
}

/** Objects with their active holds, as one JSON array per row. */
const WITH_HOLDS = `
  select o.*, coalesce((select json_agg(json_build_object('id', h.id, 'reason', h.reason, 'set_by', h.set_by, 'set_at', h.set_at) order by h.id)
                        from vault_legal_hold h where h.object_id = o.id and h.lifted_at is null), '[]') as holds
  from vault_object o`;

export interface NewPackage {
  id: string;
  manifestSha256: string;
  depositor: string;
  depositedAt: Date;
  dossierId: string | null;
  siren: string | null;
  parties: Party[];
}

export type NewObject = Omit<ObjectRecord, 'holds' | 'disposedAt' | 'disposedBy' | 'disposalReason'>;

export async function findPackageIdByManifest(sql: Queryable, manifestSha256: string): Promise<string | null> {
  const [row] = await sql<{ id: string }[]>`select id from vault_package where manifest_sha256 = ${manifestSha256}`;
  return row?.id ?? null;
}

/** False when another deposit of the same package won the race. */
export async function insertPackage(sql: Queryable, p: NewPackage): Promise<boolean> {
  const rows = await sql`
    insert into vault_package (id, manifest_sha256, depositor, deposited_at, dossier_id, siren, parties)
    values (${p.id}, ${p.manifestSha256}, ${p.depositor}, ${p.depositedAt}, ${p.dossierId}, ${p.siren}, ${sql.json(p.parties as never)})
    on conflict do nothing returning id`;
  return rows.length === 1;
}

export async function insertObject(sql: Queryable, o: NewObject): Promise<void> {
  await sql`
    insert into vault_object (id, package_id, position, name, media_type, size, sha256, sha512, document_class, retention_end,
                              depositor, deposited_at, dossier_id, siren, parties, derived_from)
    values (${o.id}, ${o.packageId}, ${o.position}, ${o.name}, ${o.mediaType}, ${o.size}, ${o.sha256}, ${o.sha512}, ${o.documentClass},
            ${o.retentionEnd}, ${o.depositor}, ${o.depositedAt}, ${o.dossierId}, ${o.siren}, ${sql.json(o.parties as never)}, ${o.derivedFrom})`;
}

export async function getObject(sql: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<ObjectRecord | null> {
  if (options.forUpdate) await sql`select id from vault_object where id = ${id} for update`;
  const [row] = await sql.unsafe<ObjectRow[]>(`${WITH_HOLDS} where o.id = $1`, [id]);
  return row ? toObject(row) : null;
}

export async function objectsOfPackage(sql: Queryable, packageId: string): Promise<ObjectRecord[]> {
  const rows = await sql.unsafe<ObjectRow[]>(`${WITH_HOLDS} where o.package_id = $1 order by o.position`, [packageId]);
  return rows.map(toObject);
}

/** Only objects naming this party (by role and identifier, or identifier alone), when given. */
export interface Scope {
  party?: { role?: string; id: string };
}

function whereOf(filter: SearchFilter, scope: Scope): { clause: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (sqlText: string, value: unknown): void => {
    params.push(value);
    parts.push(sqlText.replace('?', `$${params.length}`));
  };
  if (filter.dossierId) add('o.dossier_id = ?', filter.dossierId);
  if (filter.siren) add('o.siren = ?', filter.siren);
  if (filter.documentClass) add('o.document_class = ?', filter.documentClass);
  if (filter.from) add('o.deposited_at >= ?', filter.from);
  if (filter.to) add('o.deposited_at < ?', filter.to);
  if (!filter.includeDisposed) parts.push('o.disposed_at is null');
  // postgres.js serialises the value itself once it knows the parameter is jsonb.
  if (scope.party) add('o.parties @> ?::jsonb', [scope.party.role ? { role: scope.party.role, id: scope.party.id } : { id: scope.party.id }]);
  return { clause: parts.length ? `where ${parts.join(' and ')}` : '', params };
}

export async function searchObjects(sql: Queryable, filter: SearchFilter, scope: Scope = {}): Promise<ObjectRecord[]> {
  const { clause, params } = whereOf(filter, scope);
  const limit = Math.min(filter.limit ?? 100, 1000);
  const rows = await sql.unsafe<ObjectRow[]>(`${WITH_HOLDS} ${clause} order by o.deposited_at, o.id limit ${limit} offset ${filter.offset ?? 0}`, params as never[]);
  return rows.map(toObject);
}

export async function countObjects(sql: Queryable, filter: SearchFilter, scope: Scope = {}): Promise<{ count: number; bytes: number }> {
  const { clause, params } = whereOf(filter, scope);
  const [row] = await sql.unsafe<{ count: bigint; bytes: bigint | null }[]>(`select count(*) as count, sum(o.size) as bytes from vault_object o ${clause}`, params as never[]);
  return { count: Number(row?.count ?? 0), bytes: Number(row?.bytes ?? 0) };
}

/** Every object, in deposit order, in pages (the audit walks the whole vault). */
export async function* allObjects(sql: Queryable, pageSize = 1000): AsyncIterable<ObjectRecord> {
  let after = '';
  for (;;) {
    const rows = await sql.unsafe<ObjectRow[]>(`${WITH_HOLDS} where o.id > $1 order by o.id limit ${pageSize}`, [after]);
    for (const r of rows) yield toObject(r);
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

export async function storageTotals(sql: Queryable): Promise<{ objects: number; bytes: number }> {
  const [row] = await sql<{ objects: bigint; bytes: bigint | null }[]>`
    select count(*) as objects, sum(size) as bytes from vault_object where disposed_at is null`;
  return { objects: Number(row?.objects ?? 0), bytes: Number(row?.bytes ?? 0) };
}

/** Objects still holding this content (a disposal removes it only when none is left). */
export async function liveObjectsWithContent(sql: Queryable, sha512: string): Promise<number> {
  const [row] = await sql<{ n: bigint }[]>`select count(*) as n from vault_object where sha512 = ${sha512} and disposed_at is null`;
  return Number(row?.n ?? 0);
}

export async function knownAddresses(sql: Queryable): Promise<Set<string>> {
  const rows = await sql<{ sha512: string }[]>`select distinct sha512 from vault_object`;
  return new Set(rows.map((r) => r.sha512));
}

/** The newest version of each document (preservation extends the newest only). */
export async function latestVersionsOfMediaType(sql: Queryable, mediaType: string): Promise<ObjectRecord[]> {
  const rows = await sql.unsafe<ObjectRow[]>(
    `${WITH_HOLDS} where o.media_type = $1 and o.disposed_at is null
       and not exists (select 1 from vault_object n where n.derived_from = o.id)
     order by o.id`,
    [mediaType],
  );
  return rows.map(toObject);
}

/** True once preservation recorded a newer version of this object. */
export async function hasNewerVersion(sql: Queryable, id: string): Promise<boolean> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from vault_object where derived_from = ${id}`;
  return (row?.n ?? 0) > 0;
}

export async function markDisposed(sql: Queryable, id: string, by: string, reason: string, at: Date): Promise<void> {
  await sql`update vault_object set disposed_at = ${at}, disposed_by = ${by}, disposal_reason = ${reason} where id = ${id}`;
}

export async function insertHold(sql: Queryable, objectId: string, reason: string, by: string, at: Date): Promise<LegalHold> {
  const [row] = await sql<HoldRow[]>`
    insert into vault_legal_hold (object_id, reason, set_by, set_at) values (${objectId}, ${reason}, ${by}, ${at})
    returning id, reason, set_by, set_at`;
  return toHold(row!);
}

export async function liftHolds(sql: Queryable, objectId: string, reason: string, by: string, at: Date): Promise<number[]> {
  const rows = await sql<{ id: number | string }[]>`
    update vault_legal_hold set lifted_by = ${by}, lifted_at = ${at}, lift_reason = ${reason}
    where object_id = ${objectId} and lifted_at is null returning id`;
  return rows.map((r) => Number(r.id));
}

// ── Journal ────────────────────────────────────────────────────────────────────────────

interface JournalRow {
  seq: bigint | number;
  recorded_at: Date;
  operation: string;
  actor: string;
  object_id: string | null;
  outcome: string;
  body: string;
  previous_hash: string;
  hash: string;
}

export interface StoredEntry {
  seq: number;
  recordedAt: string;
  operation: string;
  actor: string;
  objectId: string | null;
  outcome: string;
  body: string;
  previousHash: string;
  hash: string;
}

const toStored = (r: JournalRow): StoredEntry => ({
  seq: Number(r.seq),
  recordedAt: iso(r.recorded_at)!,
  operation: r.operation,
  actor: r.actor,
  objectId: r.object_id,
  outcome: r.outcome,
  body: r.body,
  previousHash: r.previous_hash,
  hash: r.hash,
});

/**
 * Appends one entry at the end of the chain. Locking the head row serialises writers:
 * the entry's number and `previous` are read and written in the same transaction, which
 * commits (or not) with the operation it records. `sql` must be a transaction.
 */
export async function appendJournalEntry(
  sql: Queryable,
  make: (seq: number, previous: string) => { entry: Omit<JournalEntry, 'seq' | 'previous'>; body: string; hash: string },
): Promise<StoredEntry> {
  const [head] = await sql<{ seq: bigint; hash: string }[]>`select seq, hash from vault_journal_head for update`;
  const seq = Number(head!.seq) + 1;
  const { entry, body, hash } = make(seq, head!.hash);
  await sql`
    insert into vault_journal (seq, recorded_at, operation, actor, object_id, outcome, body, previous_hash, hash)
    values (${seq}, ${entry.time}, ${entry.operation}, ${entry.actor}, ${entry.object}, ${entry.outcome}, ${body}, ${head!.hash}, ${hash})`;
  await sql`update vault_journal_head set seq = ${seq}, hash = ${hash}`;
  return { seq, recordedAt: entry.time, operation: entry.operation, actor: entry.actor, objectId: entry.object, outcome: entry.outcome, body, previousHash: head!.hash, hash };
}

export async function journalHead(sql: Queryable): Promise<{ seq: number; hash: string }> {
  const [row] = await sql<{ seq: bigint; hash: string }[]>`select seq, hash from vault_journal_head`;
  return { seq: Number(row!.seq), hash: row!.hash };
}

export async function journalEntries(sql: Queryable, options: { afterSeq?: number; upToSeq?: number; objectId?: string; limit?: number } = {}): Promise<StoredEntry[]> {
  const rows = await sql<JournalRow[]>`
    select * from vault_journal
    where seq > ${options.afterSeq ?? 0} and seq <= ${options.upToSeq ?? Number.MAX_SAFE_INTEGER}
      ${options.objectId ? sql`and object_id = ${options.objectId}` : sql``}
    order by seq limit ${options.limit ?? 1000}`;
  return rows.map(toStored);
}

/** Every entry about these objects (or packages, or seals), in order. */
export async function journalEntriesAbout(sql: Queryable, ids: readonly string[]): Promise<StoredEntry[]> {
  if (ids.length === 0) return [];
  const rows = await sql<JournalRow[]>`select * from vault_journal where object_id = any(${sql.array(ids as string[])}) order by seq`;
  return rows.map(toStored);
}

/** Every entry in a range, in order, read in batches. */
export async function* streamJournal(sql: Queryable, fromSeq = 1, toSeq = Number.MAX_SAFE_INTEGER, batch = 2000): AsyncIterable<StoredEntry> {
  let after = fromSeq - 1;
  for (;;) {
    const rows = await sql<JournalRow[]>`select * from vault_journal where seq > ${after} and seq <= ${toSeq} order by seq limit ${batch}`;
    for (const r of rows) yield toStored(r);
    if (rows.length < batch) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

// ── Seals ──────────────────────────────────────────────────────────────────────────────

interface SealRow {
  id: string;
  number: bigint | number;
  first_seq: bigint | number;
  last_seq: bigint | number;
  period_start: Date;
  period_end: Date;
  merkle_root: string;
  document: string;
  token: Buffer;
  token_time: Date;
  sealed_at: Date;
  document_object_id: string;
  token_object_id: string;
}

const toSeal = (r: SealRow): SealRecord => ({
  id: r.id,
  number: Number(r.number),
  firstSeq: Number(r.first_seq),
  lastSeq: Number(r.last_seq),
  periodStart: iso(r.period_start)!,
  periodEnd: iso(r.period_end)!,
  merkleRoot: r.merkle_root,
  document: r.document,
  token: new Uint8Array(r.token),
  tokenTime: iso(r.token_time)!,
  sealedAt: iso(r.sealed_at)!,
  documentObjectId: r.document_object_id,
  tokenObjectId: r.token_object_id,
});

export async function insertSeal(sql: Queryable, s: SealRecord): Promise<void> {
  await sql`
    insert into vault_seal (id, number, first_seq, last_seq, period_start, period_end, merkle_root, document, token, token_time,
                            sealed_at, document_object_id, token_object_id)
    values (${s.id}, ${s.number}, ${s.firstSeq}, ${s.lastSeq}, ${s.periodStart}, ${s.periodEnd}, ${s.merkleRoot}, ${s.document},
            ${Buffer.from(s.token)}, ${s.tokenTime}, ${s.sealedAt}, ${s.documentObjectId}, ${s.tokenObjectId})`;
}

export async function lastSeal(sql: Queryable): Promise<SealRecord | null> {
  const [row] = await sql<SealRow[]>`select * from vault_seal order by number desc limit 1`;
  return row ? toSeal(row) : null;
}

/** The newest seal made at or before `time` (the month- and year-old links of the chain). */
export async function sealAtOrBefore(sql: Queryable, time: Date): Promise<SealRecord | null> {
  const [row] = await sql<SealRow[]>`select * from vault_seal where sealed_at <= ${time} order by number desc limit 1`;
  return row ? toSeal(row) : null;
}

/** The seals covering any of these entries, in order. */
export async function sealsCovering(sql: Queryable, seqs: readonly number[]): Promise<SealRecord[]> {
  const rows = await sql<SealRow[]>`
    select * from vault_seal v
    where exists (select 1 from unnest(${sql.array(seqs as number[])}::bigint[]) as s(seq) where s.seq between v.first_seq and v.last_seq)
    order by number`;
  return rows.map(toSeal);
}

export async function allSeals(sql: Queryable, fromNumber = 1): Promise<SealRecord[]> {
  const rows = await sql<SealRow[]>`select * from vault_seal where number >= ${fromNumber} order by number`;
  return rows.map(toSeal);
}

// ── Audits ─────────────────────────────────────────────────────────────────────────────

export interface StoredAudit {
  id: number;
  startedAt: string;
  finishedAt: string;
  actor: string;
  clean: boolean;
  summary: Record<string, unknown>;
  anomalies: unknown[];
}

export async function insertAudit(sql: Queryable, a: Omit<StoredAudit, 'id'>): Promise<number> {
  const [row] = await sql<{ id: bigint }[]>`
    insert into vault_audit (started_at, finished_at, actor, clean, summary, anomalies)
    values (${a.startedAt}, ${a.finishedAt}, ${a.actor}, ${a.clean}, ${sql.json(a.summary as never)}, ${sql.json(a.anomalies as never)})
    returning id`;
  return Number(row!.id);
}
