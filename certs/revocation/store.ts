import type { Sql } from '../../db/connect.ts';
import type { RevocationReason } from './reasons.ts';

/** Rows of pki_revocations (migration 0150_revocation.sql), read and written only here. */
export interface Revocation {
  caName: string;
  serialHex: string;
  reason: RevocationReason;
  revokedAt: Date;
  invalidityDate: Date | null;
  operator: string;
}

interface Row {
  ca_name: string;
  serial_hex: string;
  reason: string;
  revoked_at: Date;
  invalidity_date: Date | null;
  operator: string;
}

const toRevocation = (row: Row): Revocation => ({
  caName: row.ca_name,
  serialHex: row.serial_hex,
  reason: row.reason as RevocationReason,
  revokedAt: row.revoked_at,
  invalidityDate: row.invalidity_date,
  operator: row.operator,
});

/** Inserts the revocation and marks the CA's CRL stale; null if it was already revoked. */
export async function insertRevocation(sql: Sql, r: Omit<Revocation, 'revokedAt'> & { revokedAt?: Date }): Promise<Revocation | null> {
  return sql.begin(async (tx) => {
    const rows = await tx<Row[]>`
      insert into pki_revocations (ca_name, serial_hex, reason, revoked_at, invalidity_date, operator)
      values (${r.caName}, ${r.serialHex}, ${r.reason}, ${r.revokedAt ?? new Date()}, ${r.invalidityDate}, ${r.operator})
      on conflict (ca_name, serial_hex) do nothing
      returning *`;
    if (!rows[0]) return null;
    await tx`
      insert into pki_crl_state (ca_name, crl_number, stale) values (${r.caName}, 0, true)
      on conflict (ca_name) do update set stale = true`;
    return toRevocation(rows[0]);
  }) as Promise<Revocation | null>;
}

export async function findRevocation(sql: Sql, caName: string, serialHex: string): Promise<Revocation | null> {
  const rows = await sql<Row[]>`select * from pki_revocations where ca_name = ${caName} and serial_hex = ${serialHex}`;
  return rows[0] ? toRevocation(rows[0]) : null;
}

export async function listRevocations(sql: Sql, caName: string): Promise<Revocation[]> {
  const rows = await sql<Row[]>`select * from pki_revocations where ca_name = ${caName} order by revoked_at, serial_hex`;
  return rows.map(toRevocation);
}
