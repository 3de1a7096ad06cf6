/**
 * Engine benchmark: `npx tsx bench/engine.ts [--rate 50 --seconds 60 --baseline-rates 20,40,60,80,100 --baseline-seconds 10 --http]`
 *
 * On the Temporal CLI dev server on a SQLite file (WAL) with one in-process
 * worker, it measures first a bare one-activity workflow at increasing rates
 * (the baseline), then default-accord dossiers submitted at `--rate` for
 * `--seconds` through the DossierEngine (and with --http through POST
 * /v1/dossiers): decided per second and p50/p99 time to decision, counted from
 * each submission's scheduled instant (open loop). The dossiers run on the
 * default path — the embedded PostgreSQL, started by db/embedded-postgres.ts as
 * `passeport start` starts it — and, when DATABASE_URL names one, again on that
 * external PostgreSQL (a throw-away database), in the same run.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { createDossierActivities } from '../activities/dossier.ts';
import { buildServer } from '../api/server.ts';
import postgres from 'postgres';
import { connect, type Sql } from '../db/connect.ts';
import { startEmbeddedPostgres } from '../db/embedded-postgres.ts';
import { migrate } from '../db/migrate.ts';
import { createApiKey } from '../db/repositories/apiKeys.ts';
import { createLocalGuarantor } from '../guarantor/local.ts';
import { connectWorker } from '../temporal/connection.ts';
import { startDevServer } from '../temporal/dev-server.ts';
import { createTemporalDossierEngine } from '../temporal/dossier-engine.ts';
import { installTemporalRuntime } from '../temporal/runtime.ts';
import { createWorker } from '../temporal/worker.ts';
import { RESELLER, createDossier, seedRegistries, workflowInput, type CreatedDossier } from '../test/integration/support/fixtures.ts';
import { measureBaseline } from './engine-baseline.ts';
import { runOpenLoop, sustains, type LoadResult } from './engine-load.ts';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '60' },
    'baseline-rates': { type: 'string', default: '20,40,60,80,100' },
    'baseline-seconds': { type: 'string', default: '10' },
    http: { type: 'boolean', default: false },
  },
});
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const baselineRates = (args['baseline-rates'] ?? '').split(',').filter(Boolean).map(Number);
const baselineSeconds = Number(args['baseline-seconds']);
const P99_TARGET_MS = 1_000;

installTemporalRuntime();
// Under the repository's tmp/: as root, the embedded PostgreSQL runs as the `postgres` user, which must reach it.
const tmp = path.join(import.meta.dirname, '../tmp');
fs.mkdirSync(tmp, { recursive: true });
const dir = fs.mkdtempSync(path.join(tmp, 'bench-engine-'));
fs.chmodSync(dir, 0o755);
const embedded = await startEmbeddedPostgres({ dataDir: dir });
const external = process.env.DATABASE_URL ? await throwAwayDatabase(process.env.DATABASE_URL) : null;
const databases: { label: string; sql: Sql }[] = [
  { label: 'embedded PostgreSQL (default path)', sql: connect(embedded.url, 20) },
  ...(external ? [{ label: 'external PostgreSQL (DATABASE_URL)', sql: external.sql }] : []),
];
const server = await startDevServer({ dbFile: path.join(dir, 'temporal.db'), uiPort: null });
const nativeConnection = await connectWorker({ address: server.address, namespace: 'default' });
const client = new Client({ connection: await Connection.connect({ address: server.address }) });

// Ctrl-C or SIGTERM mid-run still stops the dev server and drops the throw-away database.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanUp().finally(() => process.exit(130));
  });
}
let cleaned = false;
async function cleanUp(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  await nativeConnection.close().catch(() => {});
  await client.connection.close().catch(() => {});
  await server.stop();
  for (const { sql } of databases) await sql.end({ timeout: 5 }).catch(() => {});
  await external?.drop();
  await embedded.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A fresh database on an external server, dropped at the end. */
