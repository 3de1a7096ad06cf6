/**
 * Certificates issued per second, per profile and key type, next to the machine's raw
 * `openssl speed -seconds 3 rsa2048 ecdsap256` measured in the same run.
 *   npx tsx bench/pki-issue.ts > pki-issue.md
 *   flock /work/main/.bench.lock npx tsx bench/pki-issue.ts --record pki-issue.md
 * (--record writes a report into BENCHMARKS.md, section "## PKI", without measuring; the lock
 * is held only for that.)
 * Uses DATABASE_URL (a throw-away database is created and dropped) or the embedded PostgreSQL (a private cluster in a temporary folder).
 */
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { openDatabase, type Database } from '../db/connect.ts';
import { migrate } from '../db/migrate.ts';
import { initPki } from '../certs/ca.ts';
import { issueCertificate, type IssueRequest } from '../certs/issue.ts';
import { pkiStore } from '../db/repositories/pki.ts';
import { generateSoftwareKey, KEY_TYPES, type KeyType, spkiDer } from '../certs/keys.ts';
import { createSoftHsmStore, initSoftHsmToken } from '../certs/softhsm.ts';

const secret = { secret: 'bench-secret-0123456789abcdef' };
const person = { name: 'Camille Martin', organisation: 'Atelier Martin', siren: '732829320' };
const remote = { identityCheck: 'remote' as const, operator: 'bench' };
const faceToFace = { identityCheck: 'face_to_face' as const, operator: 'bench', documentType: 'passport' as const, documentNumber: '19AB12345' };
const BUDGET_MS = 2500;
const MAX_RUNS = 300;

