/**
 * `passeport start`: the whole engine on one machine, as supervised child
 * processes — the embedded PostgreSQL (unless DATABASE_URL), the Temporal dev
 * server on DATA_DIR/temporal.db (unless TEMPORAL_ADDRESS), `passeport worker`
 * and `passeport api` — after migrations, the demo data and, in demo mode, the
 * PKI. A child that dies is restarted with backoff; none outlives this process
 * (parent-death signal), and a second `start` on the same DATA_DIR is refused.
 * Ctrl-C / SIGTERM stops everything in reverse order, within bounded times,
 * and exits 0; a second Ctrl-C ends everything at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import { loadEnvOrReport, type Env } from '../config/env.ts';
import { connect } from '../db/connect.ts';
import { embeddedDirectory, startEmbeddedPostgres } from '../db/embedded-postgres.ts';
import { migrate } from '../db/migrate.ts';
import { DEMO_PASSWORD, seedDemo } from '../db/seed.ts';
import { ROLE_LABEL } from '../domain/roles.ts';
import { pkiStore } from '../db/repositories/pki.ts';
import { initPki } from '../certs/ca.ts';
import { createSoftHsmStore } from '../certs/softhsm.ts';
import { seedDemoSigners } from '../db/seed-signers.ts';
import { SEAL_TOKEN_LABEL, resolveSealPin } from '../ceremony/config.ts';
import { startDevServer } from '../temporal/dev-server.ts';
import { describeExit, spawnChild } from '../processes/child.ts';
import { freePort } from '../processes/free-port.ts';
import { identityOf, isAlive, ownIdentity, readPidFile, stopProcess, writePidFile, type ProcessIdentity } from '../processes/identity.ts';
import { Supervisor, type RunningService } from '../processes/supervisor.ts';
import { SUMMARY } from './summaries.ts';

/** The line scripts and tests wait for. */
export const READY_LINE = 'Passeport est prêt.';

/** A part has this long to say it serves (the worker bundles the workflow code first). */
const PART_READY_TIMEOUT_MS = 180_000;

export function register(program: Command): void {
  program
    .command('start')
    .description(SUMMARY.start)
    .action(async () => {
      process.exit(await start());
    });
}

class StopDuringStart extends Error {}

