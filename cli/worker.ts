/**
 * `passeport worker`: one Temporal worker of the dossier workflow, alone in its
 * process (docs/scaling.md: any number of them, on any machine). It needs
 * TEMPORAL_ADDRESS and a database (DATABASE_URL, or the embedded one of a
 * `passeport start` on the same DATA_DIR); `passeport start` runs it as a child.
 */
import type { Command } from 'commander';
import { pino } from 'pino';
import { loadEnvOrReport } from '../config/env.ts';
import { openDatabase } from '../db/connect.ts';
import { migrate } from '../db/migrate.ts';
import { createDossierActivities } from '../activities/dossier.ts';
import { createCeremonyActivities } from '../activities/ceremony.ts';
import { ceremonyPartsFromEnv } from '../ceremony/config.ts';
import { createVaultActivities } from '../activities/vault.ts';
import { openEngineVault } from '../vault/adapters.ts';
import { createLocalGuarantor } from '../guarantor/local.ts';
import { connectWorker, targetFromEnv } from '../temporal/connection.ts';
import { installTemporalRuntime } from '../temporal/runtime.ts';
import { createWorker } from '../temporal/worker.ts';
import { runAsPart } from './part.ts';
import { SUMMARY } from './summaries.ts';

export function register(program: Command): void {
  program
    .command('worker')
    .description(SUMMARY.worker)
    .action(async () => {
      process.exit(await runWorker());
    });
}

async function runWorker(): Promise<number> {
  const env = loadEnvOrReport();
  if (!env) return 2;
  if (!env.TEMPORAL_ADDRESS) {
    console.error('TEMPORAL_ADDRESS est requis pour « passeport worker » (l’adresse du serveur Temporal) ; « passeport start » démarre tout sur une machine.');
    return 2;
  }
  const logger = pino({ level: env.LOG_LEVEL }).child({ part: 'worker' });
  const part = runAsPart('worker', logger);
  try {
    installTemporalRuntime({ metricsAddress: env.WORKER_METRICS_ADDRESS || undefined });
    const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR, max: 20 });
    try {
      await migrate(db.sql);
      const target = targetFromEnv(env);
      const connection = await connectWorker(target);
      const vault = openEngineVault(db.sql, env);
      const ceremony = ceremonyPartsFromEnv(db.sql, env, vault);
      const worker = await createWorker({
        connection,
        namespace: target.namespace,
        taskQueue: env.TEMPORAL_TASK_QUEUE,
        activities: {
          ...createDossierActivities({ sql: db.sql, guarantor: createLocalGuarantor(db.sql) }),
          ...createCeremonyActivities({ sql: db.sql, ...ceremony }),
          ...createVaultActivities({ vault }),
        },
      });
      const running = worker.run();
      part.ready({ metricsAddress: env.WORKER_METRICS_ADDRESS || null });
      const outcome = await Promise.race([
        part.stopRequested.then(() => 'stop' as const),
        running.then(
          () => 'ended' as const,
          (error: unknown) => error,
        ),
      ]);
      if (outcome === 'stop' && worker.getState() === 'RUNNING') worker.shutdown();
      const failure =
        outcome === 'stop' || outcome === 'ended'
          ? await running.then(
              () => null,
              (e: unknown) => e,
            )
          : outcome;
      await connection.close().catch(() => {});
      ceremony.seals.close();
      if (failure) {
        logger.fatal({ err: failure }, 'le worker Temporal s’est arrêté sur une erreur');
        return 1;
      }
      return outcome === 'stop' ? 0 : 1;
    } finally {
      await db.close();
    }
  } catch (error) {
    logger.fatal({ err: error }, 'le worker n’a pas pu démarrer');
    console.error(`Le worker n’a pas pu démarrer : ${(error as Error).message}`);
    return 1;
  }
}
