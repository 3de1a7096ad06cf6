import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/db.ts';
import type { Sql } from '../../db/connect.ts';
import {
  getDossier,
  insertDossierIdempotent,
  listDossiersForReseller,
  listPendingForBank,
  markAwaitingAnalyst,
  markIneligible,
  recordDecision,
  saveGuarantee,
} from '../../db/repositories/dossiers.ts';
import { listEvents, recordEvent } from '../../db/repositories/events.ts';
import { enqueueOutbox, listOutbox } from '../../db/repositories/outbox.ts';
import type { FinalDecision } from '../../domain/outcomes.ts';
import { DecisionConflictError, DossierStateError, IdempotencyConflictError } from '../../db/errors.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: Sql;

beforeAll(async () => {
  db = await createTestDatabase();
  sql = db.sql;
  await sql`insert into organisations (id, kind, name) values
    ('bank-a', 'bank', 'Banque A'), ('RA-1', 'reseller', 'Revendeur 1'), ('RA-2', 'reseller', 'Revendeur 2')`;
  await sql`insert into banks (id, name) values ('bank-a', 'Banque A')`;
  await sql`insert into resellers (id, name) values ('RA-1', 'Revendeur 1'), ('RA-2', 'Revendeur 2')`;
});
afterAll(async () => db?.drop());

const body = { company: { siren: '732829320', name: 'Atelier' }, lines: [{ q: 1 }] };
function newDossier(key: string, resellerId = 'RA-1', b: unknown = body) {
  return { resellerId, bankId: 'bank-a', idempotencyKey: key, siren: '732829320', totalAmountCents: 1_000_000, body: b };
}

