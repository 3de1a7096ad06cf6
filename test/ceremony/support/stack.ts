/**
 * One real ceremony stack per test file: a fresh PostgreSQL database with the
 * demo registries, the engine's PKI (EC P-256 CAs) and its public services
 * (TSA, CRLs, OCSP) on the API's own address, a SoftHSM2 store holding the
 * banks' and the platform's seals and the large dossier's créateur RGS **
 * key, a Temporal dev server, a worker with the dossier's and the ceremony's
 * activities, and the API with the signing routes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createDossierActivities } from '../../../activities/dossier.ts';
import { createCeremonyActivities } from '../../../activities/ceremony.ts';
import { buildServer } from '../../../api/server.ts';
import { workflowInputOf, DEFAULT_API_CONFIG } from '../../../api/context.ts';
import { ceremonyPartsFromEnv, SEAL_TOKEN_LABEL, type CeremonyParts } from '../../../ceremony/config.ts';
import { initPki } from '../../../certs/ca.ts';
import { pkiRoutes } from '../../../api/routes/pki.ts';
import { enginePkiServices } from '../../../certs/services.ts';
import { pkiStore } from '../../../db/repositories/pki.ts';
import { pkcs12Signer } from '../../../certs/pkcs12.ts';
import { openTokenSigner } from '../../../certs/pkcs11.ts';
import { createSoftHsmStore, type SoftHsmStore } from '../../../certs/softhsm.ts';
import type { Signer } from '../../../certs/types.ts';
import { insertDossierIdempotent } from '../../../db/repositories/dossiers.ts';
import { DEMO, demoDossier, seedDemo, type SeededKey } from '../../../db/seed.ts';
import { DEMO_P12_PASSPHRASE, DEMO_TOKEN_PIN, demoSignerFiles, seedDemoSigners } from '../../../db/seed-signers.ts';
import type { CeremonySettings } from '../../../domain/ceremony.ts';
import { totalAmountCents, type DossierInput } from '../../../domain/dossier.ts';
import { DEFAULT_DEADLINES } from '../../../domain/schedule-deadlines.ts';
import type { DossierView } from '../../../domain/outcomes.ts';
import { freePort } from '../../../processes/free-port.ts';
import { createTemporalCeremonyEngine } from '../../../temporal/ceremony-engine.ts';
import { createTemporalDossierEngine } from '../../../temporal/dossier-engine.ts';
import { findTemporalCli } from '../../../temporal/cli.ts';
import { installTemporalRuntime } from '../../../temporal/runtime.ts';
import { createWorker } from '../../../temporal/worker.ts';
import type { CeremonyEngine, DossierEngine } from '../../../temporal/types.ts';
import { createTestDatabase } from '../../support/db.ts';
import { openEngineVault } from '../../../vault/adapters.ts';
import { VaultEnvSchema } from '../../../vault/config.ts';
import type { Vault } from '../../../vault/vault.ts';

export type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

export interface CeremonyStack {
  db: TestDatabase;
  dataDir: string;
  store: SoftHsmStore;
  apiUrl: string;
  app: FastifyInstance;
  env: TestWorkflowEnvironment;
  engine: DossierEngine;
  ceremony: CeremonyEngine;
  parts: CeremonyParts;
  vault: Vault;
  worker: Worker;
  keys: SeededKey[];
  key(role: SeededKey['role'], organisation: string): string;
  /** Stores a demo dossier, starts its workflow with the ceremony settings given and expects the default accord. */
  submit(kind: 'small' | 'large', settings?: Partial<CeremonySettings>): Promise<string>;
  /** Stores any dossier and starts its workflow; returns its first answer. */
  start(body: DossierInput, settings?: Partial<CeremonySettings>): Promise<DossierView>;
  signers(): { createurSmall: Signer; createurLarge: Signer & { close(): void }; reseller: Signer };
  stop(): Promise<void>;
}

export const TEST_SETTINGS: CeremonySettings = { offerSeconds: 3_600, reminderOffsetsSeconds: [] };

