/**
 * Ceremony benchmark: `npx tsx bench/ceremony.ts [--rate 10 --seconds 20 --baseline-rates 10,20,40 --baseline-seconds 10]`
 *
 * Full dossiers per second, from the submission to the archived B-LTA
 * contract, on the default path: the embedded PostgreSQL (as `passeport
 * start` runs it), the Temporal CLI dev server on a SQLite file, one worker
 * and the API in this process, the engine's PKI (EC P-384 CAs as in demo
 * mode) with the banks' and the platform's seals on SoftHSM2. Each dossier is
 * submitted over HTTP (POST /v1/dossiers), accorded by default, its letter
 * sealed and contract written; the créateur (its own RGS * certificate) and
 * the revendeur sign through the signing API (prepare, sign on the device,
 * post), the bank countersigns with its seal; the task ends when the contract
 * is B-LTA, verified, its evidence sealed and everything in the coffre-fort.
 * Open loop at --rate for --seconds; next to it, in the same run, the bare
 * one-activity workflow at increasing rates. Then where the time goes: each
 * activity's run time from the workflow histories, the TSA calls and the
 * validation data fetched, and the rest (Temporal's scheduling and queues).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { createCeremonyActivities } from '../activities/ceremony.ts';
import { createDossierActivities } from '../activities/dossier.ts';
import { pkiRoutes } from '../api/routes/pki.ts';
import { DEFAULT_API_CONFIG } from '../api/context.ts';
import { buildServer } from '../api/server.ts';
import { SEAL_TOKEN_LABEL } from '../ceremony/config.ts';
import { loadEnginePki, type EnginePki } from '../ceremony/pki-access.ts';
import { createSealKeys } from '../ceremony/seals.ts';
import { vaultArchive } from '../ceremony/archive.ts';
import { initPki } from '../certs/ca.ts';
import { issueCertificate } from '../certs/issue.ts';
import { enginePkiServices } from '../certs/services.ts';
import { softwareSigner } from '../certs/signers.ts';
import { createSoftHsmStore } from '../certs/softhsm.ts';
import type { Signer } from '../certs/types.ts';
import { connect } from '../db/connect.ts';
import { startEmbeddedPostgres } from '../db/embedded-postgres.ts';
import { migrate } from '../db/migrate.ts';
import { createApiKey, generateApiKey } from '../db/repositories/apiKeys.ts';
import { pkiStore } from '../db/repositories/pki.ts';
import { DEMO, DEMO_KEY_SEED, demoDossier, seedDemo } from '../db/seed.ts';
import { seedDemoSigners } from '../db/seed-signers.ts';
import { DEFAULT_CEREMONY_SETTINGS, type Party } from '../domain/ceremony.ts';
import { isValidSiren } from '../domain/siren.ts';
import { createLocalGuarantor } from '../guarantor/local.ts';
import { freePort } from '../processes/free-port.ts';
import { createTemporalCeremonyEngine } from '../temporal/ceremony-engine.ts';
import { connectWorker } from '../temporal/connection.ts';
import { startDevServer } from '../temporal/dev-server.ts';
import { createTemporalDossierEngine } from '../temporal/dossier-engine.ts';
import { installTemporalRuntime } from '../temporal/runtime.ts';
import { createWorker } from '../temporal/worker.ts';
import { ceremonyWorkflowId } from '../workflows/ceremony.ts';
import { openEngineVault } from '../vault/adapters.ts';
import { VaultEnvSchema } from '../vault/config.ts';
import { measureBaseline } from './engine-baseline.ts';
import { percentile, runOpenLoop, type LoadResult } from './engine-load.ts';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '20' },
    'baseline-rates': { type: 'string', default: '10,20,40' },
    'baseline-seconds': { type: 'string', default: '10' },
  },
});
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const total = Math.round(rate * seconds);

installTemporalRuntime();
const tmp = path.join(import.meta.dirname, '../tmp');
fs.mkdirSync(tmp, { recursive: true });
const dir = fs.mkdtempSync(path.join(tmp, 'bench-ceremony-'));
fs.chmodSync(dir, 0o755);
const store = createSoftHsmStore(path.join(dir, 'softhsm'));
process.env.SOFTHSM2_CONF = store.confPath;

const embedded = await startEmbeddedPostgres({ dataDir: dir });
const sql = connect(embedded.url, 20);
const server = await startDevServer({ dbFile: path.join(dir, 'temporal.db'), uiPort: null });
const nativeConnection = await connectWorker({ address: server.address, namespace: 'default' });
const client = new Client({ connection: await Connection.connect({ address: server.address }) });
let cleaned = false;
async function cleanUp(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  await nativeConnection.close().catch(() => {});
  await client.connection.close().catch(() => {});
  await server.stop();
  await sql.end({ timeout: 5 }).catch(() => {});
  await embedded.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

/** Time spent in one kind of outside call, summed over the run. */
class Meter {
  calls = 0;
  ms = 0;
  wrap<A extends unknown[], R>(f: (...a: A) => Promise<R>): (...a: A) => Promise<R> {
    return async (...a: A) => {
      const t = performance.now();
      try {
        return await f(...a);
      } finally {
        this.calls++;
        this.ms += performance.now() - t;
      }
    };
  }
}
const tsaMeter = new Meter();
const validationMeter = new Meter();
const revocationMeter = new Meter();