describe('dossiers repository', () => {
  it('stores a dossier once per reseller and idempotency key', async () => {
    const first = await insertDossierIdempotent(sql, newDossier('k-1'));
    expect(first.created).toBe(true);
    expect(first.dossier.status).toBe('received');
    // Same body, keys in another order: a replay.
    const replay = await insertDossierIdempotent(sql, newDossier('k-1', 'RA-1', { lines: [{ q: 1 }], company: { name: 'Atelier', siren: '732829320' } }));
    expect(replay.created).toBe(false);
    expect(replay.dossier.id).toBe(first.dossier.id);
    // The same key for another reseller is another dossier.
    const other = await insertDossierIdempotent(sql, newDossier('k-1', 'RA-2'));
    expect(other.created).toBe(true);
    expect(other.dossier.id).not.toBe(first.dossier.id);
  });

  it('refuses another body under the same key', async () => {
    const first = await insertDossierIdempotent(sql, newDossier('k-2'));
    const error = await insertDossierIdempotent(sql, newDossier('k-2', 'RA-1', { ...body, lines: [{ q: 2 }] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyConflictError);
    expect((error as IdempotencyConflictError).existingDossierId).toBe(first.dossier.id);
  });

  it('stores concurrent submissions with the same key once', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => insertDossierIdempotent(sql, newDossier('k-race'))));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.dossier.id)).size).toBe(1);
  });

  it('returns null for unknown or malformed ids', async () => {
    expect(await getDossier(sql, 'not-a-uuid')).toBeNull();
    expect(await getDossier(sql, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('lists a reseller’s own dossiers only', async () => {
    const mine = await listDossiersForReseller(sql, 'RA-2');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((d) => d.resellerId === 'RA-2')).toBe(true);
  });

  it('moves a hard case to the bank queue, then records one decision', async () => {
    const { dossier } = await insertDossierIdempotent(sql, newDossier('k-3'));
    const deadline = '2026-11-25T16:00:00.000Z';
    expect(await markAwaitingAnalyst(sql, dossier.id, [{ code: 'risky_sector', detail: 'Secteur' }], deadline)).toBe(true);
    expect(await markAwaitingAnalyst(sql, dossier.id, [{ code: 'risky_sector', detail: 'Secteur' }], deadline)).toBe(false);
    const queue = await listPendingForBank(sql, 'bank-a');
    expect(queue.map((d) => d.id)).toContain(dossier.id);
    expect(queue.find((d) => d.id === dossier.id)?.decisionDeadline).toBe(deadline);

    const decision: FinalDecision = {
      outcome: 'declined',
      decidedBy: 'analyst',
      analyst: 'a.martin',
      reasonCode: 'sector',
      text: 'Secteur hors politique',
      decidedAt: '2026-11-24T17:00:00.000Z',
    };
    expect(await recordDecision(sql, dossier.id, decision)).toBe(true);
    expect(await recordDecision(sql, dossier.id, { ...decision })).toBe(false);
    await expect(recordDecision(sql, dossier.id, { ...decision, outcome: 'approved', decidedBy: 'deadline' })).rejects.toBeInstanceOf(DecisionConflictError);
    const stored = await getDossier(sql, dossier.id);
    expect(stored?.status).toBe('declined');
    expect(stored?.decision).toEqual(decision);
    expect(stored?.decidedAt).toBe(decision.decidedAt);
    expect((await listPendingForBank(sql, 'bank-a')).map((d) => d.id)).not.toContain(dossier.id);
    // A late "awaiting" call after the decision changes nothing.
    expect(await markAwaitingAnalyst(sql, dossier.id, [], deadline)).toBe(false);
  });

  it('marks a dossier ineligible once and refuses to decide it afterwards', async () => {
    const { dossier } = await insertDossierIdempotent(sql, newDossier('k-4'));
    const reasons = [{ code: 'passport_unknown' as const, detail: 'Passeport inconnu' }];
    expect(await markIneligible(sql, dossier.id, reasons)).toBe(true);
    expect(await markIneligible(sql, dossier.id, reasons)).toBe(false);
    expect((await getDossier(sql, dossier.id))?.ineligibility).toEqual(reasons);
    await expect(recordDecision(sql, dossier.id, { outcome: 'approved', decidedBy: 'rule', decidedAt: new Date().toISOString() })).rejects.toBeInstanceOf(DossierStateError);
  });

  it('keeps the first guarantee answer', async () => {
    const { dossier } = await insertDossierIdempotent(sql, newDossier('k-5'));
    const granted = {
      status: 'granted' as const,
      reference: 'SOF-1',
      mode: 'delegated' as const,
      quotityPercent: 60,
      feeBasisPoints: 90,
      guaranteedAmountCents: 600_000,
    };
    expect(await saveGuarantee(sql, dossier.id, granted)).toEqual(granted);
    expect(await saveGuarantee(sql, dossier.id, { ...granted, reference: 'SOF-2' })).toEqual(granted);
    expect((await getDossier(sql, dossier.id))?.guaranteeReference).toBe('SOF-1');
  });
});

describe('events and outbox', () => {
  it('records each event key once, with consecutive sequence numbers', async () => {
    const { dossier } = await insertDossierIdempotent(sql, newDossier('k-6'));
    const results = await Promise.all([
      recordEvent(sql, dossier.id, 'a', { n: 1 }, `${dossier.id}:a`),
      recordEvent(sql, dossier.id, 'a', { n: 1 }, `${dossier.id}:a`),
      recordEvent(sql, dossier.id, 'b', {}, `${dossier.id}:b`),
      recordEvent(sql, dossier.id, 'c', {}, `${dossier.id}:c`),
    ]);
    expect(results.filter(Boolean)).toHaveLength(3);
    const events = await listEvents(sql, dossier.id);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events.map((e) => e.type).sort()).toEqual(['a', 'b', 'c']);
  });

  it('queues one message per dossier, kind and offset', async () => {
    const { dossier } = await insertDossierIdempotent(sql, newDossier('k-7'));
    const msg = { dossierId: dossier.id, kind: 'bank_reminder' as const, recipientOrganisationId: 'bank-a', offsetSeconds: 43_200, payload: {} };
    expect(await enqueueOutbox(sql, msg)).toBe(true);
    expect(await enqueueOutbox(sql, msg)).toBe(false);
    expect(await enqueueOutbox(sql, { ...msg, offsetSeconds: 72_000 })).toBe(true);
    const rows = await listOutbox(sql, dossier.id);
    expect(rows.map((r) => r.offsetSeconds)).toEqual([43_200, 72_000]);
  });
});
