import postgres from 'postgres';
import fs from 'node:fs';
import path from 'node:path';

export type Sql = postgres.Sql;

export interface Database {
  sql: Sql;
  /** Connection string other processes (workers, tools) can use. */
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

export interface OpenOptions {
  url?: string | undefined;
  /** Where the embedded PostgreSQL keeps its files when no URL is given. */
  dataDir: string;
  /** Port for the embedded server's wire protocol (0 picks a free one). */
  embeddedPort?: number;
  max?: number;
}

/**
 * One code path for both deployments: a real PostgreSQL when a URL is given,
 * otherwise an embedded PGlite served over the Postgres wire protocol.
 */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.url) {
    const sql = connect(options.url, options.max);
    return { sql, url: options.url, embedded: false, close: () => sql.end({ timeout: 5 }) };
  }
  const running = findRunningEmbedded(options.dataDir);
  if (running) {
    const sql = connect(running, options.max);
    return { sql, url: running, embedded: false, close: () => sql.end({ timeout: 5 }) };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const dir = path.join(options.dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir);
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.embeddedPort ?? 0,
    maxConnections: 64,
  });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  const sql = connect(url, options.max ?? 8);
  const marker = markerPath(options.dataDir);
  fs.writeFileSync(marker, JSON.stringify({ url, pid: process.pid }));
  return {
    sql,
    url,
    embedded: true,
    async close() {
      await sql.end({ timeout: 5 });
      fs.rmSync(marker, { force: true });
      await server.stop();
      await db.close();
    },
  };
}

function connect(url: string, max = 10): Sql {
  return postgres(url, {
    max,
    onnotice: () => {},
    connection: { application_name: 'passeport' },
    types: { bigint: postgres.BigInt },
  });
}

/** The embedded server of another process (e.g. `passeport start`) may already hold the data. */
function markerPath(dataDir: string): string {
  return path.join(dataDir, 'pglite.server.json');
}

function findRunningEmbedded(dataDir: string): string | null {
  try {
    const { url, pid } = JSON.parse(fs.readFileSync(markerPath(dataDir), 'utf8')) as { url: string; pid: number };
    process.kill(pid, 0);
    return url;
  } catch {
    return null;
  }
}
