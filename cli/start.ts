/**
 * `passeport start`: the whole engine in one process tree — database (embedded
 * PGlite unless DATABASE_URL), migrations, demo data, Temporal (a dev server on
 * DATA_DIR/temporal.db unless TEMPORAL_ADDRESS), the worker and the API.
 * Ctrl-C / SIGTERM stops everything in reverse order and exits 0.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { pino, type Logger } from 'pino';
import { loadEnvOrReport, type Env } from '../config/env.ts';
import { openDatabase } from '../db/connect.ts';
import { migrate } from '../db/migrate.ts';
import { seedDemo } from '../db/seed.ts';
import { createDossierActivities } from '../activities/dossier.ts';
import { createLocalGuarantor } from '../guarantor/local.ts';
import { buildServer } from '../api/server.ts';
import { apiConfigFromEnv } from '../api/context.ts';
import { resumeStalledDossiers } from '../api/resume.ts';
import { pkiRoutes } from '../api/routes/pki.ts';
import { enginePkiServices } from '../certs/services.ts';
import { pkiStore } from '../db/repositories/pki.ts';
import { initPki } from '../certs/ca.ts';
import { startDevServer } from '../temporal/dev-server.ts';
import { checkTemporal, connectClient, connectWorker, targetFromEnv } from '../temporal/connection.ts';
import { createWorker } from '../temporal/worker.ts';
import { createTemporalDossierEngine } from '../temporal/dossier-engine.ts';
import { installTemporalRuntime } from '../temporal/runtime.ts';

/** The line scripts and tests wait for. */
export const READY_LINE = 'Passeport est prêt.';

export function register(program: Command): void {
  program
    .command('start')
    .description('Démarre le moteur : base de données, Temporal, worker et API (Ctrl-C pour arrêter)')
    .action(async () => {
      process.exit(await start());
    });
}

/** Closes what was opened, last opened first. */
class Closers {
  private readonly steps: { name: string; close: () => Promise<unknown> }[] = [];
  add(name: string, close: () => Promise<unknown>): void {
    this.steps.push({ name, close });
  }
  async closeAll(logger: Logger): Promise<boolean> {
    let clean = true;
    for (const step of this.steps.reverse()) {
      try {
        await step.close();
      } catch (error) {
        clean = false;
        logger.error({ err: error }, `arrêt incomplet : ${step.name}`);
      }
    }
    return clean;
  }
}

