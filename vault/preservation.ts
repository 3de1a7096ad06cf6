import { getObject, hasNewerVersion, insertHold, latestVersionsOfMediaType } from '../db/repositories/vault.ts';
import type { PreservationSettings } from './config.ts';
import { readContent, type VaultContext } from './context.ts';
import { preparePackage, recordPackage, storeContents } from './deposit.ts';
import { VaultError } from './errors.ts';
import { appendEntry } from './journal.ts';
import type { PdfInspection } from './ports.ts';

const DAY_MS = 86_400_000;

/**
 * Preservation (RFC 4998's idea, PAdES B-LTA): before the newest timestamp of an archived
 * signed PDF loses its strength — its TSA certificate expires within the horizon, or its
 * algorithms are declared weak — the PDF gets the validation data of its signatures and
 * timestamps, then a new document timestamp. The extended file is a new object deposited
 * beside the original (write-once: the original stays as it was), with the same business
 * metadata, retention end and legal holds.
 */
export function preservationReason(inspection: PdfInspection, settings: PreservationSettings, now: Date): string | null {
  if (inspection.signatures === 0) return null;
  const newest = inspection.newestTimestamp;
  if (!newest) return 'aucun horodatage ne protège encore les signatures';
  const weak = new Set(settings.weakAlgorithms.map((a) => a.toUpperCase()));
  if (weak.has(newest.hashAlgorithm.toUpperCase())) return `l'empreinte du dernier horodatage (${newest.hashAlgorithm}) est déclarée faible`;
  if (weak.has(newest.keyAlgorithm.toUpperCase())) return `la clé de l'horodateur du dernier horodatage (${newest.keyAlgorithm}) est déclarée faible`;
  const deadline = newest.tsaCertificateNotAfter.getTime() - settings.horizonDays * DAY_MS;
  if (now.getTime() >= deadline) {
    return `le certificat de l'horodateur du dernier horodatage expire le ${newest.tsaCertificateNotAfter.toISOString().slice(0, 10)} (horizon de ${settings.horizonDays} jours)`;
  }
  return null;
}

export interface PreservationCandidate {
  objectId: string;
  reason: string;
}

/** The newest version of each archived PDF whose signatures need a new timestamp now. */
export async function preservationCandidates(ctx: VaultContext): Promise<PreservationCandidate[]> {
  const out: PreservationCandidate[] = [];
  for (const o of await latestVersionsOfMediaType(ctx.sql, 'application/pdf')) {
    let pdf: Buffer;
    try {
      pdf = await readContent(ctx, o.sha512);
    } catch {
      continue; // no intact copy: the audit reports it, nothing to extend from
    }
    let inspection: PdfInspection;
    try {
      inspection = await ctx.ports.extender.inspect(pdf);
    } catch {
      continue; // not a readable PDF: no signature to keep alive (the audit's verifier says what it is)
    }
    const reason = preservationReason(inspection, ctx.settings.preservation, ctx.now());
    if (reason) out.push({ objectId: o.id, reason });
  }
  return out;
}

export type PreservationOutcome =
  | { status: 'extended'; objectId: string; newObjectId: string; reason: string }
  | { status: 'not-due' | 'superseded' | 'disposed'; objectId: string }
  | { status: 'failed'; objectId: string; reason: string };

/**
 * Extends one object when it is due. Safe to retry: once the new version is recorded the
 * original is superseded and a second call changes nothing.
 */
export async function preserveObject(ctx: VaultContext, actor: string, objectId: string): Promise<PreservationOutcome> {
  const object = await getObject(ctx.sql, objectId);
  if (!object) throw new VaultError('NOT_FOUND', `Aucun objet ${objectId} dans le coffre-fort.`);
  if (object.disposedAt) return { status: 'disposed', objectId };
  if (await hasNewerVersion(ctx.sql, objectId)) return { status: 'superseded', objectId };
  const pdf = await readContent(ctx, object.sha512);
  const inspection = await ctx.ports.extender.inspect(pdf);
  const reason = preservationReason(inspection, ctx.settings.preservation, ctx.now());
  if (!reason) return { status: 'not-due', objectId };

  const extended = await ctx.ports.extender.extend(pdf, { hash: ctx.settings.preservation.hash });
  const prepared = preparePackage({
    documentClass: object.documentClass,
    ...(object.dossierId ? { dossierId: object.dossierId } : {}),
    ...(object.siren ? { siren: object.siren } : {}),
    parties: object.parties,
    objects: [{ name: object.name, mediaType: object.mediaType, content: extended }],
  });
  await storeContents(ctx.stores, prepared);
  return ctx.sql.begin(async (tx): Promise<PreservationOutcome> => {
    // Two runs at once: the object's row lock lets the first record its version, the second find it.
    await getObject(tx, objectId, { forUpdate: true });
    if (await hasNewerVersion(tx, objectId)) return { status: 'superseded', objectId };
    const now = ctx.now();
    const records = await recordPackage(tx, prepared, {
      depositor: actor,
      at: now,
      retention: ctx.settings.retention,
      derivedFrom: [{ id: object.id, retentionEnd: object.retentionEnd }],
    });
    if (!records) throw new VaultError('STORAGE_FAILURE', `La version prolongée de ${objectId} est déjà enregistrée.`);
    const created = records[0]!;
    for (const hold of object.holds) await insertHold(tx, created.id, hold.reason, hold.setBy, new Date(hold.setAt));
    await appendEntry(tx, {
      operation: 'preserve',
      actor,
      object: objectId,
      outcome: 'ok',
      time: now,
      details: {
        newObject: created.id,
        sha512: created.sha512,
        reason,
        previousTimestamp: inspection.newestTimestamp
          ? { genTime: inspection.newestTimestamp.genTime.toISOString(), tsaCertificateNotAfter: inspection.newestTimestamp.tsaCertificateNotAfter.toISOString() }
          : null,
      },
    });
    return { status: 'extended', objectId, newObjectId: created.id, reason };
  });
}
