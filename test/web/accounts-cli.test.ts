/** `passeport accounts create | list | disable` as an operator runs it, on a real database. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { createTestDatabase } from '../support/db.ts';
import { makeDataDir } from '../support/data-dir.ts';
import { seedDemo, DEMO } from '../../db/seed.ts';
import { findAccountByEmail, verifyPassword } from '../../db/repositories/accounts.ts';
import { findSession, openSession } from '../../db/repositories/sessions.ts';
import { DEFAULT_SESSION_LIMITS } from '../../web/session.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
const dataDir = makeDataDir('accounts-cli');

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.sql);
});
afterAll(async () => {
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function passeport(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const [command, argv] = cli('accounts', ...args);
  const full: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env };
  if (!('PASSEPORT_ACCOUNT_PASSWORD' in env)) delete full.PASSEPORT_ACCOUNT_PASSWORD;
  return new Promise((resolve) => {
    execFile(command, argv, { env: full, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe('passeport accounts', () => {
  it('creates an account with a generated password shown once, lists it, disables it and ends its sessions', async () => {
    const created = await passeport(['create', '--email', 'Marc.Petit@BPAlpes.demo', '--name', 'Marc Petit', '--role', 'banque', '--organisation', DEMO.banks.alpes]);
    expect(created.code, created.stderr).toBe(0);
    const password = /Mot de passe : (\S+)/.exec(created.stdout)?.[1];
    expect(password).toMatch(/^[\w-]{23}$/);
    expect(created.stderr).toMatch(/ne pourra plus être affiché/);
    const stored = await findAccountByEmail(db.sql, 'marc.petit@bpalpes.demo');
    expect(stored).toMatchObject({ role: 'bank', organisationId: DEMO.banks.alpes, displayName: 'Marc Petit' });
    expect(await verifyPassword(password!, stored!.passwordHash)).toBe(true);
    expect(stored!.passwordHash).not.toContain(password);

    const list = await passeport(['list', '--organisation', DEMO.banks.alpes]);
    expect(list.stdout).toMatch(/marc\.petit@bpalpes\.demo\s+banque\s+BPALPES\s+actif/);

    const { token } = await openSession(db.sql, stored!.id, DEFAULT_SESSION_LIMITS);
    expect(await findSession(db.sql, token, DEFAULT_SESSION_LIMITS)).not.toBeNull();
    const disabled = await passeport(['disable', 'marc.petit@bpalpes.demo']);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toMatch(/désactivé le/);
    expect(await findSession(db.sql, token, DEFAULT_SESSION_LIMITS)).toBeNull();
  });

  it('takes the password from PASSEPORT_ACCOUNT_PASSWORD, and registers a créateur’s company by its SIREN', async () => {
    const res = await passeport(
      ['create', '--email', 'nina@atelier.demo', '--name', 'Nina Roux', '--role', 'createur', '--organisation', '923456784', '--company-name', 'Atelier Roux', '--json'],
      { PASSEPORT_ACCOUNT_PASSWORD: 'un mot de passe assez long' },
    );
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.password).toBeUndefined();
    expect(out.account).toMatchObject({ role: 'creator', organisationId: '923456784', organisationName: 'Atelier Roux' });
  });

  it('refuses in French: an unknown role, a taken address, an organisation of the wrong kind, a short password', async () => {
    const role = await passeport(['create', '--email', 'x@x.demo', '--name', 'X', '--role', 'directeur', '--organisation', DEMO.banks.alpes]);
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/Rôle inconnu : directeur/);
    const taken = await passeport(['create', '--email', 'analyste@bpalpes.demo', '--name', 'Y', '--role', 'bank', '--organisation', DEMO.banks.alpes]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/Échec : Un compte existe déjà pour analyste@bpalpes\.demo/);
    const kind = await passeport(['create', '--email', 'z@z.demo', '--name', 'Z', '--role', 'revendeur', '--organisation', DEMO.banks.alpes]);
    expect(kind.stderr).toMatch(/ne convient pas à ce rôle : un revendeur attendu/);
    const short = await passeport(['create', '--email', 'w@w.demo', '--name', 'W', '--role', 'admin', '--organisation', DEMO.programme], { PASSEPORT_ACCOUNT_PASSWORD: 'court' });
    expect(short.stderr).toMatch(/au moins 12 caractères/);
    expect(await findAccountByEmail(db.sql, 'w@w.demo')).toBeNull();
  });
});
