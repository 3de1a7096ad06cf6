import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { createTestDatabase } from '../support/db.ts';

/** `passeport vault` as an archivist runs it, over the engine's own PKI and TSA (`pki init`). */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-vault-cli-'));
const dataDir = path.join(dir, 'data');
const vaultDir = path.join(dir, 'coffre');
const secondDir = path.join(dir, 'coffre-copie');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function passeport(...args: string[]): Promise<Run> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    VAULT_DIR: vaultDir,
    VAULT_SECOND_DIR: secondDir,
    PASSEPORT_OPERATOR: 'c.durand',
  };
  delete env.PASSEPORT_CA_SECRET;
  return new Promise((resolve) => {
    const [command, argv] = cli(...args);
    execFile(command, argv, { cwd: dir, env, timeout: 200_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

let objectId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const init = await passeport('pki', 'init', '--ca-key', 'ec256', '--base-url', 'http://127.0.0.1:9');
  expect(init.code, init.stderr).toBe(0);
  fs.writeFileSync(path.join(dir, 'contrat.pdf'), '%PDF-1.4 contrat de démonstration\n%%EOF\n');
  fs.writeFileSync(path.join(dir, 'ac.crl'), 'LCR de démonstration');
});
afterAll(async () => {
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('passeport vault (driven as a subprocess)', { timeout: 300_000 }, () => {
  it('deposits a package, idempotently, into both locations', async () => {
    const first = await passeport(
      'vault',
      'deposit',
      'contrat.pdf',
      'ac.crl',
      '--class',
      'contrat',
      '--dossier',
      'D-CLI-1',
      '--siren',
      '912345675',
      '--party',
      'banque:BPALPES:Banque Populaire des Alpes',
      '--json',
    );
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout);
    expect(result.created).toBe(true);
    expect(result.objects.map((o: { mediaType: string }) => o.mediaType)).toEqual(['application/pdf', 'application/pkix-crl']);
    objectId = result.objects[0].id;
    expect(result.objects[0].depositor).toBe('archiviste:c.durand');
    for (const root of [vaultDir, secondDir]) {
      const sha = result.objects[0].sha512 as string;
      expect(fs.existsSync(path.join(root, 'objects', sha.slice(0, 2), sha))).toBe(true);
    }
    const again = await passeport(
      'vault',
      'deposit',
      'contrat.pdf',
      'ac.crl',
      '--class',
      'contrat',
      '--dossier',
      'D-CLI-1',
      '--siren',
      '912345675',
      '--party',
      'banque:BPALPES:Banque Populaire des Alpes',
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^Paquet déjà présent : ${result.packageId}`));
  });

  it('lists, counts, shows and reads', async () => {
    const list = await passeport('vault', 'list', '--dossier', 'D-CLI-1');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(objectId);
    const count = await passeport('vault', 'count', '--siren', '912345675', '--json');
    expect(JSON.parse(count.stdout)).toEqual({ count: 2, bytes: expect.any(Number) });
    const read = await passeport('vault', 'read', objectId, '--out', 'relu.pdf');
    expect(read.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'relu.pdf'), 'utf8')).toContain('contrat de démonstration');
  });

  it('seals with the engine TSA, audits with a progress bar, writes a statement and an export that checks offline', async () => {
    const seal = await passeport('vault', 'seal');
    expect(seal.stderr).toBe('');
    expect(seal.stdout).toMatch(/^Sceau SC-000001 : entrées 1 à \d+, horodaté le /);
    const audit = await passeport('vault', 'audit', '--progress');
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/coffre-fort conforme/);
    expect(audit.stderr).toMatch(/Objets\s+\[#{30}\] \d+\/\d+ [\d.]+ Mo\/s/);
    const statement = await passeport('vault', 'statement', objectId, '--out', 'attestation.pdf');
    expect(statement.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'attestation.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    const exported = await passeport('vault', 'export', '--dossier', 'D-CLI-1', '--out', 'export', '--tar', 'export.tar');
    expect(exported.code, exported.stderr).toBe(0);
    const check = spawnSync('/bin/sh', [path.join(dir, 'export', 'verifier.sh')], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(check.stdout).toMatch(/RÉSULTAT : export conforme\n$/);
    expect(check.status).toBe(0);
  });

  it('refuses an early disposal (3), holds and releases with a reason, verifies an object', async () => {
    const early = await passeport('vault', 'dispose', objectId, '--reason', 'fin de contrat');
    expect(early.code).toBe(3);
    expect(early.stderr).toMatch(/^Erreur : L'objet .* est conservé jusqu'au \d{4}-\d\d-\d\d : sa destruction est refusée/);
    expect((await passeport('vault', 'hold', objectId, '--reason', 'réquisition judiciaire')).stdout).toMatch(/Gel juridique n° \d+ posé/);
    expect((await passeport('vault', 'release', objectId, '--reason', 'mainlevée')).code).toBe(0);
    expect((await passeport('vault', 'release', objectId, '--reason', 'encore')).code).toBe(3);
    const verify = await passeport('vault', 'verify', objectId);
    expect(verify.stdout).toBe(`Objet ${objectId} : conforme.\n`);
    const journal = await passeport('vault', 'journal', '--object', objectId, '--json');
    expect(JSON.parse(journal.stdout).map((e: { operation: string; outcome: string }) => `${e.operation}:${e.outcome}`)).toEqual(
      expect.arrayContaining(['deposit:ok', 'read:ok', 'dispose:refused', 'hold:ok', 'release:ok', 'release:refused', 'verify:ok']),
    );
  });

  it('answers bad input with a French message and a stable exit code', async () => {
    const noClass = await passeport('vault', 'deposit', 'contrat.pdf');
    expect(noClass.code).toBe(2);
    const badSiren = await passeport('vault', 'deposit', 'contrat.pdf', '--class', 'contrat', '--siren', '123456789');
    expect(badSiren.code).toBe(2);
    expect(badSiren.stderr).toMatch(/SIREN invalide/);
    const missing = await passeport('vault', 'deposit', 'absent.pdf', '--class', 'contrat');
    expect(missing).toMatchObject({ code: 2, stderr: 'Erreur : impossible de lire le fichier « absent.pdf ».\n' });
    const unknown = await passeport('vault', 'show', 'CF-aaaaaaaaaaaaaaaaaaaaaaaaaa-01');
    expect(unknown.code).toBe(4);
    const badDate = await passeport('vault', 'list', '--from', 'hier');
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/--from : date invalide/);
  });

  it('exits with 5 and names the object when the audit finds a damaged copy', async () => {
    const sha = JSON.parse((await passeport('vault', 'show', objectId, '--json')).stdout).sha512 as string;
    const file = path.join(secondDir, 'objects', sha.slice(0, 2), sha);
    fs.chmodSync(file, 0o644);
    fs.appendFileSync(file, 'x');
    const audit = await passeport('vault', 'audit', '--no-signatures');
    expect(audit.code).toBe(5);
    expect(audit.stdout).toContain(`ANOMALIE : objet ${objectId} (contrat.pdf) : la copie de ${secondDir} est altérée`);
  });
});
