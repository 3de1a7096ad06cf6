import postgres from 'postgres';
import { runningEmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres.ts';

export type Sql = postgres.Sql;

export interface Database {
  sql: Sql;
  /** Connection string other processes (workers, tools) can use; holds a password: never log it. */
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

export interface OpenOptions {
  url?: string | undefined;
  /** DATA_DIR: where the embedded PostgreSQL lives when no URL is given. */
  dataDir: string;
  max?: number;
  /** A French sentence for the person at the terminal (an earlier run's server stopped). */
  onNotice?: (message: string) => void;
}

/**
 * The database of a command: the PostgreSQL named by DATABASE_URL, or else the
 * embedded cluster under DATA_DIR — the one a running `passeport start` serves,
 * or one started for this command and stopped by `close()`.
 */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.url) {
    const sql = connect(options.url, options.max);
    return { sql, url: options.url, embedded: false, close: () => sql.end({ timeout: 5 }) };
  }
  const running = runningEmbeddedPostgres(options.dataDir);
  if (running?.ownerAlive) {
    const sql = connect(running.url, options.max);
    return { sql, url: running.url, embedded: true, close: () => sql.end({ timeout: 5 }) };
  }
  const server = await startEmbeddedPostgres({ dataDir: options.dataDir, onNotice: options.onNotice ?? ((m) => console.error(m)) });
  const sql = connect(server.url, options.max);
  return {
    sql,
    url: server.url,
    embedded: true,
    async close() {
      await sql.end({ timeout: 5 });
      await server.stop();
    },
  };
}

export function connect(url: string, max = 10): Sql {
  return postgres(url, {
    max,
    onnotice: () => {},
    connection: { application_name: 'passeport' },
    types: { bigint: postgres.BigInt },
  });
}