async function start(): Promise<number> {
  const env = loadEnvOrReport();
  if (!env) return 2;
  const logger = pino({ level: env.LOG_LEVEL });
  const closers = new Closers();
  let stopRequested: (signal: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => (stopRequested = resolve));
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (!stopping) console.log('\nArrêt en cours…');
      stopping = true;
      stopRequested(signal);
    });
  }
  const checkpoint = () => {
    if (stopping) throw new StopDuringStart();
  };

  try {
    fs.mkdirSync(env.DATA_DIR, { recursive: true });

    const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR, embeddedPort: 0, max: 20 });
    closers.add('base de données', () => db.close());
    await migrate(db.sql);
    const demoKeys = env.DEMO_MODE ? (await seedDemo(db.sql)).apiKeys : null;
    checkpoint();

    installTemporalRuntime();
    let temporalUi: string | null = null;
    let fallbackAddress: string | undefined;
    if (!env.TEMPORAL_ADDRESS) {
      const server = await startDevServer({
        dbFile: path.join(env.DATA_DIR, 'temporal.db'),
        port: env.TEMPORAL_PORT,
        uiPort: env.TEMPORAL_UI_PORT,
        namespace: env.TEMPORAL_NAMESPACE,
      });
      closers.add('serveur Temporal', () => server.stop());
      temporalUi = server.uiUrl;
      fallbackAddress = server.address;
    }
    checkpoint();
    const target = targetFromEnv(env, fallbackAddress);

    const workerConnection = await connectWorker(target);
    closers.add('connexion du worker', () => workerConnection.close());
    const worker = await createWorker({
      connection: workerConnection,
      namespace: target.namespace,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      activities: createDossierActivities({ sql: db.sql, guarantor: createLocalGuarantor(db.sql) }),
    });
    const running = worker.run();
    closers.add('worker', async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    running.catch((error: unknown) => {
      logger.fatal({ err: error }, 'le worker Temporal s’est arrêté');
      stopRequested('worker');
    });

    const client = await connectClient(target);
    closers.add('client Temporal', () => client.connection.close());
    const engine = createTemporalDossierEngine({ client, taskQueue: env.TEMPORAL_TASK_QUEUE });
    checkpoint();

    const app = await buildServer({
      sql: db.sql,
      engine,
      logger,
      config: apiConfigFromEnv(env),
      checkTemporal: () => checkTemporal(client),
      // The PKI's public endpoints (POST /tsa, /pki/ocsp, /pki/crl, /pki/ca) at the root, loaded on first use.
      mounts: [
        {
          plugin: pkiRoutes,
          options: enginePkiServices(pkiStore(db.sql), {
            dataDir: env.DATA_DIR,
            onError: (err) => logger.error({ err }, 'service PKI en échec'),
          }),
        },
      ],
    });
    await app.listen({ host: env.API_HOST, port: env.API_PORT });
    closers.add('API', () => app.close());
    // Dossiers stored while Temporal was unreachable get their workflow now and every minute.
    const resume = () =>
      resumeStalledDossiers({ sql: db.sql, engine, config: apiConfigFromEnv(env) })
        .then(({ resumed, failed }) => {
          if (resumed.length + failed.length > 0) logger.info({ resumed: resumed.length, failed: failed.length }, 'dossiers repris');
        })
        .catch((err: unknown) => logger.warn({ err }, 'reprise des dossiers en attente impossible'));
    void resume();
    const resumeTimer = setInterval(() => void resume(), 60_000);
    resumeTimer.unref();
    closers.add('reprise des dossiers', async () => clearInterval(resumeTimer));
    const { port } = app.server.address() as AddressInfo;
    const apiUrl = env.PUBLIC_URL ?? `http://${env.API_HOST}:${port}`;
    if (env.DEMO_MODE) {
      // A demo engine issues, timestamps and answers OCSP at once; a real one runs `pki init` as a ceremony.
      // EC P-384 CA keys keep the first start short; the URLs in certificates point at this API.
      const pki = await initPki(pkiStore(db.sql), { caKeyType: 'ec384', publicBaseUrl: apiUrl, dataDir: env.DATA_DIR });
      logger.info({ created: pki.created }, pki.message);
    }

    printBanner({ apiUrl, temporalUi, temporalAddress: target.address, db: db.embedded ? 'embedded' : 'external', env, demoKeys });
  } catch (error) {
    if (!(error instanceof StopDuringStart)) {
      logger.error({ err: error }, 'le démarrage a échoué');
      console.error(`Le démarrage a échoué : ${(error as Error).message}`);
    }
    await closers.closeAll(logger);
    return error instanceof StopDuringStart ? 0 : 1;
  }

  const reason = await stopped;
  const clean = await closers.closeAll(logger);
  console.log(clean ? 'Passeport est arrêté.' : 'Passeport est arrêté (avec des erreurs, voir le journal).');
  return clean && reason !== 'worker' ? 0 : 1;
}

class StopDuringStart extends Error {}

type DemoKeys = Awaited<ReturnType<typeof seedDemo>>['apiKeys'];

function printBanner(info: {
  apiUrl: string;
  temporalUi: string | null;
  temporalAddress: string;
  db: 'embedded' | 'external';
  env: Env;
  demoKeys: DemoKeys | null;
}): void {
  const row = (label: string, value: string) => `  ${label.padEnd(24)} ${value}`;
  const lines = [
    '',
    READY_LINE,
    row('API', info.apiUrl),
    row('Documentation (OpenAPI)', `${info.apiUrl}/docs`),
    info.temporalUi
      ? row('Temporal (interface)', info.temporalUi)
      : row('Temporal', `${info.temporalAddress} (namespace ${info.env.TEMPORAL_NAMESPACE})`),
    row('Base de données', info.db === 'embedded' ? `PostgreSQL intégré (${path.join(info.env.DATA_DIR, 'pglite')})` : 'PostgreSQL (DATABASE_URL)'),
  ];
  if (info.demoKeys) {
    lines.push('', 'Clés de démonstration (Authorization: Bearer <clé>) :');
    for (const key of info.demoKeys) {
      lines.push(`  ${key.role.padEnd(10)} ${key.organisation.padEnd(16)} ${key.key}`);
    }
  }
  lines.push('', 'Ctrl-C pour arrêter.');
  console.log(lines.join('\n'));
}
