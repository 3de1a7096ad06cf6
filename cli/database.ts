import { loadEnvOrReport } from '../config/env.ts';
import { openDatabase, type Sql } from '../db/connect.ts';
import { migrate } from '../db/migrate.ts';
import { exitCodeOf, messageOf } from './errors.ts';

export type CliEnv = NonNullable<ReturnType<typeof loadEnvOrReport>>;

/**
 * Runs one command's work on the configured database (the embedded one by default), migrated
 * first unless the command is about migrations itself; the failure is said in French and
 * becomes the exit code (2 for a bad setting).
 */
export async function withDatabase(work: (sql: Sql, env: CliEnv) => Promise<void>, options: { migrate?: boolean } = {}): Promise<number> {
  const env = loadEnvOrReport();
  if (!env) return 2;
  const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
  try {
    if (options.migrate ?? true) await migrate(db.sql);
    await work(db.sql, env);
    return 0;
  } catch (error) {
    console.error(`Échec : ${messageOf(error)}`);
    return exitCodeOf(error);
  } finally {
    await db.close();
  }
}