async function benchDatabase(): Promise<{ db: Database; cleanup(): Promise<void> }> {
  const admin = process.env.DATABASE_URL;
  if (admin) {
    const name = `passeport_bench_${crypto.randomBytes(4).toString('hex')}`;
    const sql = postgres(admin, { max: 1, onnotice: () => {} });
    await sql.unsafe(`create database ${name}`);
    const url = new URL(admin);
    url.pathname = `/${name}`;
    const db = await openDatabase({ url: url.toString(), dataDir: 'unused' });
    return {
      db,
      async cleanup() {
        await db.close();
        await sql.unsafe(`drop database ${name} with (force)`);
        await sql.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pki-bench-'));
  const db = await openDatabase({ dataDir: dir });
  return {
    db,
    async cleanup() {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Rate {
  perSecond: number;
  perCpuSecond: number;
  runs: number;
  msEach: number;
}

/** Wall-clock rate, and rate per CPU second of this process (user + system, threads included). */
async function rate(run: () => Promise<unknown>): Promise<Rate> {
  await run(); // warm-up
  const start = performance.now();
  const cpu = process.cpuUsage();
  let runs = 0;
  while (runs < MAX_RUNS && performance.now() - start < BUDGET_MS) {
    await run();
    runs++;
  }
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return { perSecond: (runs * 1000) / elapsed, perCpuSecond: runs / cpuSeconds, runs, msEach: elapsed / runs };
}

function row(label: string, type: string, r: Rate): string {
  return `| ${label} | ${type} | ${r.perSecond.toFixed(1)} | ${r.perCpuSecond.toFixed(1)} | ${r.msEach.toFixed(1)} | ${r.runs} |`;
}

function opensslSpeed(): { rsa2048Sign: number; rsa2048Verify: number; p256Sign: number; p256Verify: number; text: string } {
  const text = execFileSync('openssl', ['speed', '-seconds', '3', 'rsa2048', 'ecdsap256'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const rsa = /rsa\s+2048 bits\s+[\d.]+s\s+[\d.]+s\s+([\d.]+)\s+([\d.]+)/.exec(text);
  const ec = /256 bits ecdsa \(nistp256\)\s+[\d.]+s\s+[\d.]+s\s+([\d.]+)\s+([\d.]+)/.exec(text);
  if (!rsa || !ec) throw new Error(`openssl speed output not understood:\n${text}`);
  const lines = text
    .split('\n')
    .filter((l) => /sign\s+verify|rsa\s+2048|nistp256/.test(l))
    .join('\n');
  return { rsa2048Sign: Number(rsa[1]), rsa2048Verify: Number(rsa[2]), p256Sign: Number(ec[1]), p256Verify: Number(ec[2]), text: lines };
}

const recordIndex = process.argv.indexOf('--record');
if (recordIndex > 0) {
  writeSection(fs.readFileSync(process.argv[recordIndex + 1] ?? '', 'utf8').trim());
  process.exit(0);
}

const { db, cleanup } = await benchDatabase();
const rows: string[] = [];
try {
  await migrate(db.sql);
  const initStart = performance.now();
  await initPki(pkiStore(db.sql), { ...secret, caKeyType: 'rsa3072', publicBaseUrl: 'http://127.0.0.1:3000' });
  const initMs = performance.now() - initStart;

  const cases: Array<{ label: string; request: (k: KeyType) => IssueRequest }> = [
    {
      label: 'person-rgs1 (clé générée + PKCS#12)',
      request: (type) => ({ profile: 'person-rgs1', subject: person, key: { store: 'software', type, pkcs12Passphrase: 'phrase de test' }, registration: remote, secret }),
    },
    {
      label: 'person-rgs1 (clé générée, sans PKCS#12)',
      request: (type) => ({ profile: 'person-rgs1', subject: person, key: { store: 'software', type }, registration: remote, secret }),
    },
    { label: 'authentication (clé générée)', request: (type) => ({ profile: 'authentication', subject: person, key: { store: 'software', type }, registration: remote, secret }) },
    { label: 'tsa (clé générée)', request: (type) => ({ profile: 'tsa', subject: {}, key: { store: 'software', type }, secret }) },
    { label: 'ocsp-responder (clé générée)', request: (type) => ({ profile: 'ocsp-responder', caName: 'rgs1', subject: {}, key: { store: 'software', type }, secret }) },
  ];
  for (const c of cases) {
    for (const type of KEY_TYPES) {
      const r = await rate(() => issueCertificate(pkiStore(db.sql), c.request(type)));
      rows.push(row(c.label, type, r));
      console.error(rows.at(-1));
    }
  }
  // Certificate work alone: the subject's public key is given (deferred signing from a browser).
  for (const type of KEY_TYPES) {
    const spki = spkiDer((await generateSoftwareKey(type)).publicKey);
    const r = await rate(() =>
      issueCertificate(pkiStore(db.sql), { profile: 'person-rgs1', subject: person, key: { store: 'public-key', publicKey: spki }, registration: remote, secret }),
    );
    rows.push(row('person-rgs1 (clé publique fournie : certificat seul)', type, r));
    console.error(rows.at(-1));
  }
  // Keys generated on a SoftHSM2 token.
  const hsmDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pki-bench-hsm-'));
  const store = createSoftHsmStore(hsmDir);
  process.env.SOFTHSM2_CONF = store.confPath;
  initSoftHsmToken(store, { label: 'bench', pin: '123456', soPin: '12345678' });
  for (const type of ['ec256', 'rsa2048'] as const) {
    const r = await rate(() =>
      issueCertificate(pkiStore(db.sql), {
        profile: 'person-rgs2',
        subject: person,
        registration: faceToFace,
        secret,
        key: { store: 'token', type, token: { tokenLabel: 'bench', pin: '123456' } },
      }),
    );
    rows.push(row('person-rgs2 (clé générée sur jeton SoftHSM2)', type, r));
    console.error(rows.at(-1));
  }
  fs.rmSync(hsmDir, { recursive: true, force: true });

  const speed = opensslSpeed();
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'inconnu';
  const rgs1Ec = rows.find((r) => r.startsWith('| person-rgs1 (clé publique fournie') && r.includes('| ec256 |'));
  const certOnly = Number(rgs1Ec?.split('|')[3]);
  const certOnlyCpu = Number(rgs1Ec?.split('|')[4]);
  const report = [
    `Mesuré le ${new Date().toISOString()} — machine : nproc ${execFileSync('nproc', { encoding: 'utf8' }).trim()}, ${cpu}, partagée avec d’autres processus (charge moyenne sur 1 min à la fin : ${os.loadavg()[0]!.toFixed(1)}).`,
    `Commande : \`npx tsx bench/pki-issue.ts\` (PostgreSQL ${process.env.DATABASE_URL ? 'réel' : 'embarqué'}; AC en RSA 3072, initialisation des 6 AC : ${(initMs / 1000).toFixed(1)} s).`,
    `Chaque émission : contrôles, génération de clé (sauf mention), certificat signé par l’AC (RSA 3072, SHA-256), enregistrement et dossier d’enregistrement en base.`,
    '',
    '| profil | clé du titulaire | certificats/s (temps réel) | certificats par seconde CPU du processus | ms par certificat (réel) | émissions mesurées |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    'Référence, même exécution : `openssl speed -seconds 3 rsa2048 ecdsap256`',
    '```',
    speed.text,
    '```',
    `Rapports (la ligne « clé publique fournie, ec256 », où l’AC signe une fois en RSA 3072 par certificat) : ${certOnlyCpu.toFixed(1)} certificats par seconde CPU = ` +
      `${((certOnlyCpu / speed.rsa2048Sign) * 100).toFixed(1)} % des signatures RSA 2048 par seconde CPU d’openssl (${speed.rsa2048Sign}/s) ; en temps réel ${certOnly.toFixed(1)}/s. ` +
      `\`openssl speed\` compte le temps CPU de son processus : la colonne CPU est la comparable (elle ne compte pas le travail du serveur PostgreSQL). ` +
      `Une signature RSA 3072 coûte environ 3 fois une RSA 2048 ; la construction du certificat (@peculiar/x509) et deux écritures en base (certificat et dossier d’enregistrement) font le reste. ` +
      `La génération d’une clé RSA domine l’émission avec clé générée ; le PKCS#12 ajoute PBKDF2-SHA-256 à 100 000 itérations (voulu : résistance à la force brute).`,
  ].join('\n');
  console.log(report);
} finally {
  await cleanup();
}

function writeSection(report: string): void {
  const file = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'BENCHMARKS.md');
  const start = '<!-- pki-issue:start -->';
  const end = '<!-- pki-issue:end -->';
  const block = `${start}\n${report}\n${end}`;
  // Serialised with the other writers of BENCHMARKS.md by `flock /work/main/.bench.lock`.
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  if (text.includes(start) && text.includes(end)) {
    text = text.slice(0, text.indexOf(start)) + block + text.slice(text.indexOf(end) + end.length);
  } else if (text.includes('\n## PKI\n')) {
    const at = text.indexOf('\n## PKI\n') + '\n## PKI\n'.length;
    text = `${text.slice(0, at)}\n### Émission de certificats (bench/pki-issue.ts)\n${block}\n${text.slice(at)}`;
  } else {
    text = `${text.trimEnd()}\n\n## PKI\n\n### Émission de certificats (bench/pki-issue.ts)\n${block}\n`;
  }
  fs.writeFileSync(file, text);
}
