/**
 * Ceremony benchmark: `npx tsx bench/ceremony.ts [--rates 1,2 --seconds 30 --baseline-rates 10,20,40 --baseline-seconds 10]`
 *
 * Full dossiers per second, from the submission to the archived B-LTA
 * contract, on the default path: `passeport start` itself (demo mode) on a
 * fresh DATA_DIR — the embedded PostgreSQL, the Temporal dev server on its
 * SQLite file, `passeport worker` and `passeport api` as their own processes,
 * the engine's PKI with the banks' and the platform's seals on SoftHSM2.
 * Each dossier is submitted over HTTP (POST /v1/dossiers) and accorded by
 * default; its créateur (an RGS * certificate of its own) and the revendeur
 * sign through the signing API (data to sign, signed here, value posted), the
 * bank countersigns with its seal; the task ends when the ceremony workflow
 * has archived the B-LTA contract, its report and its evidence. Open loop at
 * each of --rates for --seconds; beside it, on the same Temporal server in the same
 * run, the bare one-activity workflow at increasing rates. Then where the
 * time goes: each activity's run time from the workflow histories (documents,
 * each signature, B-LT and B-LTA with the validation report, evidence,
 * archive), what is left to Temporal (scheduling, queues, the workflow
 * tasks), and one TSA round trip and one verification measured alone.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import postgres from 'postgres';
import { issueCertificate } from '../certs/issue.ts';
import { softwareSigner } from '../certs/signers.ts';
import { createTsaClient } from '../certs/tsa/client.ts';
import type { Signer } from '../certs/types.ts';
import { runningEmbeddedPostgres } from '../db/embedded-postgres.ts';
import { createApiKey, generateApiKey } from '../db/repositories/apiKeys.ts';
import { pkiStore } from '../db/repositories/pki.ts';
import { DEMO, DEMO_KEY_SEED, demoDossier } from '../db/seed.ts';
import type { Party } from '../domain/ceremony.ts';
import { isValidSiren } from '../domain/siren.ts';
import { readPidFile } from '../processes/identity.ts';
import { installTemporalRuntime } from '../temporal/runtime.ts';
import { verifyPdf } from '../signature/validation/verify-pdf.ts';
import { ceremonyWorkflowId } from '../workflows/ceremony.ts';
import { makeDataDir } from '../test/support/data-dir.ts';
import { processesMentioning, startOnDefaults } from '../test/integration/support/start-process.ts';
import { measureBaseline } from './engine-baseline.ts';
import { percentile, runOpenLoop, type LoadResult } from './engine-load.ts';

const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '1,2' },
    seconds: { type: 'string', default: '30' },
    'baseline-rates': { type: 'string', default: '10,20,40' },
    'baseline-seconds': { type: 'string', default: '10' },
  },
});
const rates = (args.rates ?? '').split(',').filter(Boolean).map(Number);
const seconds = Number(args.seconds);
const WARM_UP = 3;

installTemporalRuntime();
const dataDir = makeDataDir('bench-ceremony');
delete process.env.SOFTHSM2_CONF;
const engine = await startOnDefaults(dataDir, { LOG_LEVEL: 'error' });
const sql = postgres(runningEmbeddedPostgres(dataDir)!.url, { max: 4, onnotice: () => {} });
const client = new Client({ connection: await Connection.connect({ address: `127.0.0.1:${engine.temporalPort}` }) });
const nativeConnection = await NativeConnection.connect({ address: `127.0.0.1:${engine.temporalPort}` });
let cleaned = false;
async function cleanUp(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  await sql.end({ timeout: 5 }).catch(() => {});
  await client.connection.close().catch(() => {});
  await nativeConnection.close().catch(() => {});
  engine.start.child.kill('SIGTERM');
  await engine.start.exited;
  for (const pid of processesMentioning(dataDir)) process.kill(pid, 'SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

interface Company {
  siren: string;
  key: string;
  signer: Signer;
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

const issue = async (name: string, organisation: string, siren: string): Promise<Signer> => {
  const issued = await issueCertificate(pkiStore(sql), {
    profile: 'person-rgs1',
    subject: { name, organisation, siren },
    key: { store: 'software', type: 'ec256' },
    registration: { identityCheck: 'remote', operator: 'bench' },
    secret: { dataDir },
  });
  return softwareSigner(issued.privateKey!, issued.certificate, issued.chain, { thread: 'caller' });
};

/** One company per dossier (the guarantee's cap is per company): its passport, its créateur's certificate and API key. */
async function prepareCompanies(n: number): Promise<Company[]> {
  const taken = new Set<string>();
  const out: Company[] = [];
  for (let i = 0; i < n; i++) {
    const siren = randomSiren(taken);
    const lastName = `Martin${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + (Math.floor(i / 26) % 26))}`;
    await sql`insert into passports (number, siren, status, validated_modules, issued_on) values (${`PNE-${siren}`}, ${siren}, 'issued', ${['a', 'b', 'c']}, '2025-06-01')`;
    await sql`insert into organisations (id, kind, name) values (${siren}, 'company', ${`Entreprise ${siren}`})`;
    out.push({ siren, key: await createApiKey(sql, siren, 'creator', { label: 'bench' }), signer: await issue(`Camille ${lastName}`, `Entreprise ${siren}`, siren), lastName });
  }
  return out;
}

