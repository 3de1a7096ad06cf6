/**
 * `passeport start` as a user runs it, as a subprocess driven over HTTP with
 * the demo key it prints: on a fresh data folder with the embedded defaults
 * (a private PostgreSQL cluster and a Temporal dev server, both under DATA_DIR), and pointed at services it
 * did not start (DATABASE_URL, TEMPORAL_ADDRESS) as in a cluster.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { DEMO } from '../../db/seed.ts';
import { READY_LINE } from '../../cli/start.ts';
import { startDevServer } from '../../temporal/dev-server.ts';
import { dossierWorkflowId } from '../../temporal/dossier-engine.ts';
import { freePort } from '../../processes/free-port.ts';
import { createTestDatabase } from '../support/db.ts';
import { makeDataDir } from '../support/data-dir.ts';
import { portAnswers, processesMentioning, spawnStart, startOnDefaults, submitDemoDossier, type StartProcess } from './support/start-process.ts';
import { spawn } from 'node:child_process';
import { postgresBinDir } from '../../db/embedded-postgres.ts';
import { identityOf, isAlive, readPidFile, waitUntilGone } from '../../processes/identity.ts';

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 300 && !(await portAnswers(port)); i++) await new Promise((r) => setTimeout(r, 100));
}

const READY = new RegExp(READY_LINE.replace('.', '\\.'));
let dataDir: string;
const started: StartProcess[] = [];

function baseEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, API_HOST: '127.0.0.1', API_PORT: '0', LOG_LEVEL: 'warn', DEMO_MODE: 'true', ...extra };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env;
}

beforeAll(() => {
  dataDir = makeDataDir('start');
});

afterAll(() => {
  for (const s of started) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  for (const pid of processesMentioning(dataDir)) process.kill(pid, 'SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('passeport start', () => {
  it('on the embedded defaults: serves the API with demo keys, approves a dossier by default, stops cleanly on SIGTERM', async () => {
    const home = path.join(dataDir, 'embedded');
    const temporalPort = await freePort();
    // As on a fresh machine: no DATABASE_URL, no TEMPORAL_ADDRESS.
    const start = spawnStart(
      baseEnv({ DATA_DIR: home, TEMPORAL_PORT: String(temporalPort), TEMPORAL_UI_PORT: String(await freePort()), DATABASE_URL: undefined, TEMPORAL_ADDRESS: undefined }),
    );
    started.push(start);
    await start.waitFor(READY, 150_000);

    const apiUrl = (await start.waitFor(/API\s+(http:\/\/127\.0\.0\.1:\d+)/, 1_000))[1] ?? '';
    expect(start.output()).toMatch(/Documentation \(OpenAPI\)\s+http:\/\/127\.0\.0\.1:\d+\/docs/);
    expect(start.output()).toMatch(/Temporal \(interface\)\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(start.output()).toContain('PostgreSQL intégré');
    const key = (await start.waitFor(new RegExp(`reseller\\s+${DEMO.resellers.grenoble}\\s+(\\S+)`), 1_000))[1] ?? '';

    const health = await fetch(`${apiUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: { status: 'up' }, temporal: { status: 'up' } });
    expect((await fetch(`${apiUrl}/docs/json`)).status).toBe(200);
    // The PKI's public endpoints are mounted too: an empty timestamp query gets a protocol answer.
    const tsa = await fetch(`${apiUrl}/tsa`, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: new Uint8Array() });
    expect(tsa.status).toBe(200);
    expect(tsa.headers.get('content-type')).toContain('application/timestamp-reply');
    // Demo mode initialises the PKI, so its CRLs are published at the URLs its certificates name.
    const crl = await fetch(`${apiUrl}/pki/crl/rgs1.crl`);
    expect(crl.status).toBe(200);
    expect(crl.headers.get('content-type')).toContain('application/pkix-crl');
    expect(Buffer.from(await crl.arrayBuffer())[0]).toBe(0x30);

    const view = await submitDemoDossier(apiUrl, key, 'start-test-0001');
    expect(view.status).toBe('approved');
    expect(view.decision?.decidedBy).toBe('rule');
    expect(view.decision?.guaranteeReference).toMatch(/^SOF-\d{4}-\d{6}$/);

    expect(processesMentioning(home).length).toBeGreaterThan(0);
    expect(await portAnswers(temporalPort)).toBe(true);
    start.child.kill('SIGTERM');
    expect(await start.exited).toBe(0);
    expect(start.output()).toContain('Passeport est arrêté.');
    expect(processesMentioning(home)).toEqual([]);
    expect(await portAnswers(temporalPort)).toBe(false);
    expect(fs.existsSync(path.join(home, 'temporal.db'))).toBe(true);
  }, 200_000);

  it('on services it did not start (DATABASE_URL, TEMPORAL_ADDRESS): same behaviour, and leaves them running', async () => {
    const home = path.join(dataDir, 'external');
    const db = await createTestDatabase();
    const temporal = await startDevServer({ dbFile: path.join(dataDir, 'cluster', 'temporal.db'), uiPort: null });
    try {
      const start = spawnStart(baseEnv({ DATA_DIR: home, DATABASE_URL: db.url, TEMPORAL_ADDRESS: temporal.address }));
      started.push(start);
      await start.waitFor(READY, 150_000);
      expect(start.output()).toMatch(new RegExp(`Temporal\\s+${temporal.address} \\(namespace default\\)`));
      expect(start.output()).toContain('PostgreSQL (DATABASE_URL)');
      const apiUrl = (await start.waitFor(/API\s+(http:\/\/127\.0\.0\.1:\d+)/, 1_000))[1] ?? '';
      const key = (await start.waitFor(new RegExp(`reseller\\s+${DEMO.resellers.grenoble}\\s+(\\S+)`), 1_000))[1] ?? '';

      const view = await submitDemoDossier(apiUrl, key, 'start-test-0002');
      expect(view.status).toBe('approved');
      const [row] = await db.sql<{ status: string }[]>`select status from dossiers where id = ${view.dossierId}`;
      expect(row?.status).toBe('approved');

      start.child.kill('SIGTERM');
      expect(await start.exited).toBe(0);
      // Stopping the engine leaves the cluster alone, with the workflow's history in it.
      const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
      const described = await client.workflow.getHandle(dossierWorkflowId(view.dossierId)).describe();
      expect(described.status.name).toBe('COMPLETED');
      await client.connection.close();
      expect(fs.existsSync(path.join(home, 'temporal.db'))).toBe(false);
      expect(fs.existsSync(path.join(home, 'postgres'))).toBe(false);
    } finally {
      await temporal.stop();
      await db.drop();
    }
  }, 200_000);

  it('leaves no child behind when killed with SIGKILL; stops an earlier run’s database, refuses a taken port and a second start', async () => {
    const home = path.join(dataDir, 'stale');
    fs.mkdirSync(home, { mode: 0o755 });
    const first = await startOnDefaults(home);
    started.push(first.start);
    const children = ['postgres', 'temporal', 'worker', 'api'].map((name) => readPidFile(path.join(home, 'run', `${name}.json`)));
    expect(children.every((c) => c && isAlive(c))).toBe(true);
    first.start.child.kill('SIGKILL');
    for (const child of children) expect(await waitUntilGone(child!, 20_000)).toBe(true);
    expect(await portAnswers(first.temporalPort)).toBe(false);

    // An earlier run's database still up (no parent-death signal: started by hand, or by an older version)…
    const pgPort = await freePort();
    const leftover = spawn(
      'setpriv',
      [
        ...(process.getuid?.() === 0 ? ['--reuid', 'postgres', '--regid', 'postgres', '--init-groups'] : []),
        '--',
        path.join(postgresBinDir(), 'postgres'),
        '-D',
        path.join(home, 'postgres', 'data'),
        '-p',
        String(pgPort),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
      ],
      { detached: true, stdio: 'ignore' },
    );
    leftover.unref();
    await waitForPort(pgPort);
    // …and a Temporal server (someone else's) on the port this start wants.
    const squatter = await startDevServer({ dbFile: path.join(dataDir, 'squatter', 'temporal.db'), uiPort: null });
    try {
      const second = spawnStart(
        baseEnv({ DATA_DIR: home, TEMPORAL_PORT: String(squatter.port), TEMPORAL_UI_PORT: String(await freePort()), DATABASE_URL: undefined, TEMPORAL_ADDRESS: undefined }),
      );
      started.push(second);
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain('Une base de données d’une exécution précédente tournait encore');
      expect(second.output()).toMatch(new RegExp(`Le port ${squatter.port} \\(Temporal\\) est déjà utilisé`));
      expect(second.output()).not.toContain(READY_LINE);
      expect(identityOf(leftover.pid!)).toBeNull();
      expect(squatter.running()).toBe(true);
    } finally {
      await squatter.stop();
    }

    const third = await startOnDefaults(home);
    started.push(third.start);
    const fourth = spawnStart(baseEnv({ DATA_DIR: home, DATABASE_URL: undefined, TEMPORAL_ADDRESS: undefined }));
    started.push(fourth);
    expect(await fourth.exited).toBe(1);
    expect(fourth.output()).toMatch(/Passeport est déjà démarré sur .* \(pid \d+\)/);
    const stopAsked = Date.now();
    third.start.child.kill('SIGINT');
    expect(await third.start.exited).toBe(0);
    expect(Date.now() - stopAsked).toBeLessThan(30_000);
    expect(processesMentioning(home)).toEqual([]);
  }, 400_000);

  it('refuses a bad setting at once, naming the variable', async () => {
    const bad = spawnStart(baseEnv({ DATA_DIR: dataDir, TEMPORAL_PORT: 'soixante', REMINDER_OFFSETS_SECONDS: '12h' }));
    started.push(bad);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('TEMPORAL_PORT');
    expect(bad.output()).toContain('REMINDER_OFFSETS_SECONDS');
    expect(bad.output()).not.toContain(READY_LINE);
  }, 60_000);
});
