/**
 * The coffre-fort, measured next to baselines taken in the same run:
 *   - deposits per second (8 KiB objects, one and eight at a time) and MB/s ingested (2 MiB
 *     objects), next to the same bytes written durably by hand (temporary file, fsync, link,
 *     directory fsync: the floor of a write-once store, without the database);
 *   - audit MB/s (every copy re-hashed in SHA-256 and SHA-512, journal and seals re-checked)
 *     next to `sha256sum` over the same files;
 *   - sealing 100,000 journal entries, next to reading their bytes and hashing them alone.
 *
 *   DATABASE_URL=… npx tsx bench/vault.ts [--small 1000] [--large 100] [--entries 100000]
 *
 * Real parts: PostgreSQL (a throw-away database), the filesystem store in a temporary
 * folder, the TSA of certs/tsa/authority.ts under a throw-away PKI. Run it alone on the
 * machine if you can (`flock /work/main/.bench.lock npx tsx bench/vault.ts`).
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../test/support/db.ts';
import { createVaultTestPki } from '../test/vault/support/pki.ts';
import { vaultPorts } from '../vault/adapters.ts';
import { sha512Hex } from '../vault/hashing.ts';
import { entryBody } from '../vault/journal.ts';
import { FilesystemStore } from '../vault/storage/filesystem.ts';
import type { Actor } from '../vault/types.ts';
import { Vault } from '../vault/vault.ts';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SMALL = arg('small', 1000);
const LARGE = arg('large', 100);
const ENTRIES = arg('entries', 100_000);
const ENGINE: Actor = { kind: 'system', name: 'banc' };
const ARCHIVIST: Actor = { kind: 'archivist', name: 'banc' };
const MB = 1e6;

const seconds = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e9;
const cpuSeconds = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;
const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function content(i: number, size: number): Uint8Array {
  const out = crypto.randomBytes(size);
  out.writeUInt32BE(i, 0);
  return out;
}

/** What a write-once store must do at least: temporary file, fsync, link to its address, directory fsync. */
async function durableWrites(dir: string, contents: Uint8Array[]): Promise<number> {
  fs.mkdirSync(dir, { recursive: true });
  const start = process.hrtime.bigint();
  for (const [i, bytes] of contents.entries()) {
    const tmp = path.join(dir, `tmp-${i}`);
    const handle = await fsp.open(tmp, 'wx');
    await handle.write(bytes);
    await handle.sync();
    await handle.close();
    await fsp.link(tmp, path.join(dir, `obj-${i}`));
    await fsp.rm(tmp);
    const d = await fsp.open(dir, 'r');
    await d.sync();
    await d.close();
  }
  return seconds(start);
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-bench-vault-'));
  const pki = await createVaultTestPki();
  const { authority } = await pki.authority(db.sql, 3650, 'Horodatage du banc');
  const store = new FilesystemStore(path.join(dir, 'coffre'));
  const vault = new Vault({ sql: db.sql, stores: [store], ports: vaultPorts({ trustAnchors: [pki.root.der], tsa: { authority } }) });
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(', ');
  console.log(`Node ${process.version}, ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, load average ${load}, ${new Date().toISOString()}`);

  try {
    // ── Deposits ────────────────────────────────────────────────────────────────────
    const pkg = (i: number, bytes: Uint8Array) => ({
      documentClass: 'banc',
      dossierId: `D-${i}`,
      objects: [{ name: 'objet.bin', mediaType: 'application/octet-stream', content: bytes }],
    });
    const small = Array.from({ length: SMALL }, (_, i) => content(i, 8192));
    let start = process.hrtime.bigint();
    for (const [i, bytes] of small.entries()) await vault.deposit(ENGINE, pkg(i, bytes));
    const smallSerial = seconds(start);
    const small2 = Array.from({ length: SMALL }, (_, i) => content(SMALL + i, 8192));
    start = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < small2.length) {
          const i = next++;
          await vault.deposit(ENGINE, pkg(SMALL + i, small2[i]!));
        }
      }),
    );
    const smallParallel = seconds(start);
    const smallFloor = await durableWrites(path.join(dir, 'plancher-petits'), small);
    console.log(`\nDépôts de 8 KiB (${SMALL})`);
    console.log(`  un à la fois : ${fmt(SMALL / smallSerial)} dépôts/s ; huit à la fois : ${fmt(SMALL / smallParallel)} dépôts/s`);
    console.log(`  écriture durable seule (plancher, un à la fois) : ${fmt(SMALL / smallFloor)} fichiers/s → dépôt = ${fmt((100 * smallFloor) / smallSerial)} % du plancher`);

    const large = Array.from({ length: LARGE }, (_, i) => content(10 * SMALL + i, 2 * 1024 * 1024));
    const largeBytes = large.reduce((n, b) => n + b.length, 0);
    start = process.hrtime.bigint();
    for (const [i, bytes] of large.entries()) await vault.deposit(ENGINE, pkg(10 * SMALL + i, bytes));
    const largeTime = seconds(start);
    const largeFloor = await durableWrites(path.join(dir, 'plancher-gros'), large);
    console.log(`\nDépôts de 2 MiB (${LARGE}, ${fmt(largeBytes / MB)} Mo)`);
    console.log(`  ${fmt(largeBytes / MB / largeTime)} Mo/s ingérés (${fmt(LARGE / largeTime)} dépôts/s)`);
    console.log(`  écriture durable seule : ${fmt(largeBytes / MB / largeFloor)} Mo/s → dépôt = ${fmt((100 * largeFloor) / largeTime)} % du plancher`);
    fs.rmSync(path.join(dir, 'plancher-petits'), { recursive: true });
    fs.rmSync(path.join(dir, 'plancher-gros'), { recursive: true });
    await vault.seal(ENGINE);

    // ── Audit next to sha256sum ─────────────────────────────────────────────────────
    const files: string[] = [];
    for await (const address of store.addresses()) files.push(store.pathOf(address));
    const totalBytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
    const listFile = path.join(dir, 'fichiers.txt');
    fs.writeFileSync(listFile, files.join('\0'));
    const timeSha256sum = (): { wall: number; cpu: number } => {
      const r = execFileSync('bash', ['-c', `TIMEFORMAT='%R %U %S'; { time xargs -0 sha256sum < '${listFile}' > /dev/null; } 2>&1`], { encoding: 'utf8' });
      const [wall, user, sys] = r.trim().split(/\s+/).slice(-3).map(Number) as [number, number, number];
      return { wall, cpu: user + sys };
    };
    timeSha256sum(); // warms the page cache: both sides read from memory
    const rounds: { audit: number; auditCpu: number; sum: number; sumCpu: number }[] = [];
    for (let round = 0; round < 3; round++) {
      const s = timeSha256sum();
      const cpu = process.cpuUsage();
      start = process.hrtime.bigint();
      const report = await vault.audit(ARCHIVIST, { signatures: false });
      const wall = seconds(start);
      if (!report.clean) throw new Error(`audit not clean: ${report.anomalies[0]?.message}`);
      rounds.push({ audit: wall, auditCpu: cpuSeconds(process.cpuUsage(cpu)), sum: s.wall, sumCpu: s.cpu });
    }
    const median = [...rounds].sort((a, b) => a.sum / a.audit - b.sum / b.audit)[1]!;
    console.log(`\nAudit de ${files.length} objets, ${fmt(totalBytes / MB)} Mo (une copie), signatures non revérifiées ; trois tours, chacun après sha256sum :`);
    for (const r of rounds) {
      console.log(
        `  audit ${fmt(totalBytes / MB / r.audit)} Mo/s (CPU ${fmt(totalBytes / MB / r.auditCpu)} Mo/s) ; sha256sum ${fmt(totalBytes / MB / r.sum)} Mo/s (CPU ${fmt(totalBytes / MB / r.sumCpu)} Mo/s) → audit = ${fmt((100 * r.sum) / r.audit)} % (CPU ${fmt((100 * r.sumCpu) / r.auditCpu)} %)`,
      );
    }
    console.log(`  médiane : audit = ${fmt((100 * median.sum) / median.audit)} % de sha256sum à l'horloge (CPU ${fmt((100 * median.sumCpu) / median.auditCpu)} %)`);

    // ── Sealing 100,000 entries ─────────────────────────────────────────────────────
    const [head] = await db.sql<{ seq: bigint; hash: string }[]>`select seq, hash from vault_journal_head`;
    let seq = Number(head!.seq);
    let previous = head!.hash;
    const time = new Date();
    const rows: { seq: number; body: string; hash: string; previous: string }[] = [];
    for (let i = 0; i < ENTRIES; i++) {
      seq++;
      const body = entryBody(seq, previous, {
        operation: 'read',
        actor: 'archiviste:banc',
        object: `CF-banc-${i % 1000}`,
        outcome: 'ok',
        details: { sha512: sha512Hex(String(i)) },
        time,
      });
      const hash = sha512Hex(body);
      rows.push({ seq, body, hash, previous });
      previous = hash;
    }
    for (let i = 0; i < rows.length; i += 5000) {
      const batch = rows.slice(i, i + 5000);
      await db.sql`
        insert into vault_journal (seq, recorded_at, operation, actor, object_id, outcome, body, previous_hash, hash)
        select s, ${time}, 'read', 'archiviste:banc', o, 'ok', b, p, h
        from unnest(${db.sql.array(batch.map((r) => r.seq))}::bigint[], ${db.sql.array(batch.map((r) => `CF-banc-${r.seq % 1000}`))}::text[],
                    ${db.sql.array(batch.map((r) => r.body))}::text[], ${db.sql.array(batch.map((r) => r.previous))}::text[], ${db.sql.array(batch.map((r) => r.hash))}::text[]) as t(s, o, b, p, h)`;
    }
    // The search column follows the body, as appendEntry writes it.
    await db.sql`update vault_journal set object_id = (body::json->>'object') where seq > ${Number(head!.seq)}`;
    await db.sql`update vault_journal_head set seq = ${seq}, hash = ${previous}`;

    start = process.hrtime.bigint();
    const bodies = await db.sql<{ body: string }[]>`select body from vault_journal where seq > ${Number(head!.seq)} order by seq`;
    const readOnly = seconds(start);
    start = process.hrtime.bigint();
    for (const r of bodies) crypto.createHash('sha512').update(r.body).digest();
    const hashOnly = seconds(start);
    start = process.hrtime.bigint();
    const seal = await vault.seal(ENGINE);
    const sealTime = seconds(start);
    console.log(`\nScellement de ${fmt(seal!.lastSeq - seal!.firstSeq + 1, 0)} entrées (${seal!.id}) : ${fmt(sealTime, 2)} s`);
    console.log(`  dont plancher : lecture des entrées ${fmt(readOnly, 2)} s + un SHA-512 par entrée ${fmt(hashOnly, 2)} s = ${fmt(readOnly + hashOnly, 2)} s`);
    const audit = await vault.audit(ARCHIVIST, { signatures: false });
    console.log(`  audit ensuite : ${audit.clean ? 'conforme' : 'NON conforme'}, ${audit.journal.entries} entrées revérifiées`);
  } finally {
    await pki.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