async function throwAwayDatabase(adminUrl: string): Promise<{ sql: Sql; drop(): Promise<void> }> {
  const name = `passeport_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const sql = connect(url.toString(), 20);
  return {
    sql,
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

/** Dossiers whose caller stopped waiting are still being decided: let them finish before the next phase. */
async function drain(sql: Sql): Promise<void> {
  for (;;) {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from dossiers where status = 'received'`;
    if (!row || row.n === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

function line(label: string, r: LoadResult): string {
  const ok = sustains(r, P99_TARGET_MS) ? 'sustained' : 'NOT sustained';
  return (
    `${label.padEnd(26)} offered ${r.offeredRate}/s × ${(r.launched / r.offeredRate).toFixed(0)} s: ` +
    `${r.completed}/${r.launched} done (${r.errors} errors) in ${r.wallSeconds.toFixed(1)} s → ${r.completedPerSecond.toFixed(1)}/s, ` +
    `p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms, max ${r.maxMs.toFixed(0)} ms — ${ok}` +
    (r.firstError ? ` (first error: ${r.firstError})` : '')
  );
}

try {
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(`Temporal dev server on SQLite (WAL), one worker in this process; databases: ${databases.map((d) => d.label).join(', ')}`);

  // ── Baseline: the bare one-activity workflow ────────────────────────────
  const baseline = await measureBaseline({
    connection: nativeConnection,
    client,
    rates: baselineRates,
    seconds: baselineSeconds,
    onStep: (r) => console.log(line('bare workflow', r)),
  });
  const sustained = baseline.filter((r) => sustains(r, P99_TARGET_MS));
  const bareBest = sustained.length > 0 ? Math.max(...sustained.map((r) => r.completedPerSecond)) : 0;
  const barePeak = Math.max(...baseline.map((r) => r.completedPerSecond));

  // ── Dossiers, on each database ──────────────────────────────────────────
  const results: { label: string; result: LoadResult }[] = [];
  const total = Math.round(rate * seconds);
  for (const [n, { label: dbLabel, sql }] of databases.entries()) {
    await migrate(sql);
    await seedRegistries(sql);
    const taskQueue = `bench-dossiers-${n}`;
    const worker = await createWorker({
      connection: nativeConnection,
      taskQueue,
      activities: createDossierActivities({ sql, guarantor: createLocalGuarantor(sql) }),
    });
    const engine = createTemporalDossierEngine({ client, taskQueue });
    await worker.runUntil(async () => {
      // Warm the worker's workflow context and the pools; not measured.
      for (let i = 0; i < 5; i++) await engine.start(workflowInput(await createDossier(sql, {})), 30_000);

      process.stdout.write(`[${dbLabel}] preparing ${total} dossiers (one company and passport each)… `);
      const dossiers: CreatedDossier[] = [];
      for (let i = 0; i < total; i++) dossiers.push(await createDossier(sql, {}));
      console.log('done');
      const engineRun = await runOpenLoop(rate, seconds, async (i) => {
        const dossier = dossiers[i];
        if (!dossier) throw new Error('missing dossier');
        const view = await engine.start(workflowInput(dossier), 30_000);
        if (view.status !== 'approved') throw new Error(`dossier ${view.dossierId} is ${view.status}`);
      });
      results.push({ label: `dossiers via DossierEngine, ${dbLabel}`, result: engineRun });
      console.log(line(`dossiers via DossierEngine [${dbLabel}]`, engineRun));
      await drain(sql);

      if (args.http) {
        const app = await buildServer({ sql, engine, config: { startWaitMs: 30_000 }, checkTemporal: async () => {} });
        const address = await app.listen({ host: '127.0.0.1', port: 0 });
        const key = await createApiKey(sql, RESELLER, 'reseller', { label: 'bench' });
        process.stdout.write(`[${dbLabel}] preparing ${total} companies and passports for HTTP submissions… `);
        const prepared: CreatedDossier[] = [];
        for (let i = 0; i < total; i++) prepared.push(await createDossier(sql, {}));
        const bodies = prepared.map((d) => d.body);
        // Only their companies and passports are needed: the POSTs store the dossiers themselves.
        await sql`delete from dossiers where id = any(${prepared.map((d) => d.dossierId)})`;
        console.log('done');
        const httpRun = await runOpenLoop(rate, seconds, async (i) => {
          const response = await fetch(`${address}/v1/dossiers`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
            body: JSON.stringify(bodies[i]),
          });
          const view = (await response.json()) as { status?: string };
          if (view.status !== 'approved') throw new Error(`HTTP ${response.status}: ${JSON.stringify(view).slice(0, 200)}`);
        });
        results.push({ label: `dossiers via POST /v1/dossiers, ${dbLabel}`, result: httpRun });
        console.log(line(`dossiers via POST [${dbLabel}]`, httpRun));
        await app.close();
        await drain(sql);
      }
    });
  }

  console.log('');
  console.log(`bare workflow: best sustained ${bareBest.toFixed(1)}/s (p99 ≤ ${P99_TARGET_MS} ms), peak ${barePeak.toFixed(1)}/s`);
  const sameRate = baseline.find((r) => r.offeredRate === rate);
  const percent = (value: number, of: number | undefined) => (of ? `${((100 * value) / of).toFixed(0)} %` : 'n/a');
  for (const { label, result } of results) {
    console.log(
      `${label}: ${result.completedPerSecond.toFixed(1)}/s decided, p50 ${result.p50Ms.toFixed(0)} ms, p99 ${result.p99Ms.toFixed(0)} ms; ` +
        `${percent(result.completedPerSecond, sameRate?.completedPerSecond)} of the bare workflow at the same offered rate, ` +
        `${percent(result.completedPerSecond, barePeak)} of its peak; ` +
        `target (${rate}/s at p99 < 1 s) ${sustains(result, P99_TARGET_MS) ? 'met' : 'NOT met'}`,
    );
  }
} finally {
  await cleanUp();
}
