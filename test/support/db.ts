import crypto from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../db/connect.ts';
import { migrate } from '../../db/migrate.ts';

/**
 * A fresh, migrated database on the real PostgreSQL named by DATABASE_URL
 * (scripts/test.sh starts one when it is unset). Drop it with `drop()`.
 */
export async function createTestDatabase(): Promise<Database & { drop(): Promise<void> }> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('DATABASE_URL is not set: run the tests through `npm test`.');
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
