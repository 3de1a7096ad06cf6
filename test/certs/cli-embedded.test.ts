import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openssl } from './pki-support.ts';
import { cli } from '../support/cli.ts';
import { makeDataDir } from '../support/data-dir.ts';

const dir = makeDataDir('pki-cli-embedded');

function passeport(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const base: Record<string, string | undefined> = { ...process.env, DATA_DIR: path.join(dir, 'data'), ...env };
  // No DATABASE_URL: the CLI must start its embedded PostgreSQL under DATA_DIR.
  for (const name of ['DATABASE_URL', 'PASSEPORT_CA_SECRET', 'PASSEPORT_P12_PASSPHRASE', 'PASSEPORT_PIN']) if (!(name in env)) delete base[name];
  return new Promise((resolve) => {
    const [command, argv] = cli('pki', ...args);
    execFile(command, argv, { cwd: dir, env: base, timeout: 150_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('passeport pki on the embedded database', () => {
  it('init and issue work without DATABASE_URL, on the embedded PostgreSQL under DATA_DIR', { timeout: 300_000 }, async () => {
    const init = await passeport(['init', '--ca-key', 'ec256', '--json']);
    expect(init.stderr).toBe('');
    expect(JSON.parse(init.stdout).created).toHaveLength(6);
    expect(fs.existsSync(path.join(dir, 'data', 'postgres', 'data', 'PG_VERSION'))).toBe(true);
    const issue = await passeport(
      ['issue', '--level', '1', '--name', 'Jean Dupont', '--org', 'SARL Dupont', '--siren', '732829320', '--key', 'ec256', '--out', 'jean.p12', '--json'],
      { PASSEPORT_P12_PASSPHRASE: 'phrase de passe longue' },
    );
    expect(issue.stderr).toBe('');
    expect(JSON.parse(issue.stdout)).toMatchObject({ level: 1, ca: 'rgs1', subject: 'C=FR, O=SARL Dupont, OU=0002 732829320, CN=Jean Dupont' });
    expect(openssl(['pkcs12', '-in', path.join(dir, 'jean.p12'), '-info', '-noout', '-passin', 'pass:phrase de passe longue']).status).toBe(0);
  });
});
