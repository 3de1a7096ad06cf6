import crypto from 'node:crypto';
import type { Sql } from '../db/connect.ts';
import type { StoredEntry } from '../db/repositories/vault.ts';
import type { VaultSettings } from './config.ts';
import { VaultError } from './errors.ts';
import { appendEntry, type NewEntry } from './journal.ts';
import type { VaultPorts } from './ports.ts';
import type { ObjectStore } from './storage/store.ts';

/** What every part of the vault works with. */
export interface VaultContext {
  sql: Sql;
  /** The first is read first; every one is written on each deposit, synchronously. */
  stores: readonly ObjectStore[];
  ports: VaultPorts;
  settings: VaultSettings;
  now: () => Date;
}

/** One journal entry in a transaction of its own (reads, refusals, reports). */
export function journal(ctx: VaultContext, e: Omit<NewEntry, 'time'> & { time?: Date }): Promise<StoredEntry> {
  return ctx.sql.begin((tx) => appendEntry(tx, { ...e, time: e.time ?? ctx.now() }));
}

/**
 * The content from the first location whose copy still has its SHA-512; a missing or
 * altered copy is skipped (the audit reports it), none left is an error.
 */
export async function readContent(ctx: VaultContext, sha512: string): Promise<Buffer> {
  const problems: string[] = [];
  for (const store of ctx.stores) {
    try {
      const bytes = await store.read(sha512);
      if (crypto.createHash('sha512').update(bytes).digest('hex') === sha512) return bytes;
      problems.push(`copie altérée dans ${store.location}`);
    } catch (error) {
      problems.push(error instanceof VaultError ? error.message : `${store.location} : ${(error as Error).message}`);
    }
  }
  throw new VaultError('CORRUPTED_COPY', `Aucune copie intacte de l'objet : ${problems.join(' ; ')}.`);
}
