import type { Sql } from '../connect.ts';

export interface ProtocolRecord {
  resellerId: string;
  bankId: string;
  active: boolean;
  /** The bank's policy as stored; parse it with the domain's schema before use. */
  policy: Record<string, unknown>;
}

interface Row {
  reseller_id: string;
  bank_id: string;
  active: boolean;
  policy: Record<string, unknown>;
}

const fromRow = (r: Row): ProtocolRecord => ({ resellerId: r.reseller_id, bankId: r.bank_id, active: r.active, policy: r.policy });

export async function getProtocol(sql: Sql, resellerId: string, bankId: string): Promise<ProtocolRecord | null> {
  const [row] = await sql<Row[]>`
    select reseller_id, bank_id, active, policy from protocols where reseller_id = ${resellerId} and bank_id = ${bankId}`;
  return row ? fromRow(row) : null;
}

/** A bank's reference protocol for callers that are not resellers: its first active one. */
export async function getAnyActiveProtocolOfBank(sql: Sql, bankId: string): Promise<ProtocolRecord | null> {
  const [row] = await sql<Row[]>`
    select reseller_id, bank_id, active, policy from protocols
    where bank_id = ${bankId} and active order by reseller_id limit 1`;
  return row ? fromRow(row) : null;
}

/** A reseller still in the programme: known, labelled and active. */
export async function isActiveReseller(sql: Sql, resellerId: string): Promise<boolean> {
  const [row] = await sql<{ ok: boolean }[]>`select labelled and active as ok from resellers where id = ${resellerId}`;
  return row?.ok === true;
}

/** The banks a reseller may address a dossier to (active protocol, active bank), by name. */
export async function listActiveBanksOfReseller(sql: Sql, resellerId: string): Promise<{ id: string; name: string }[]> {
  return sql<{ id: string; name: string }[]>`
    select b.id, b.name from protocols p join banks b on b.id = p.bank_id
    where p.reseller_id = ${resellerId} and p.active and b.active order by b.name`;
}