const call = async <T>(key: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> => {
  const response = await fetch(`${engine.apiUrl}${url}`, {
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
    await new Promise((r) => setTimeout(r, 50));
  }
}

const line = (label: string, r: LoadResult) =>
  `${label.padEnd(16)} offered ${r.offeredRate}/s × ${(r.launched / r.offeredRate).toFixed(0)} s: ${r.completed}/${r.launched} done (${r.errors} errors) ` +
  `in ${r.wallSeconds.toFixed(1)} s → ${r.completedPerSecond.toFixed(2)}/s, p50 ${(r.p50Ms / 1000).toFixed(2)} s, p99 ${(r.p99Ms / 1000).toFixed(2)} s` +
  (r.firstError ? ` (first error: ${r.firstError})` : '');
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => percentile(sorted(xs), 0.5);

/** CPU seconds used so far by each part of the engine (its process and all its descendants: PostgreSQL's backends). */
function cpuByPart(): Record<string, number> {
  const stats = new Map<number, { ppid: number; cpu: number }>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / 100 });
    } catch {
      // gone
    }
  }
  const total = (pid: number): number => {
    let sum = stats.get(pid)?.cpu ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) sum += total(child);
    return sum;
  };
  const out: Record<string, number> = {};
  for (const part of ['worker', 'api', 'temporal', 'postgres']) {
    const pid = readPidFile(path.join(dataDir, 'run', `${part}.json`))?.pid;
    out[part] = pid ? total(pid) : 0;
  }
  return out;
}