async function start(): Promise<number> {
  const env = loadEnvOrReport();
  if (!env) return 2;
  const logger = pino({ level: env.LOG_LEVEL }).child({ part: 'start' });
  fs.mkdirSync(env.DATA_DIR, { recursive: true });
  const runDir = path.join(env.DATA_DIR, 'run');

  const other = readPidFile(path.join(runDir, 'start.json'));
  if (other && isAlive(other)) {
    console.error(`Passeport est déjà démarré sur ${env.DATA_DIR} (pid ${other.pid}) : arrêtez-le d’abord, ou choisissez un autre DATA_DIR.`);
    return 1;
  }
  const me = ownIdentity();
  writePidFile(path.join(runDir, 'start.json'), me);
  await stopLeftovers(runDir);

  const supervisor = new Supervisor(logger);
  let stopping = false;
  let stopRequested: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) {
        // A second request: no more waiting. Our children die with us (parent-death signal).
        console.error('Arrêt immédiat.');
        process.exit(130);
      }
      stopping = true;
      console.log('\nArrêt en cours…');
      stopRequested();
    });
  }
  const checkpoint = () => {
    if (stopping) throw new StopDuringStart();
  };
  const pidFile = (name: string) => path.join(runDir, `${name}.json`);
  const track = (name: string) => (service: RunningService) => writePidFile(pidFile(name), { pid: service.pid, startTicks: identityOf(service.pid)?.startTicks ?? '', owner: me });

  try {
    let databaseUrl = env.DATABASE_URL;
    if (!databaseUrl) {
      let port = 0;
      let url = '';
      await supervisor.add({
        name: 'postgres',
        label: 'la base de données',
        async launch() {
          const server = await startEmbeddedPostgres({ dataDir: env.DATA_DIR, port, onNotice: (m) => console.error(m) });
          port = server.port;
          url = server.url;
          return { pid: server.pid, exited: server.exited.then(describeExit), stop: () => server.stop() };
        },
        onLaunched: track('postgres'),
      });
      databaseUrl = url;
    }
    checkpoint();

    const sql = connect(databaseUrl, 4);
    let demo: Demo | null = null;
    try {
      await migrate(sql);
      demo = env.DEMO_MODE ? await seedDemo(sql) : null;
      checkpoint();

      const apiPort = env.API_PORT || (await freePort());
      const apiUrl = env.PUBLIC_URL ?? `http://${env.API_HOST}:${apiPort}`;
      if (env.DEMO_MODE) {
        // A demo engine issues, timestamps and answers OCSP at once; a real one runs `pki init` as a ceremony.
        // EC P-384 CA keys keep the first start short; the URLs in certificates point at the API.
        const pki = await initPki(pkiStore(sql), { caKeyType: 'ec384', publicBaseUrl: apiUrl, dataDir: env.DATA_DIR });
        logger.info({ created: pki.created }, pki.message);
        // The demo's tokens (the engine's seals, a créateur's RGS ** key) live in a SoftHSM2 store under DATA_DIR,
        // unless SOFTHSM2_CONF names another; the worker and the API inherit the setting.
        process.env.SOFTHSM2_CONF ??= createSoftHsmStore(path.join(env.DATA_DIR, 'softhsm')).confPath;
        const signers = await seedDemoSigners(sql, {
          dataDir: env.DATA_DIR,
          store: { confPath: process.env.SOFTHSM2_CONF, tokenDir: '' },
          sealToken: { label: SEAL_TOKEN_LABEL, pin: resolveSealPin(env, true)! },
          modulePath: env.PKCS11_MODULE,
        });
        if (signers.created.length > 0) logger.info({ created: signers.created }, 'signataires de démonstration créés');
      }
      await sql.end({ timeout: 5 });

      let temporalAddress = env.TEMPORAL_ADDRESS;
      let temporalUi: string | null = null;
      if (!temporalAddress) {
        const dbFile = path.join(env.DATA_DIR, 'temporal.db');
        await supervisor.add({
          name: 'temporal',
          label: 'le serveur Temporal',
          async launch() {
            const server = await startDevServer({ dbFile, port: env.TEMPORAL_PORT, uiPort: env.TEMPORAL_UI_PORT, namespace: env.TEMPORAL_NAMESPACE });
            temporalAddress = server.address;
            temporalUi = server.uiUrl;
            return { pid: server.pid, exited: server.exited.then(String), stop: () => server.stop() };
          },
          onLaunched: track('temporal'),
        });
      }
      checkpoint();

      const workerMetrics = process.env.WORKER_METRICS_ADDRESS ?? `127.0.0.1:${await freePort()}`;
      const partEnv: NodeJS.ProcessEnv = {
        ...process.env,
        DATABASE_URL: databaseUrl,
        TEMPORAL_ADDRESS: temporalAddress,
        API_PORT: String(apiPort),
        WORKER_METRICS_ADDRESS: workerMetrics,
      };
      await supervisor.add({ name: 'worker', label: 'le worker', launch: () => launchPart('worker', partEnv), onLaunched: track('worker') });
      checkpoint();
      await supervisor.add({ name: 'api', label: 'l’API', launch: () => launchPart('api', partEnv), onLaunched: track('api') });
      checkpoint();

      printBanner({
        apiUrl,
        temporalUi,
        temporalAddress: temporalAddress ?? '',
        database: env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `PostgreSQL intégré (${embeddedDirectory(env.DATA_DIR)})`,
        workerMetrics: workerMetrics ? `http://${workerMetrics}/metrics` : null,
        env,
        demo,
      });
    } finally {
      await sql.end({ timeout: 5 }).catch(() => {});
    }
  } catch (error) {
    if (!(error instanceof StopDuringStart)) {
      logger.error({ err: error }, 'le démarrage a échoué');
      console.error(`Le démarrage a échoué : ${(error as Error).message}`);
    }
    await supervisor.stopAll();
    cleanRunDir(runDir, me);
    return error instanceof StopDuringStart ? 0 : 1;
  }

  await stopped;
  const clean = await supervisor.stopAll();
  cleanRunDir(runDir, me);
  console.log(clean ? 'Passeport est arrêté.' : 'Passeport est arrêté (avec des erreurs, voir le journal).');
  return clean ? 0 : 1;
}

