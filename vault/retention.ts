import { getObject, insertHold, liftHolds, liveObjectsWithContent, markDisposed } from '../db/repositories/vault.ts';
import type { VaultContext } from './context.ts';
import { VaultError } from './errors.ts';
import { appendEntry } from './journal.ts';
import type { LegalHold, ObjectRecord } from './types.ts';

/**
 * Legal holds and disposal. Each runs in one transaction holding the object's row lock,
 * so a hold set while a disposal is decided is either seen by it or comes after it.
 */
function requireReason(reason: string, what: string): string {
  const text = reason.trim();
  if (text.length < 3) throw new VaultError('INVALID_INPUT', `Indiquez le motif ${what} (3 caractères au moins).`);
  if (text.length > 1000) throw new VaultError('INVALID_INPUT', `Le motif ${what} compte au plus 1000 caractères.`);
  return text;
}

async function lockedObject(tx: Parameters<typeof getObject>[0], id: string): Promise<ObjectRecord> {
  const object = await getObject(tx, id, { forUpdate: true });
  if (!object) throw new VaultError('NOT_FOUND', `Aucun objet ${id} dans le coffre-fort.`);
  return object;
}

export async function setHold(ctx: VaultContext, actor: string, objectId: string, reason: string): Promise<LegalHold> {
  const why = requireReason(reason, 'du gel juridique');
  return ctx.sql.begin(async (tx) => {
    const object = await lockedObject(tx, objectId);
    if (object.disposedAt) throw new VaultError('ALREADY_DISPOSED', `L'objet ${objectId} a été détruit le ${object.disposedAt} : rien à geler.`);
    const now = ctx.now();
    const hold = await insertHold(tx, objectId, why, actor, now);
    await appendEntry(tx, { operation: 'hold', actor, object: objectId, outcome: 'ok', time: now, details: { hold: hold.id, reason: why } });
    return hold;
  });
}

export async function releaseHolds(ctx: VaultContext, actor: string, objectId: string, reason: string): Promise<number[]> {
  const why = requireReason(reason, 'de la levée');
  return ctx.sql.begin(async (tx) => {
    const object = await lockedObject(tx, objectId);
    if (object.holds.length === 0) throw new VaultError('NO_ACTIVE_HOLD', `L'objet ${objectId} n'est sous aucun gel juridique.`);
    const now = ctx.now();
    const lifted = await liftHolds(tx, objectId, why, actor, now);
    await appendEntry(tx, { operation: 'release', actor, object: objectId, outcome: 'ok', time: now, details: { holds: lifted, reason: why } });
    return lifted;
  });
}

/** Why this object may not be disposed of now, or null. */
export function disposalRefusal(object: ObjectRecord, now: Date): VaultError | null {
  if (object.disposedAt) return new VaultError('ALREADY_DISPOSED', `L'objet ${object.id} a déjà été détruit le ${object.disposedAt}.`);
  if (object.retentionEnd === null) {
    return new VaultError('PERMANENT_OBJECT', `L'objet ${object.id} (${object.documentClass}) est conservé sans limite de durée : il ne peut pas être détruit.`);
  }
  if (new Date(object.retentionEnd) > now) {
    return new VaultError('RETENTION_NOT_ELAPSED', `L'objet ${object.id} est conservé jusqu'au ${object.retentionEnd.slice(0, 10)} : sa destruction est refusée avant cette date.`);
  }
  if (object.holds.length > 0) {
    const hold = object.holds[0]!;
    return new VaultError('LEGAL_HOLD', `L'objet ${object.id} est sous gel juridique depuis le ${hold.setAt.slice(0, 10)} (${hold.reason}) : sa destruction est refusée.`);
  }
  return null;
}

/**
 * Destroys the content (in every location, unless another live object holds the same
 * bytes) and keeps the record as a tombstone, with its journal entries. The tombstone is
 * committed first: a crash before the files are gone leaves content the audit reports as
 * orphaned, never a record pointing at nothing.
 */
export async function dispose(ctx: VaultContext, actor: string, objectId: string, reason: string): Promise<ObjectRecord> {
  const why = requireReason(reason, 'de la destruction');
  const { object, removeContent } = await ctx.sql.begin(async (tx) => {
    const found = await lockedObject(tx, objectId);
    const now = ctx.now();
    const refusal = disposalRefusal(found, now);
    if (refusal) throw refusal;
    await markDisposed(tx, objectId, actor, why, now);
    const shared = await liveObjectsWithContent(tx, found.sha512);
    await appendEntry(tx, {
      operation: 'dispose',
      actor,
      object: objectId,
      outcome: 'ok',
      time: now,
      details: { reason: why, retentionEnd: found.retentionEnd, sha512: found.sha512, contentKeptForOtherObjects: shared > 0 },
    });
    return { object: { ...found, disposedAt: now.toISOString(), disposedBy: actor, disposalReason: why }, removeContent: shared === 0 };
  });
  if (removeContent) for (const store of ctx.stores) await store.remove(object.sha512);
  return object;
}