try {
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log('passeport start on its defaults (demo mode): embedded PostgreSQL, Temporal dev server on SQLite, worker and API processes');
  const resellerKey = generateApiKey(`${DEMO_KEY_SEED}:reseller:${DEMO.resellers.grenoble}`).key;
  const bankKey = generateApiKey(`${DEMO_KEY_SEED}:bank:${DEMO.banks.alpes}`).key;
  const reseller = DEMO.signatories[DEMO.resellers.grenoble];
  const resellerSigner = await issue(reseller.name, 'Alpes Informatique Services', reseller.siren);

  const steps = {
    decision: [] as number[],
    letterAndContract: [] as number[],
    createur: [] as number[],
    revendeur: [] as number[],
    banque: [] as number[],
    finalisation: [] as number[],
  };
  const done: string[] = [];
  async function fullDossier(company: Company): Promise<void> {
    const body = demoDossier('small');
    body.company = { ...body.company, siren: company.siren, legalName: `Entreprise ${company.siren}` };
    body.dirigeant = { ...body.dirigeant, firstName: 'Camille', lastName: company.lastName };
    body.passportNumber = `PNE-${company.siren}`;
    let t = performance.now();
    const lap = (into: number[]) => {
      const now = performance.now();
      into.push(now - t);
      t = now;
    };
    let view = await call<{ dossierId: string; status: string }>(resellerKey, 'POST', '/v1/dossiers', body, { 'idempotency-key': crypto.randomUUID() });
    // A busy engine answers « received » past the API's wait: the accord follows.
    while (view.status === 'received') {
      await new Promise((r) => setTimeout(r, 50));
      view = { ...view, status: (await call<{ status: string }>(resellerKey, 'GET', `/v1/dossiers/${view.dossierId}`)).status };
    }
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

  const baseline = await measureBaseline({
    connection: nativeConnection,
    client,
    rates: (args['baseline-rates'] ?? '').split(',').filter(Boolean).map(Number),
    seconds: Number(args['baseline-seconds']),
    onStep: (r) => console.log(line('bare workflow', r)),
  });
  const needed = rates.reduce((sum, r) => sum + Math.round(r * seconds), 0);
  process.stdout.write(`preparing ${needed + WARM_UP} companies (passport, créateur certificate and API key each)… `);
  const companies = await prepareCompanies(needed + WARM_UP);
  console.log('done');
  // Warm-up: the worker's workflow cache, the seals' sessions, the CRLs; not measured.
  for (const c of companies.splice(0, WARM_UP)) await fullDossier(c);
  const best = Math.max(...baseline.map((r) => r.completedPerSecond));
  for (const rate of rates) {
    for (const list of Object.values(steps)) list.length = 0;
    done.length = 0;
    const mine = companies.splice(0, Math.round(rate * seconds));
    console.log('');
    const cpuBefore = cpuByPart();
    const ownBefore = process.cpuUsage();
    const result = await runOpenLoop(rate, seconds, (i) => fullDossier(mine[i]!));
    const cpuAfter = cpuByPart();
    const own = process.cpuUsage(ownBefore);
    console.log(line('full dossiers', result));
    const parts = Object.keys(cpuAfter).map((k) => [k, cpuAfter[k]! - (cpuBefore[k] ?? 0)] as const);
    const engineCpu = parts.reduce((sum, [, v]) => sum + v, 0);
    console.log(
      `CPU per dossier: ${(engineCpu / done.length).toFixed(3)} s in the engine (${parts.map(([k, v]) => `${k} ${(v / done.length).toFixed(3)}`).join(', ')}), ` +
        `${((own.user + own.system) / 1e6 / done.length).toFixed(3)} s in this client; ${engineCpu.toFixed(1)} s over ${result.wallSeconds.toFixed(1)} s of clock on ${os.cpus().length} cores`,
    );
    console.log(
      `full dossiers: ${result.completedPerSecond.toFixed(2)}/s = ${((100 * result.completedPerSecond) / best).toFixed(1)} % of the bare workflow's peak ${best.toFixed(1)}/s in this run`,
    );

    console.log('\nper step, median over the dossiers (client side, queueing included):');
    for (const [name, xs] of Object.entries(steps)) console.log(`  ${name.padEnd(18)} ${median(xs).toFixed(0)} ms (p99 ${percentile(sorted(xs), 0.99).toFixed(0)} ms)`);

    // Where the worker's time goes, from the histories: each activity from its start to its completion.
    const runMs = new Map<string, number[]>();
    const queueMs: number[] = [];
    for (const id of done) {
      for (const workflowId of [`dossier-${id}`, ceremonyWorkflowId(id)]) {
        const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
        const toMs = (e: (typeof events)[number]) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
        const scheduled = new Map<string, { type: string; at: number }>();
        const started = new Map<string, number>();
        for (const e of events) {
          if (e.activityTaskScheduledEventAttributes) scheduled.set(String(e.eventId), { type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at: toMs(e) });
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
    console.log('\nactivities, run time (median / mean, per dossier), from the histories:');
    let perDossier = 0;
    for (const [type, xs] of [...runMs.entries()].sort((a, b) => b[1].reduce((s, x) => s + x, 0) - a[1].reduce((s, x) => s + x, 0))) {
      const sum = xs.reduce((s, x) => s + x, 0);
      perDossier += sum / done.length;
      console.log(`  ${type.padEnd(22)} ${median(xs).toFixed(0)} ms / ${(sum / xs.length).toFixed(0)} ms × ${(xs.length / done.length).toFixed(1)}`);
    }
    const latency = result.p50Ms;
    console.log(
      `  activities sum to ${perDossier.toFixed(0)} ms per dossier; a dossier takes ${latency.toFixed(0)} ms (median): the rest, ${(latency - perDossier).toFixed(0)} ms, is Temporal (workflow tasks, queues: activity queue time median ${median(queueMs).toFixed(0)} ms) and HTTP`,
    );
  }

  // Two costs the histories do not isolate, measured alone on the idle engine.
  const tsa = createTsaClient(`${engine.apiUrl}/tsa`);
  const tsaMs: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    await tsa.timestamp(crypto.randomBytes(32), 'SHA-256');
    tsaMs.push(performance.now() - t);
  }
  const contract = Buffer.from(await (await fetch(`${engine.apiUrl}/v1/dossiers/${done[0]}/contract/document`, { headers: { authorization: `Bearer ${bankKey}` } })).arrayBuffer());
  const [root] = await sql<{ certificate: Uint8Array }[]>`select certificate from pki_ca where name = 'root'`;
  const verifyMs: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    const report = await verifyPdf(contract, { trustAnchors: [new Uint8Array(root!.certificate)] });
    verifyMs.push(performance.now() - t);
    if (report.indication !== 'TOTAL_PASSED') throw new Error(`final contract ${report.indication}`);
  }
  console.log(`\nalone, idle engine: one RFC 3161 timestamp over HTTP ${median(tsaMs).toFixed(1)} ms (6 per dossier: letter, 3 signatures, document timestamp, evidence);`);
  console.log(
    `verifying the final B-LTA contract (${(contract.length / 1024).toFixed(0)} KB, 3 signatures, 4 timestamps) ${median(verifyMs).toFixed(0)} ms (4 per dossier: after each signature and the report)`,
  );
} finally {
  await cleanUp();
}
