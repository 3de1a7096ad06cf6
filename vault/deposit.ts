import { z } from 'zod';
import { isValidSiren } from '../domain/siren.ts';
import { findPackageIdByManifest, insertObject, insertPackage, objectsOfPackage, type NewObject, type Queryable } from '../db/repositories/vault.ts';
import { DOCUMENT_CLASS, retentionEnd, type RetentionSettings } from './config.ts';
import { VaultError } from './errors.ts';
import { fingerprints } from './hashing.ts';
import { manifestHash, objectIdOf, packageIdOf } from './ids.ts';
import { appendEntry } from './journal.ts';
import type { ObjectStore } from './storage/store.ts';
import { PARTY_ROLES, type DepositPackage, type ObjectRecord } from './types.ts';

const MAX_OBJECTS = 500;

const PartySchema = z.strictObject({
  role: z.enum(PARTY_ROLES, { error: `rôle de partie inconnu : ${PARTY_ROLES.join(', ')}` }),
  id: z.string().min(1).max(100),
  name: z.string().max(200).optional(),
});

const documentClass = z.string().regex(DOCUMENT_CLASS, 'classe documentaire : minuscules, chiffres et tirets, 2 à 40 caractères');

export const DepositPackageSchema = z.strictObject({
  documentClass,
  dossierId: z.string().min(1).max(100).optional(),
  siren: z.string().refine(isValidSiren, 'SIREN invalide (9 chiffres, clé de Luhn)').optional(),
  parties: z.array(PartySchema).max(20).optional(),
  objects: z
    .array(
      z.strictObject({
        name: z
          .string()
          .min(1)
          .max(255)
          // eslint-disable-next-line no-control-regex -- NUL is exactly what a file name may not hold
          .refine((n) => !/[/\\\u0000]/.test(n), 'nom de fichier sans / ni \\'),
        mediaType: z.string().regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/, 'type de média invalide (ex. application/pdf)'),
        content: z.instanceof(Uint8Array, { error: 'contenu binaire attendu' }),
        documentClass: documentClass.optional(),
      }),
    )
    .min(1, 'un paquet contient au moins un objet')
    .max(MAX_OBJECTS, `un paquet contient au plus ${MAX_OBJECTS} objets`),
});

export function validatePackage(input: unknown): DepositPackage {
  const parsed = DepositPackageSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new VaultError('INVALID_INPUT', `Paquet refusé : ${first.path.join('.') || 'paquet'} — ${first.message}.`);
  }
  return parsed.data as DepositPackage;
}

/** A package with its fingerprints computed: what the identifier and the records come from. */
export interface PreparedPackage {
  packageId: string;
  manifestSha256: string;
  pkg: DepositPackage;
  objects: { name: string; mediaType: string; documentClass: string; content: Uint8Array; sha256: string; sha512: string }[];
}

export function preparePackage(pkg: DepositPackage): PreparedPackage {
  const objects = pkg.objects.map((o) => ({
    name: o.name,
    mediaType: o.mediaType,
    documentClass: o.documentClass ?? pkg.documentClass,
    content: o.content,
    ...fingerprints(o.content),
  }));
  const manifestSha256 = manifestHash({
    documentClass: pkg.documentClass,
    dossierId: pkg.dossierId ?? null,
    siren: pkg.siren ?? null,
    parties: pkg.parties ?? [],
    objects,
  });
  return { packageId: packageIdOf(manifestSha256), manifestSha256, pkg, objects };
}

export async function findExisting(sql: Queryable, prepared: PreparedPackage): Promise<ObjectRecord[] | null> {
  const id = await findPackageIdByManifest(sql, prepared.manifestSha256);
  return id ? objectsOfPackage(sql, id) : null;
}

/**
 * Every content durable in every location before anything is recorded: the metadata and
 * journal entries that follow can only name objects already whole on disk.
 */
export async function storeContents(stores: readonly ObjectStore[], prepared: PreparedPackage, onStep?: (step: string) => void): Promise<void> {
  for (const [i, store] of stores.entries()) {
    for (const [j, o] of prepared.objects.entries()) {
      await store.put(o.sha512, o.content, onStep ? (step) => onStep(`copie ${i + 1}, objet ${j + 1} : ${step}`) : undefined);
    }
  }
}

export interface RecordOptions {
  depositor: string;
  at: Date;
  retention: RetentionSettings;
  /** Preservation: the object each new one re-extends, by position, and the retention end it keeps. */
  derivedFrom?: { id: string; retentionEnd: string | null }[];
}

/**
 * Records the package, its objects and one journal entry per object, in `tx`. Returns null
 * when the same package was recorded meanwhile (the caller answers with that one).
 */
export async function recordPackage(tx: Queryable, prepared: PreparedPackage, options: RecordOptions): Promise<ObjectRecord[] | null> {
  const { pkg, packageId } = prepared;
  const business = { dossierId: pkg.dossierId ?? null, siren: pkg.siren ?? null, parties: pkg.parties ?? [] };
  const inserted = await insertPackage(tx, {
    id: packageId,
    manifestSha256: prepared.manifestSha256,
    depositor: options.depositor,
    depositedAt: options.at,
    ...business,
  });
  if (!inserted) return null;
  const records: ObjectRecord[] = [];
  for (const [i, o] of prepared.objects.entries()) {
    const origin = options.derivedFrom?.[i];
    const end = origin ? origin.retentionEnd : (retentionEnd(options.retention, o.documentClass, options.at)?.toISOString() ?? null);
    const record: NewObject = {
      id: objectIdOf(packageId, i + 1),
      packageId,
      position: i + 1,
      name: o.name,
      mediaType: o.mediaType,
      size: o.content.length,
      sha256: o.sha256,
      sha512: o.sha512,
      documentClass: o.documentClass,
      retentionEnd: end,
      depositor: options.depositor,
      depositedAt: options.at.toISOString(),
      ...business,
      derivedFrom: origin?.id ?? null,
    };
    await insertObject(tx, record);
    await appendEntry(tx, {
      operation: 'deposit',
      actor: options.depositor,
      object: record.id,
      outcome: 'ok',
      time: options.at,
      details: {
        package: packageId,
        name: record.name,
        mediaType: record.mediaType,
        size: record.size,
        sha256: record.sha256,
        sha512: record.sha512,
        documentClass: record.documentClass,
        retentionEnd: record.retentionEnd,
        ...(record.derivedFrom ? { derivedFrom: record.derivedFrom } : {}),
      },
    });
    records.push({ ...record, disposedAt: null, disposedBy: null, disposalReason: null, holds: [] });
  }
  return records;
}