/** The engine's PKI with the TSA and the validation data fetches measured. */
function metered(pki: EnginePki): EnginePki {
  return {
    ...pki,
    timestamper: { timestamp: tsaMeter.wrap(pki.timestamper.timestamp.bind(pki.timestamper)) },
    validationFetchers: {
      certificate: validationMeter.wrap(pki.validationFetchers.certificate!),
      crl: validationMeter.wrap(pki.validationFetchers.crl!),
    },
    trust: { ...pki.trust, currentCrls: revocationMeter.wrap(pki.trust.currentCrls), fetchRevocation: revocationMeter.wrap(pki.trust.fetchRevocation) },
  };
}

interface Company {
  siren: string;
  key: string;
  signer: Signer;
  firstName: string;
  lastName: string;
}

function randomSiren(taken: Set<string>): string {
  for (;;) {
    const stem = String(crypto.randomInt(10_000_000, 99_999_999));
    for (let k = 0; k <= 9; k++) {
      const siren = `${stem}${k}`;
      if (isValidSiren(siren) && !taken.has(siren)) {
        taken.add(siren);
        return siren;
      }
    }
  }
}

try {
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  await migrate(sql);
  await seedDemo(sql);
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  await initPki(pkiStore(sql), { caKeyType: 'ec384', publicBaseUrl: apiUrl, dataDir: dir });
  const sealPin = crypto.randomBytes(6).toString('hex');
  await seedDemoSigners(sql, { dataDir: dir, store, sealToken: { label: SEAL_TOKEN_LABEL, pin: sealPin } });
  const pki = metered(await loadEnginePki(pkiStore(sql), { dataDir: dir }));
  const vault = openEngineVault(sql, { ...VaultEnvSchema.parse({}), DATA_DIR: dir });
  const seals = createSealKeys(sql, { pin: () => sealPin });
  const taskQueue = 'bench-ceremony';
  const worker = await createWorker({
    connection: nativeConnection,
    taskQueue,
    activities: {
      ...createDossierActivities({ sql, guarantor: createLocalGuarantor(sql) }),
      ...createCeremonyActivities({ sql, pki: async () => pki, seals, archive: vaultArchive(vault) }),
    },
  });
  const settings = { ...DEFAULT_CEREMONY_SETTINGS, reminderOffsetsSeconds: [] };
  const app = await buildServer({
    sql,
    engine: createTemporalDossierEngine({ client, taskQueue }),
    ceremony: createTemporalCeremonyEngine({ client }),
    config: { ...DEFAULT_API_CONFIG, startWaitMs: 30_000, ceremony: settings },
    checkTemporal: async () => {},
    mounts: [{ plugin: pkiRoutes, options: enginePkiServices(pkiStore(sql), { dataDir: dir }) }],
  });
  await app.listen({ host: '127.0.0.1', port });
  const demoKey = (role: 'reseller' | 'bank', org: string) => generateApiKey(`${DEMO_KEY_SEED}:${role}:${org}`).key;
  const resellerKey = demoKey('reseller', DEMO.resellers.grenoble);
  const bankKey = demoKey('bank', DEMO.banks.alpes);
  const resellerSigner = await (async () => {
    const s = DEMO.signatories[DEMO.resellers.grenoble];
    const issued = await issueCertificate(pkiStore(sql), {
      profile: 'person-rgs1', subject: { name: s.name, organisation: 'Alpes Informatique Services', siren: s.siren },
      key: { store: 'software', type: 'ec256' }, registration: { identityCheck: 'remote', operator: 'bench' }, secret: { dataDir: dir },
    });
    return softwareSigner(issued.privateKey!, issued.certificate, issued.chain, { thread: 'caller' });
  })();

  /** One company per dossier: its passport, its créateur's RGS * certificate and API key (the guarantee's cap is per company). */
  async function prepareCompanies(n: number): Promise<Company[]> {
    const taken = new Set<string>();
    const out: Company[] = [];
    for (let i = 0; i < n; i++) {
      const siren = randomSiren(taken);
      const lastName = `Martin${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26) % 26)}`;
      await sql`insert into passports (number, siren, status, validated_modules, issued_on) values (${`PNE-${siren}`}, ${siren}, 'issued', ${['a', 'b', 'c']}, '2025-06-01')`;
      await sql`insert into organisations (id, kind, name) values (${siren}, 'company', ${`Entreprise ${siren}`})`;
      const key = await createApiKey(sql, siren, 'creator', { label: 'bench' });
      const issued = await issueCertificate(pkiStore(sql), {
        profile: 'person-rgs1', subject: { name: `Camille ${lastName}`, organisation: `Entreprise ${siren}`, siren },
        key: { store: 'software', type: 'ec256' }, registration: { identityCheck: 'remote', operator: 'bench' }, secret: { dataDir: dir },
      });
      out.push({ siren, key, signer: softwareSigner(issued.privateKey!, issued.certificate, issued.chain, { thread: 'caller' }), firstName: 'Camille', lastName });
    }
    return out;
  }

  const call = async <T>(key: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> => {
    const response = await fetch(`${apiUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as T & { detail?: string };
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${json.detail ?? ''}`);
    return json;
  };
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  async function sign(key: string, id: string, party: Party, signer: Signer): Promise<void> {
    const prepared = await call<{ preparationId: string; dataToSign: string }>(key, 'POST', `/v1/dossiers/${id}/contract/${party}/data-to-sign`, {
      certificate: b64(signer.certificate),
      chain: signer.chain.map(b64),
    });
    const value = await signer.sign(Buffer.from(prepared.dataToSign, 'base64'), 'SHA-256');
    await call(key, 'POST', `/v1/dossiers/${id}/contract/${party}/signature`, { preparationId: prepared.preparationId, signatureValue: b64(value) });
  }
  async function waitForStatus(id: string, key: string, wanted: string): Promise<void> {
    for (;;) {
      const s = await call<{ status: string }>(key, 'GET', `/v1/dossiers/${id}/contract`).catch(() => ({ status: '' }));
      if (s.status === wanted) return;
      if (s.status === 'declined' || s.status === 'lapsed') throw new Error(`${id}: ${s.status}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const steps = { decision: [] as number[], letterAndContract: [] as number[], createur: [] as number[], revendeur: [] as number[], banque: [] as number[], finalisation: [] as number[] };
  const done: string[] = [];
  async function fullDossier(company: Company): Promise<void> {
    const body = demoDossier('small');
    body.company = { ...body.company, siren: company.siren, legalName: `Entreprise ${company.siren}` };
    body.dirigeant = { ...body.dirigeant, firstName: company.firstName, lastName: company.lastName };
    body.passportNumber = `PNE-${company.siren}`;
    let t = performance.now();
    const lap = (into: number[]) => {
      const now = performance.now();
      into.push(now - t);
      t = now;
    };
    const view = await call<{ dossierId: string; status: string }>(resellerKey, 'POST', '/v1/dossiers', body, { 'idempotency-key': crypto.randomUUID() });
    if (view.status !== 'approved') throw new Error(`${view.dossierId}: ${view.status}`);
    lap(steps.decision);
    await waitForStatus(view.dossierId, company.key, 'awaiting_createur');
    lap(steps.letterAndContract);
    await sign(company.key, view.dossierId, 'createur', company.signer);
    lap(steps.createur);
    await sign(resellerKey, view.dossierId, 'revendeur', resellerSigner);
    lap(steps.revendeur);
    await call(bankKey, 'POST', `/v1/dossiers/${view.dossierId}/contract/banque/countersignature`);
    lap(steps.banque);
    await client.workflow.getHandle(ceremonyWorkflowId(view.dossierId)).result();
    lap(steps.finalisation);
    done.push(view.dossierId);
  }

  const line = (label: string, r: LoadResult) =>
    `${label.padEnd(22)} offered ${r.offeredRate}/s × ${(r.launched / r.offeredRate).toFixed(0)} s: ${r.completed}/${r.launched} done (${r.errors} errors) ` +
    `in ${r.wallSeconds.toFixed(1)} s → ${r.completedPerSecond.toFixed(2)}/s, p50 ${(r.p50Ms / 1000).toFixed(2)} s, p99 ${(r.p99Ms / 1000).toFixed(2)} s` +
    (r.firstError ? ` (first error: ${r.firstError})` : '');

  let result: LoadResult | undefined;
  await worker.runUntil(async () => {
    const baseline = await measureBaseline({
      connection: nativeConnection,
      client,
      rates: (args['baseline-rates'] ?? '').split(',').filter(Boolean).map(Number),
      seconds: Number(args['baseline-seconds']),
      onStep: (r) => console.log(line('bare workflow', r)),
    });
    process.stdout.write(`preparing ${total + 3} companies (passport, créateur certificate and key each)… `);
    const companies = await prepareCompanies(total + 3);
    console.log('done');
    // Warm-up: bundles, pools, the seals' sessions, the CRLs; not measured.
    for (const c of companies.slice(total)) await fullDossier(c);
    for (const list of Object.values(steps)) list.length = 0;
    done.length = 0;
    tsaMeter.calls = tsaMeter.ms = validationMeter.calls = validationMeter.ms = revocationMeter.calls = revocationMeter.ms = 0;
    const cpuBefore = process.cpuUsage();
    result = await runOpenLoop(rate, seconds, (i) => fullDossier(companies[i]!));
    const cpu = process.cpuUsage(cpuBefore);
    console.log(line('full dossiers', result));
    console.log(`this process's CPU: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s over ${result.wallSeconds.toFixed(1)} s of clock (${(((cpu.user + cpu.system) / 1e6 / result.wallSeconds) * 100).toFixed(0)} % of one core); the PostgreSQL and Temporal processes come on top`);
    const best = Math.max(...baseline.map((r) => r.completedPerSecond));
    console.log(`full dossiers: ${result.completedPerSecond.toFixed(2)}/s = ${((100 * result.completedPerSecond) / best).toFixed(1)} % of the bare workflow's peak ${best.toFixed(1)}/s in this run`);

    const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 0.5);
    console.log('\nper step, median over the dossiers (client side, including queueing):');
    for (const [name, xs] of Object.entries(steps)) console.log(`  ${name.padEnd(18)} ${median(xs).toFixed(0)} ms (p99 ${percentile([...xs].sort((a, b) => a - b), 0.99).toFixed(0)} ms)`);

    // Where the workers' time goes, from the histories: each activity from its start to its completion.
    const runMs = new Map<string, number[]>();
    const queueMs: number[] = [];
    for (const id of done) {
      for (const workflowId of [`dossier-${id}`, ceremonyWorkflowId(id)]) {
        const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
        const scheduled = new Map<string, { type: string; at: number }>();
        const started = new Map<string, number>();
        const toMs = (e: (typeof events)[number]) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
        for (const e of events) {
          const id = String(e.eventId);
          if (e.activityTaskScheduledEventAttributes) scheduled.set(id, { type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at: toMs(e) });
          if (e.activityTaskStartedEventAttributes) {
            const s = String(e.activityTaskStartedEventAttributes.scheduledEventId);
            started.set(s, toMs(e));
            queueMs.push(toMs(e) - (scheduled.get(s)?.at ?? toMs(e)));
          }
          if (e.activityTaskCompletedEventAttributes) {
            const s = String(e.activityTaskCompletedEventAttributes.scheduledEventId);
            const type = scheduled.get(s)?.type ?? '?';
            if (!runMs.has(type)) runMs.set(type, []);
            runMs.get(type)!.push(toMs(e) - (started.get(s) ?? toMs(e)));
          }
        }
      }
    }
    console.log('\nactivities, run time per dossier (median / mean), from the histories:');
    let perDossier = 0;
    for (const [type, xs] of [...runMs.entries()].sort((a, b) => b[1].reduce((s, x) => s + x, 0) - a[1].reduce((s, x) => s + x, 0))) {
      const sum = xs.reduce((s, x) => s + x, 0);
      perDossier += sum / done.length;
      console.log(`  ${type.padEnd(22)} ${median(xs).toFixed(0)} ms / ${(sum / xs.length).toFixed(0)} ms × ${(xs.length / done.length).toFixed(1)} per dossier`);
    }
    console.log(`  (activities sum to ${perDossier.toFixed(0)} ms per dossier; activity queue time median ${median(queueMs).toFixed(0)} ms, p99 ${percentile([...queueMs].sort((a, b) => a - b), 0.99).toFixed(0)} ms)`);
    const per = (m: Meter) => `${(m.calls / done.length).toFixed(1)} calls, ${(m.ms / done.length).toFixed(0)} ms per dossier (${(m.ms / Math.max(1, m.calls)).toFixed(1)} ms each)`;
    console.log(`TSA (signature and document timestamps, seals): ${per(tsaMeter)}`);
    console.log(`validation data for B-LT (CRLs, CA certificates): ${per(validationMeter)}`);
    console.log(`revocation checks at signing time (OCSP, CRLs): ${per(revocationMeter)}`);
  });
  seals.close();
  await app.close();
} finally {
  await cleanUp();
}
