/**
 * `passeport api`: the HTTP API alone in its process (docs/scaling.md: any
 * number of them behind a load balancer), with the PKI's public endpoints and
 * the resumption of dossiers stored while Temporal was unreachable. It needs
 * TEMPORAL_ADDRESS and a database (DATABASE_URL, or the embedded one of a
 * `passeport start` on the same DATA_DIR); `passeport start` runs it as a child.
 */
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { pino } from 'pino';
import { loadEnvOrReport } from '../config/env.ts';
import { openDatabase } from '../db/connect.ts';
import { migrate } from '../db/migrate.ts';
import { buildServer } from '../api/server.ts';
import { apiConfigFromEnv } from '../api/context.ts';
import { resumeStalledDossiers } from '../api/resume.ts';
import { pkiRoutes } from '../api/routes/pki.ts';
import { enginePkiServices } from '../certs/services.ts';
import { pkiStore } from '../db/repositories/pki.ts';
import { trustProxyFromEnv, webOptionsFromEnv } from '../web/index.ts';
import { checkTemporal, connectClient, targetFromEnv } from '../temporal/connection.ts';
import { createTemporalDossierEngine } from '../temporal/dossier-engine.ts';
import { createTemporalCeremonyEngine } from '../temporal/ceremony-engine.ts';
import { ensureVaultSchedules } from '../temporal/vault-schedules.ts';
import { openEngineVault } from '../vault/adapters.ts';
import { runAsPart } from './part.ts';

const RESUME_EVERY_MS = 60_000;

export function register(program: Command): void {
  program
    .command('api')
    .description('Démarre l’API HTTP seule (TEMPORAL_ADDRESS et la base de données requis ; voir docs/scaling.md)')
    .action(async () => {
      process.exit(await runApi());
    });
}

async function runApi(): Promise<number> {
  const env = loadEnvOrReport();
  if (!env) return 2;
  if (!env.TEMPORAL_ADDRESS) {
    console.error('TEMPORAL_ADDRESS est requis pour « passeport api » (l’adresse du serveur Temporal) ; « passeport start » démarre tout sur une machine.');
    return 2;
  }
  const logger = pino({ level: env.LOG_LEVEL }).child({ part: 'api' });
  const part = runAsPart('api', logger);
  try {
    const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR, max: 20 });
    try {
      await migrate(db.sql);
      const client = await connectClient(targetFromEnv(env));
      const engine = createTemporalDossierEngine({ client, taskQueue: env.TEMPORAL_TASK_QUEUE });
      const config = apiConfigFromEnv(env);
      // The ceremony seals, timestamps and signs with the engine's PKI: without it, dossiers end at the decision.
      if (!(await pkiStore(db.sql).listCas()).some((ca) => ca.name === 'root')) {
        delete config.ceremony;
        logger.warn('PKI non initialisée (« passeport pki init ») : les dossiers s’arrêtent à la décision, sans lettre scellée ni contrat à signer');
      }
      // The vault's sealing, audit and preservation schedules: created, or updated to the settings.
      await ensureVaultSchedules(client, {
        taskQueue: env.TEMPORAL_TASK_QUEUE,
        sealEveryMinutes: env.VAULT_SEAL_PERIOD_MINUTES,
        auditEveryHours: env.VAULT_AUDIT_PERIOD_HOURS,
        preservationEveryHours: env.VAULT_PRESERVATION_PERIOD_HOURS,
      });
      const app = await buildServer({
        sql: db.sql,
        engine,
        ceremony: createTemporalCeremonyEngine({ client }),
        logger,
        config,
        checkTemporal: () => checkTemporal(client),
        vault: { vault: openEngineVault(db.sql, env), operatorOrganisation: env.VAULT_OPERATOR_ORGANISATION },
        // The archivist's verification trusts the engine's own root certificates.
        web: webOptionsFromEnv(env, async () => (await pkiStore(db.sql).listCas()).filter((ca) => ca.parent === null).map((ca) => ca.certificate)),
        trustProxy: trustProxyFromEnv(env.TRUST_PROXY),
        // The PKI's public endpoints (POST /tsa, /pki/ocsp, /pki/crl, /pki/ca) at the root, loaded on first use.
        mounts: [
          {
            plugin: pkiRoutes,
            options: enginePkiServices(pkiStore(db.sql), { dataDir: env.DATA_DIR, onError: (err) => logger.error({ err }, 'service PKI en échec') }),
          },
        ],
      });
      await app.listen({ host: env.API_HOST, port: env.API_PORT });
      // Dossiers stored while Temporal was unreachable get their workflow now and every minute.
      const resume = () =>
        resumeStalledDossiers({ sql: db.sql, engine, config })
          .then(({ resumed, failed }) => {
            if (resumed.length + failed.length > 0) logger.info({ resumed: resumed.length, failed: failed.length }, 'dossiers repris');
          })
          .catch((err: unknown) => logger.warn({ err }, 'reprise des dossiers en attente impossible'));
      void resume();
      const timer = setInterval(() => void resume(), RESUME_EVERY_MS);
      const { port } = app.server.address() as AddressInfo;
      part.ready({ port });
      await part.stopRequested;
      clearInterval(timer);
      await app.close();
      await client.connection.close().catch(() => {});
      return 0;
    } finally {
      await db.close();
    }
  } catch (error) {
    logger.fatal({ err: error }, 'l’API n’a pas pu démarrer');
    console.error(`L’API n’a pas pu démarrer : ${(error as Error).message}`);
    return 1;
  }
}
