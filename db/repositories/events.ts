import type { Sql } from '../connect.ts';

export interface DossierEvent {
  seq: number;
  type: string;
  payload: unknown;
  at: string;
}

/**
 * Appends an event to a dossier's history once per `eventKey` (activities are
 * retried). Returns false when the event was already there.
 */
export async function recordEvent(sql: Sql, dossierId: string, type: string, payload: unknown, eventKey: string): Promise<boolean> {
  // The row lock on the dossier serialises concurrent appends, so seq has no gaps or clashes.
  return sql.begin(async (tx) => {
    await tx`select 1 from dossiers where id = ${dossierId} for update`;
    const rows = await tx`
      insert into dossier_events (dossier_id, seq, type, payload, event_key)
      select ${dossierId}, coalesce(max(seq), 0) + 1, ${type}, ${tx.json(payload as never)}, ${eventKey}
      from dossier_events where dossier_id = ${dossierId}
      on conflict (event_key) do nothing
      returning id`;
    return rows.length === 1;
  });
}

export async function listEvents(sql: Sql, dossierId: string): Promise<DossierEvent[]> {
  const rows = await sql<{ seq: number; type: string; payload: unknown; at: Date }[]>`
    select seq, type, payload, at from dossier_events where dossier_id = ${dossierId} order by seq`;
  return rows.map((r) => ({ seq: r.seq, type: r.type, payload: r.payload, at: r.at.toISOString() }));
}
