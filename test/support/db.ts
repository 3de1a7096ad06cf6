import crypto from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../db/connect.ts';
import { migrate } from '../../db/migrate.ts';

/**
 * A fresh, migrated database in the run's embedded PostgreSQL cluster
 * (test/support/global-postgres.ts starts it). Drop it with `drop()`.
 */
export async function createTestDatabase(): Promise<Database & { drop(): Promise<void> }> {
  const adminUrl = inject('databaseUrl');
  const name = `passeport_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), dataDir: 'unused' });
  await migrate(db.sql);
  return {
    ...db,
    async drop() {
      await db.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}
