/**
 * The ceremony on the default path, as a user runs it: `passeport start` on
 * its embedded defaults (demo mode), a dossier submitted over HTTP and
 * approved by default, its decision letter sealed by the bank, the créateur
 * signing with its PKCS#12 file and the revendeur with its own through
 * `passeport sign --dossier`, the bank countersigning with its seal on
 * SoftHSM2 — with the worker killed between two signatures and the Temporal
 * dev server killed and restarted on its SQLite file before the last one.
 * The B-LTA contract is then judged by `passeport verify`, pdfsig (per
 * field), openssl, qpdf and pyHanko's long-term validation (revocation from
 * the file only); its rents are the domain's to the cent; the
 * evidence and the archive hold what they must; nothing was applied twice.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningEmbeddedPostgres } from '../../db/embedded-postgres.ts';
import { DEMO } from '../../db/seed.ts';
import { demoSignerFiles } from '../../db/seed-signers.ts';
import { contractStartDate } from '../../domain/ceremony.ts';
import { BankPolicySchema } from '../../domain/policy.ts';
import { quote } from '../../domain/rents.ts';
import { readPidFile } from '../../processes/identity.ts';
import { installTemporalRuntime } from '../../temporal/runtime.ts';
import { workflowBundle } from '../../temporal/worker.ts';
import { ceremonyWorkflowId } from '../../workflows/ceremony.ts';
import { openEngineVault } from '../../vault/adapters.ts';
import { VaultEnvSchema } from '../../vault/config.ts';
import { cli, root } from '../support/cli.ts';
import { makeDataDir } from '../support/data-dir.ts';
import { pdftext, scheduleFromText } from '../documents/support/pdf-judges.ts';
import { acceptedUpdates } from '../integration/support/engine.ts';
import { errorLines, processesMentioning, startOnDefaults, type StartedEngine } from '../integration/support/start-process.ts';
import { extractSignatures, nssDb, opensslCmsVerify, opensslTsVerify, pdfsig, qpdfCheck, signerParts } from '../signature/support/judges.ts';
import { call, waitForStatus } from './support/client.ts';
import { pyhankoJudge } from '../signature/support/pyhanko.ts';
import { demoDossier } from './support/stack.ts';

const run = promisify(execFile);
const dataDir = makeDataDir('ceremony');
const work = path.join(dataDir, 'judged');
let engine: StartedEngine;
let creatorKey: string;

beforeAll(async () => {
  installTemporalRuntime();
  // The engine's own SoftHSM2 store under DATA_DIR, as on a fresh machine.
  delete process.env.SOFTHSM2_CONF;
  fs.mkdirSync(work, { recursive: true });
  engine = await startOnDefaults(dataDir, { OFFER_VALIDITY_SECONDS: '3600' });
  creatorKey = (await engine.start.waitFor(new RegExp(`creator\\s+${DEMO.createurs.small.siren}\\s+(\\S+)`), 1_000))[1] ?? '';
}, 240_000);

afterAll(() => {
  if (engine && engine.start.child.exitCode === null) engine.start.child.kill('SIGKILL');
  for (const pid of processesMentioning(dataDir)) process.kill(pid, 'SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const pem = (der: Buffer): string =>
  `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END CERTIFICATE-----\n`;
const pidOf = (name: string) => readPidFile(path.join(dataDir, 'run', `${name}.json`))?.pid ?? -1;

/** `passeport sign --dossier` as a signer types it, with its key in the environment. */
async function passeportSign(args: string[], env: NodeJS.ProcessEnv): Promise<{ ok: boolean; [k: string]: unknown }> {
  const [command, argv] = cli('sign', '--json', '--api', engine.apiUrl, ...args);
  const { stdout } = await run(command, argv, { cwd: root, env: { ...process.env, DATA_DIR: dataDir, ...env } }).catch((e: { stdout?: string; stderr?: string }) => {
    throw new Error(`passeport sign ${args.join(' ')} failed: ${e.stdout ?? ''}${e.stderr ?? ''}`);
  });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

async function pdfOf(key: string, url: string, name: string): Promise<{ bytes: Buffer; file: string }> {
  const answer = await call(engine.apiUrl, key, 'GET', url);
  expect(answer.status, `${url}: ${JSON.stringify(answer.body)}`).toBe(200);
  const bytes = answer.body as unknown as Buffer;
  const file = path.join(work, name);
  fs.writeFileSync(file, bytes);
  return { bytes, file };
}

/** pdfsig's verdict per field; unsigned fields are listed as not signed. */
async function pdfsigByField(file: string, nss: string): Promise<Map<string, { valid: boolean; trusted: boolean; signed: boolean; raw: string }>> {
  const out = new Map<string, { valid: boolean; trusted: boolean; signed: boolean; raw: string }>();
  for (const s of await pdfsig(file, nss)) {
    const field = /Signature Field Name: (\S+)/.exec(s.raw)?.[1] ?? '?';
    out.set(field, { ...s, signed: !/The signature form field is not signed/.test(s.raw) });
  }
  return out;
}

describe('the signing ceremony on passeport start’s default path', () => {
  it('dossier → default accord → sealed letter → contract → three signatures (worker and Temporal killed in between) → archived B-LTA contract', async () => {
    const { apiUrl, keys } = engine;
    const files = demoSignerFiles(dataDir);
    const response = await fetch(`${apiUrl}/v1/dossiers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.reseller}`, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
      body: JSON.stringify(demoDossier('small')),
    });
    const view = (await response.json()) as { dossierId: string; status: string; decision: { decidedAt: string } };
    expect(view.status).toBe('approved');
    const id = view.dossierId;
    await waitForStatus(apiUrl, creatorKey, id, 'awaiting_createur', 90_000);

    // The letter, sealed by the bank at B-T.
    const rootFile = path.join(work, 'root.pem');
    fs.writeFileSync(rootFile, pem((await call(apiUrl, keys.admin, 'GET', '/pki/ca/root.cer')).body as unknown as Buffer));
    const nss = nssDb(work, fs.readFileSync(rootFile, 'utf8'));
    const letter = await pdfOf(creatorKey, `/v1/dossiers/${id}/decision-letter`, 'lettre.pdf');
    expect([...(await pdfsigByField(letter.file, nss)).values()]).toMatchObject([{ valid: true, trusted: true, signed: true }]);
    expect(await pdftext(letter.file)).toMatch(/Bonne nouvelle : votre financement est accordé/);

    // The créateur, with its PKCS#12 file (RGS *: the amount is under 15 000 €).
    const createur = await passeportSign(['--dossier', id, '--party', 'createur', '--p12', files.createurP12], {
      PASSEPORT_API_KEY: creatorKey,
      PASSEPORT_P12_PASSPHRASE: 'demo-passeport-2026',
    });
    expect(createur).toMatchObject({ ok: true, action: 'signed', stage: 'awaiting_revendeur', contractVersion: 1 });

    // The worker dies between two signatures; the supervisor starts another, which takes the ceremony up.
    const workerPid = pidOf('worker');
    process.kill(workerPid, 'SIGKILL');
    await engine.start.waitFor(/Le worker a redémarré/, 120_000);
    const revendeur = await passeportSign(['--dossier', id, '--party', 'revendeur', '--p12', files.resellerP12(DEMO.resellers.grenoble)], {
      PASSEPORT_API_KEY: keys.reseller,
      PASSEPORT_P12_PASSPHRASE: 'demo-passeport-2026',
    });
    expect(revendeur).toMatchObject({ ok: true, action: 'signed', stage: 'awaiting_banque', contractVersion: 2 });
    expect(pidOf('worker')).not.toBe(workerPid);

    // The Temporal dev server dies too; it comes back on its SQLite file, with the ceremony in it.
    process.kill(pidOf('temporal'), 'SIGKILL');
    await engine.start.waitFor(/Le serveur Temporal a redémarré/, 90_000);
    const banque = await passeportSign(['--dossier', id, '--party', 'banque', '--out', path.join(work, 'apres-banque.pdf')], { PASSEPORT_API_KEY: keys.bank });
    expect(banque).toMatchObject({ ok: true, action: 'countersigned' });
    const done = await waitForStatus(apiUrl, keys.bank, id, 'signed', 120_000);
    expect(done.contract).toMatchObject({ version: 5, label: 'horodatage d’archivage (B-LTA)' });

    // The contract: passeport verify, pdfsig per field, openssl per signature, qpdf.
    const contract = await pdfOf(keys.bank, `/v1/dossiers/${id}/contract/document`, 'contrat-signe.pdf');
    expect(await qpdfCheck(contract.file)).toMatch(/No syntax or stream encoding errors found/);
    const [command, argv] = cli('verify', contract.file, '--trust', rootFile, '--json', '--require-rgs', '1');
    const verdict = JSON.parse((await run(command, argv, { cwd: root, env: { ...process.env, DATA_DIR: dataDir } })).stdout) as {
      passed: boolean;
      reports: { indication: string; signatures: { fieldName: string; type: string; indication: string; padesLevel: string; rgsLevel: number }[] }[];
    };
    expect(verdict.passed).toBe(true);
    const report = verdict.reports[0]!;
    expect(report.indication).toBe('TOTAL_PASSED');
    const signatures = report.signatures.filter((s) => s.type === 'signature');
    expect(signatures.map((s) => [s.fieldName, s.indication, s.padesLevel, s.rgsLevel])).toEqual([
      ['signature-createur', 'TOTAL_PASSED', 'B-LTA', 1],
      ['signature-revendeur', 'TOTAL_PASSED', 'B-LTA', 1],
      ['signature-banque', 'TOTAL_PASSED', 'B-LTA', 3],
    ]);
    const byField = await pdfsigByField(contract.file, nss);
    for (const field of ['signature-createur', 'signature-revendeur', 'signature-banque']) {
      expect(byField.get(field), field).toMatchObject({ signed: true, valid: true, trusted: true });
    }
    // poppler does not check document timestamps: openssl ts does, below.
    expect(byField.get('horodatage-archivage')?.signed).toBe(true);
    const rootText = fs.readFileSync(rootFile, 'utf8');
    const tsaCa = pem((await call(apiUrl, keys.admin, 'GET', '/pki/ca/tsa.cer')).body as unknown as Buffer);
    const extracted = extractSignatures(contract.bytes);
    const cms = extracted.filter((s) => !s.isDocTimestamp);
    expect(cms).toHaveLength(3);
    for (const sig of cms) {
      await opensslCmsVerify(work, sig, rootText);
      const { signatureValue, timestampToken } = signerParts(sig.cms);
      expect(await opensslTsVerify(work, timestampToken!, signatureValue, rootText, tsaCa)).toMatch(/Verification: OK/);
    }
    // pyHanko's long-term validation: revocation data from the file only, required for every certificate.
    // The document timestamp too: its chain from the DSS, and pyHanko's difference analysis of what follows each revision.
    const judged = await pyhankoJudge(work, fs.readFileSync(contract.file), fs.readFileSync(rootFile, 'utf8'), 'lta');
    expect(judged.filter((v) => v.kind === 'signature')).toEqual(
      ['signature-createur', 'signature-revendeur', 'signature-banque'].map((field) =>
        expect.objectContaining({ field, indication: 'AdESPassed.OK', bottomLine: true, docmdpOk: true }),
      ),
    );
    expect(judged.filter((v) => v.kind === 'document-timestamp')).toEqual([expect.objectContaining({ bottomLine: true, trusted: true })]);
    const [documentTimestamp] = extracted.filter((s) => s.isDocTimestamp);
    expect(await opensslTsVerify(work, documentTimestamp!.cms, documentTimestamp!.signedBytes, rootText, tsaCa)).toMatch(/Verification: OK/);

    // The rents are the domain's, to the cent, on BPALPES' grid, from the month after the decision.
    const sql = postgres(runningEmbeddedPostgres(dataDir)!.url, { max: 1, onnotice: () => {} });
    try {
      const [protocol] = await sql<{ policy: unknown }[]>`select policy from protocols where reseller_id = ${DEMO.resellers.grenoble} and bank_id = ${DEMO.banks.alpes}`;
      const expected = quote({
        amountCents: 240_000,
        product: 'credit_bail',
        durationMonths: 36,
        periodicity: 'monthly',
        residualValuePercent: 1,
        tariff: BankPolicySchema.parse(protocol!.policy).tariff,
        startDate: contractStartDate(view.decision.decidedAt),
      });
      const read = scheduleFromText(await pdftext(contract.file, { layout: true }));
      expect(read).toEqual(expected.schedule.map((l) => ({ index: l.index, dueDate: l.dueDate, rentCents: l.rentCents })));
      expect(read.reduce((sum, l) => sum + l.rentCents, 0)).toBe(expected.totalCents);

      // Nothing applied twice: one version per signature, three signatures, three « signed » journal entries.
      const versions = await sql<{ version: number }[]>`select version from ceremony_documents where dossier_id = ${id} and kind = 'contract' order by version`;
      expect(versions.map((v) => v.version)).toEqual([0, 1, 2, 3, 4, 5]);
      const [counts] = await sql<{ signatures: number; signed: number }[]>`
        select (select count(*)::int from contract_signatures where dossier_id = ${id}) as signatures,
               (select count(*)::int from dossier_events where dossier_id = ${id} and type = 'contract_signed') as signed`;
      expect(counts).toEqual({ signatures: 3, signed: 3 });
    } finally {
      await sql.end();
    }

    // The evidence, sealed by the platform, tells who signed what, when and from where.
    const evidence = await pdfOf(keys.bank, `/v1/dossiers/${id}/contract/evidence`, 'preuve.pdf');
    expect([...(await pdfsigByField(evidence.file, nss)).values()]).toMatchObject([{ valid: true, trusted: true, signed: true }]);
    const evidenceText = await pdftext(evidence.file);
    for (const s of done.signatures as { signer: string; sha256Before: string; sha256After: string }[]) {
      expect(evidenceText).toContain(s.signer);
      for (const hash of [s.sha256Before, s.sha256After]) expect(evidenceText.replace(/ /g, '')).toContain(hash);
    }
    expect(evidenceText).toMatch(/contrat ouvert par le preneur/);
    expect(evidenceText).toMatch(/passeport-sign/);
    expect(evidenceText).toMatch(/127\.0\.0\.1/);
    expect(evidenceText).toMatch(/jeton PKCS#11/);
    expect(evidenceText).toMatch(/TOTAL_PASSED/);

    // The coffre-fort: the five documents, read back as deposited.
    expect(done.archive).toMatchObject({ location: expect.stringMatching(/^coffre-fort, paquet /) });
    const vaultSql = postgres(runningEmbeddedPostgres(dataDir)!.url, { max: 2, onnotice: () => {} });
    try {
      const vault = openEngineVault(vaultSql, { ...VaultEnvSchema.parse({}), DATA_DIR: dataDir });
      const archivist = { kind: 'archivist', name: 'tests' } as const;
      const objects = await vault.list(archivist, { dossierId: id });
      expect(objects.map((o) => o.name).sort()).toEqual(['contrat-signe.pdf', 'dossier-de-preuve.pdf', 'dossier.pdf', 'lettre-de-decision.pdf', 'rapport-de-validation.json']);
      const stored = await vault.read(archivist, objects.find((o) => o.name === 'contrat-signe.pdf')!.id);
      expect(stored.content.equals(contract.bytes)).toBe(true);
      expect(objects.every((o) => o.documentClass === 'contrat' && o.parties.length === 3)).toBe(true);
    } finally {
      await vaultSql.end();
    }

    // The ceremony's history: each signature accepted once, and it replays against today's bundle.
    const client = new Client({ connection: await Connection.connect({ address: `127.0.0.1:${engine.temporalPort}` }) });
    try {
      const history = await client.workflow.getHandle(ceremonyWorkflowId(id)).fetchHistory();
      expect(acceptedUpdates(history.events ?? [])).toEqual(['prepareSignature', 'sign', 'prepareSignature', 'sign', 'countersign']);
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, ceremonyWorkflowId(id));
    } finally {
      await client.connection.close();
    }

    // passeport demo, the large dossier: the créateur signs at RGS ** with its SoftHSM2 token.
    const [demoCommand, demoArgs] = cli('demo', '--large', '--api', apiUrl, '--out', path.join(work, 'demo'));
    const demo = await run(demoCommand, demoArgs, { cwd: root, env: { ...process.env, DATA_DIR: dataDir } });
    const demoContract = /Contrat signé : (.+\.pdf)/.exec(demo.stdout)?.[1];
    expect(demoContract, demo.stdout + demo.stderr).toBeDefined();
    expect(demo.stdout).toMatch(/Avec son jeton \(RGS \*\*\)/);
    expect(demo.stdout).toMatch(/Coffre-fort : coffre-fort, paquet CF-\w+/);
    const [v2, v2Args] = cli('verify', demoContract!, '--trust', rootFile, '--json');
    const demoVerdict = JSON.parse((await run(v2, v2Args, { cwd: root, env: { ...process.env, DATA_DIR: dataDir } })).stdout) as typeof verdict;
    expect(demoVerdict.passed).toBe(true);
    expect(demoVerdict.reports[0]!.signatures.filter((s) => s.type === 'signature').map((s) => s.rgsLevel)).toEqual([2, 1, 3]);
    const demoJudged = await pyhankoJudge(work, fs.readFileSync(demoContract!), fs.readFileSync(rootFile, 'utf8'), 'lta');
    expect(demoJudged.filter((v) => v.kind === 'signature').map((v) => v.bottomLine)).toEqual([true, true, true]);

    expect(errorLines(engine.start.output())).toEqual([]);

    engine.start.child.kill('SIGTERM');
    expect(await engine.start.exited).toBe(0);
  }, 600_000);
});
