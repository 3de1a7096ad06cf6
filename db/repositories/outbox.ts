import type { Sql } from '../connect.ts';

export const OUTBOX_KINDS = ['bank_reminder', 'decision_notice', 'signature_request', 'signature_reminder', 'ceremony_declined', 'ceremony_lapsed', 'contract_signed'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

export interface OutboxMessage {
  id: string;
  dossierId: string;
  kind: OutboxKind;
  recipientOrganisationId: string;
  offsetSeconds: number;
  payload: unknown;
  createdAt: string;
  sentAt: string | null;
}

/** Queues a notification once per dossier, kind, recipient and offset. Returns false when already queued. */
export async function enqueueOutbox(
  sql: Sql,
  message: { dossierId: string; kind: OutboxKind; recipientOrganisationId: string; offsetSeconds?: number; payload: unknown },
): Promise<boolean> {
  const rows = await sql`
    insert into outbox (dossier_id, kind, recipient_organisation_id, offset_seconds, payload)
    values (${message.dossierId}, ${message.kind}, ${message.recipientOrganisationId},
            ${message.offsetSeconds ?? 0}, ${sql.json(message.payload as never)})
    on conflict (dossier_id, kind, recipient_organisation_id, offset_seconds) do nothing
    returning id`;
  return rows.length === 1;
}

interface OutboxRow {
  id: bigint;
  dossier_id: string;
  kind: OutboxKind;
  recipient_organisation_id: string;
  offset_seconds: number;
  payload: unknown;
  created_at: Date;
  sent_at: Date | null;
}

export async function listOutbox(sql: Sql, dossierId: string): Promise<OutboxMessage[]> {
  const rows = await sql<OutboxRow[]>`select * from outbox where dossier_id = ${dossierId} order by id`;
  return rows.map(fromRow);
}

/** An organisation's notifications after a cursor (the last id it saw), oldest first. */
export async function listOutboxForRecipient(sql: Sql, organisationId: string, afterId = 0, limit = 100): Promise<OutboxMessage[]> {
  const rows = await sql<OutboxRow[]>`
    select * from outbox where recipient_organisation_id = ${organisationId} and id > ${afterId}
    order by id limit ${limit}`;
  return rows.map(fromRow);
}

function fromRow(r: OutboxRow): OutboxMessage {
  return {
    id: String(r.id),
    dossierId: r.dossier_id,
    kind: r.kind,
    recipientOrganisationId: r.recipient_organisation_id,
    offsetSeconds: r.offset_seconds,
    payload: r.payload,
    createdAt: r.created_at.toISOString(),
    sentAt: r.sent_at ? r.sent_at.toISOString() : null,
  };
}