export async function startCeremonyStack(): Promise<CeremonyStack> {
  installTemporalRuntime();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ceremony-'));
  const store = createSoftHsmStore(path.join(dataDir, 'softhsm'));
  // Before the PKCS#11 module is first loaded in this process.
  process.env.SOFTHSM2_CONF = store.confPath;
  const sealPin = crypto.randomBytes(6).toString('hex');
  const db = await createTestDatabase();
  const { apiKeys } = await seedDemo(db.sql);
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  await initPki(pkiStore(db.sql), { caKeyType: 'ec256', publicBaseUrl: apiUrl, dataDir });
  await seedDemoSigners(db.sql, { dataDir, store, sealToken: { label: SEAL_TOKEN_LABEL, pin: sealPin } });

  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: findTemporalCli() }, ip: '127.0.0.1' },
  });
  const taskQueue = `ceremony-${crypto.randomBytes(4).toString('hex')}`;
  const vault = openEngineVault(db.sql, { ...VaultEnvSchema.parse({}), DATA_DIR: dataDir });
  const parts = ceremonyPartsFromEnv(db.sql, { DATA_DIR: dataDir, PASSEPORT_SEAL_PIN: sealPin, PKCS11_MODULE: '/usr/lib/softhsm/libsofthsm2.so' }, vault);
  const worker = await createWorker({
    connection: env.nativeConnection,
    taskQueue,
    activities: {
      ...createDossierActivities({ sql: db.sql, guarantor: (await import('../../../guarantor/local.ts')).createLocalGuarantor(db.sql) }),
      ...createCeremonyActivities({ sql: db.sql, ...parts }),
    },
  });
  const running = worker.run();
  const engine = createTemporalDossierEngine({ client: env.client, taskQueue });
  const ceremony = createTemporalCeremonyEngine({ client: env.client });
  const config = { ...DEFAULT_API_CONFIG, ceremony: TEST_SETTINGS };
  const app = await buildServer({
    sql: db.sql,
    engine,
    ceremony,
    config,
    checkTemporal: async () => {},
    mounts: [{ plugin: pkiRoutes, options: enginePkiServices(pkiStore(db.sql), { dataDir }) }],
  });
  await app.listen({ host: '127.0.0.1', port });
  const files = demoSignerFiles(dataDir);
  const opened: Array<{ close(): void }> = [];
  const start = async (body: DossierInput, settings: Partial<CeremonySettings> = {}): Promise<DossierView> => {
    const { dossier } = await insertDossierIdempotent(db.sql, {
      resellerId: body.resellerId,
      bankId: body.bankId,
      idempotencyKey: crypto.randomUUID(),
      siren: body.company.siren,
      totalAmountCents: totalAmountCents(body as Parameters<typeof totalAmountCents>[0]),
      body,
    });
    return engine.start(workflowInputOf(dossier, { deadlines: DEFAULT_DEADLINES, ceremony: { ...TEST_SETTINGS, ...settings } }), 30_000);
  };

  return {
    db,
    dataDir,
    store,
    apiUrl,
    app,
    env,
    engine,
    ceremony,
    parts,
    vault,
    worker,
    keys: apiKeys,
    key(role, organisation) {
      const found = apiKeys.find((k) => k.role === role && k.organisation === organisation);
      if (!found) throw new Error(`no demo key for ${role} ${organisation}`);
      return found.key;
    },
    async submit(kind, settings = {}) {
      const view = await start(demoDossier(kind), settings);
      if (view.status !== 'approved') throw new Error(`dossier ${view.dossierId}: ${view.status}`);
      return view.dossierId;
    },
    start,
    signers() {
      const createurLarge = openTokenSigner({ tokenLabel: files.createurToken, pin: DEMO_TOKEN_PIN });
      opened.push(createurLarge);
      return {
        createurSmall: pkcs12Signer(fs.readFileSync(files.createurP12), DEMO_P12_PASSPHRASE),
        createurLarge,
        reseller: pkcs12Signer(fs.readFileSync(files.resellerP12(DEMO.resellers.grenoble)), DEMO_P12_PASSPHRASE),
      };
    },
    async stop() {
      for (const o of opened) o.close();
      parts.seals.close();
      await app.close();
      worker.shutdown();
      await running;
      await env.teardown();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export { demoDossier };