/** Runs `passeport worker` or `passeport api` as a child; resolves once it says it serves. */
async function launchPart(name: 'worker' | 'api', env: NodeJS.ProcessEnv): Promise<RunningService> {
  const child = spawnChild({
    name,
    command: process.execPath,
    // The same entry as this process (the compiled CLI's launcher, or cli/main.ts under tsx).
    args: [...process.execArgv, process.argv[1]!, name],
    parentDeathSignal: 'TERM',
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      child.process.on('message', (message: { type?: string }) => {
        if (message?.type === 'ready') resolve();
      });
      void child.exited.then((exit) => reject(new Error(`${name} s’est arrêté au démarrage (${describeExit(exit)})`)));
      timer = setTimeout(() => reject(new Error(`${name} n’a pas démarré en ${PART_READY_TIMEOUT_MS / 1000} s`)), PART_READY_TIMEOUT_MS);
    });
  } catch (error) {
    await child.kill();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { pid: child.pid, exited: child.exited.then(describeExit), stop: async () => void (await child.stop('SIGTERM', 20_000)) };
}

/**
 * Children of an earlier `start` that are still alive (their parent died in a
 * way the parent-death signal did not cover): stopped, and said so. Never joined.
 */
async function stopLeftovers(runDir: string): Promise<void> {
  if (!fs.existsSync(runDir)) return;
  for (const file of fs.readdirSync(runDir)) {
    if (!file.endsWith('.json') || file === 'start.json') continue;
    const leftover = readPidFile<{ owner?: ProcessIdentity }>(path.join(runDir, file));
    if (leftover && isAlive(leftover) && !isAlive(leftover.owner)) {
      const name = file.replace(/\.json$/, '');
      console.error(`Un processus « ${name} » d’une exécution précédente tournait encore (pid ${leftover.pid}) : il est arrêté.`);
      await stopProcess(leftover, name === 'postgres' ? 'SIGINT' : 'SIGTERM', 20_000);
    }
    fs.rmSync(path.join(runDir, file), { force: true });
  }
}

function cleanRunDir(runDir: string, me: ProcessIdentity): void {
  if (!fs.existsSync(runDir)) return;
  for (const file of fs.readdirSync(runDir)) {
    const entry = readPidFile<{ owner?: ProcessIdentity }>(path.join(runDir, file));
    const mine = file === 'start.json' ? entry?.pid === me.pid : entry?.owner?.pid === me.pid;
    if (mine) fs.rmSync(path.join(runDir, file), { force: true });
  }
}

type Demo = Awaited<ReturnType<typeof seedDemo>>;

function printBanner(info: {
  apiUrl: string;
  temporalUi: string | null;
  temporalAddress: string;
  database: string;
  workerMetrics: string | null;
  env: Env;
  demo: Demo | null;
}): void {
  const row = (label: string, value: string) => `  ${label.padEnd(24)} ${value}`;
  const lines = [
    '',
    READY_LINE,
    row('API', info.apiUrl),
    row('Pages (navigateur)', `${info.apiUrl}/connexion`),
    row('Documentation (OpenAPI)', `${info.apiUrl}/docs`),
    info.temporalUi ? row('Temporal (interface)', info.temporalUi) : row('Temporal', `${info.temporalAddress} (namespace ${info.env.TEMPORAL_NAMESPACE})`),
    row('Base de données', info.database),
    row('Métriques (Prometheus)', `${info.apiUrl}/metrics (clé administrateur)${info.workerMetrics ? ` ; SDK Temporal : ${info.workerMetrics}` : ''}`),
  ];
  if (info.demo) {
    lines.push('', 'Clés de démonstration (Authorization: Bearer <clé>) :');
    for (const key of info.demo.apiKeys) {
      lines.push(`  ${key.role.padEnd(10)} ${key.organisation.padEnd(16)} ${key.key}`);
    }
    lines.push('', `Comptes de démonstration (pages ; mot de passe de chacun : ${DEMO_PASSWORD}) :`);
    for (const account of info.demo.accounts) {
      lines.push(`  ${ROLE_LABEL[account.role].padEnd(15)} ${account.email.padEnd(40)} ${account.organisation}`);
    }
  }
  lines.push('', 'Ctrl-C pour arrêter.');
  console.log(lines.join('\n'));
}
