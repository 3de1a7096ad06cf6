/**
 * vitest globalSetup: one private PostgreSQL cluster for the whole run, started
 * by the same module as `passeport start`'s embedded database
 * (db/embedded-postgres.ts), under tmp/; each test file makes its own database
 * in it (test/support/db.ts). Clusters of earlier runs that died are removed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { runningEmbeddedPostgres, startEmbeddedPostgres } from '../../db/embedded-postgres.ts';
import { identityOf, readPidFile, stopProcess } from '../../processes/identity.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's cluster, database `passeport` (a superuser's URL). */
    databaseUrl: string;
  }
}

const TMP = path.resolve(import.meta.dirname, '../../tmp');
const PREFIX = 'test-postgres-';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await removeDeadRuns();
  const dataDir = path.join(TMP, `${PREFIX}${process.pid}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'runner.json'), JSON.stringify(identityOf(process.pid)));
  const server = await startEmbeddedPostgres({ dataDir });
  project.provide('databaseUrl', server.url);
  return async () => {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}

async function removeDeadRuns(): Promise<void> {
  if (!fs.existsSync(TMP)) return;
  for (const entry of fs.readdirSync(TMP)) {
    if (!entry.startsWith(PREFIX)) continue;
    const dataDir = path.join(TMP, entry);
    const runner = readPidFile(path.join(dataDir, 'runner.json'));
    if (runner && identityOf(runner.pid)?.startTicks === runner.startTicks) continue; // another run, still going
    const stale = runningEmbeddedPostgres(dataDir);
    const identity = stale ? identityOf(stale.postmasterPid) : null;
    if (identity) await stopProcess(identity, 'SIGINT', 20_000);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
