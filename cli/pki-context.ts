/** What every `passeport pki …` command shares: its database, and French error reporting. */
import { ConfigError, loadEnv, type Env } from '../config/env.ts';
import { openDatabase } from '../db/connect.ts';
import { pkiStore } from '../db/repositories/pki.ts';
import type { PkiStore } from '../certs/stores.ts';
import { migrate } from '../db/migrate.ts';
import { exitCodeOf, messageOf } from './errors.ts';

/** Opens the database (the embedded PostgreSQL when DATABASE_URL is unset), migrates, runs, reports errors in French. */
export async function withPki(action: (store: PkiStore, env: Env) => Promise<void>): Promise<void> {
  let env: Env;
  try {
    env = loadEnv();
  } catch (error) {
    console.error(`Erreur de configuration : ${messageOf(error)}`);
    process.exitCode = exitCodeOf(error);
    return;
  }
  let db: Awaited<ReturnType<typeof openDatabase>> | null = null;
  try {
    db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
    await migrate(db.sql);
    await action(pkiStore(db.sql), env);
  } catch (error) {
    console.error(`Erreur : ${describeError(error)}`);
    // Which PKI was asked: the usual cause of a missing CA is another DATA_DIR.
    console.error(`(dossier des données : ${env.DATA_DIR})`);
    process.exitCode = exitCodeOf(error);
  } finally {
    await db?.close();
  }
}

export function describeError(error: unknown): string {
  if (error instanceof ConfigError) return `configuration invalide\n${error.message}`;
  return messageOf(error);
}
