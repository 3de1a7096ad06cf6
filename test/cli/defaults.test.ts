import { execFile, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/db.ts';
import { freePort } from '../../processes/free-port.ts';
import { passeport as run, repo, startPkiServices } from './support.ts';

// Relative, as a newcomer writes it: resolved from the project's root, never from the current directory.
const relativeDataDir = `tmp/defaults-${crypto.randomBytes(4).toString('hex')}`;
const dataDir = path.join(repo, relativeDataDir);
const elsewhere = [fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-ailleurs-')), fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-autre-'))];
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let apiPort: number;
let server: ChildProcess | undefined;

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, DATA_DIR: relativeDataDir, API_PORT: String(apiPort), PASSEPORT_P12_PASSPHRASE: 'phrase de passe longue' };
  delete e.PUBLIC_URL;
  delete e.PASSEPORT_CA_SECRET;
  return e;
}

const passeport = (cwd: string, ...args: string[]) => run(cwd, env(), ...args);

beforeAll(async () => {
  db = await createTestDatabase();
  apiPort = await freePort();
});
afterAll(async () => {
  server?.kill('SIGTERM');
  await db?.drop();
  for (const dir of [dataDir, ...elsewhere]) fs.rmSync(dir, { recursive: true, force: true });
});

describe('defaults that meet, from any folder', { timeout: 300_000 }, () => {
  it('a relative DATA_DIR is the same folder from anywhere, and init says which', async () => {
    const init = await passeport(elsewhere[0]!, 'pki', 'init', '--ca-key', 'ec256');
    expect(init.stderr).toBe('');
    expect(init.stdout).toContain(`Dossier des données : ${dataDir}`);
    expect(fs.existsSync(path.join(dataDir, 'ca-secret'))).toBe(true);
    expect(fs.readdirSync(elsewhere[0]!)).toEqual([]);
    // Issuing needs the CA keys, sealed with the secret under DATA_DIR: found from another folder too.
    const issue = await passeport(
      elsewhere[1]!,
      'pki',
      'issue',
      '--level',
      '1',
      '--name',
      'Jean Dupont',
      '--org',
      'SARL Dupont',
      '--siren',
      '732829320',
      '--key',
      'ec256',
      '--out',
      'jean.p12',
    );
    expect(issue.stderr).toBe('');
    expect(issue.code).toBe(0);
    expect(fs.readdirSync(elsewhere[1]!)).toEqual(['jean.p12']);
  });

  it('pki serve listens, by default, where the certificates point', async () => {
    const chain = path.join(elsewhere[0]!, 'ac.pem');
    expect((await passeport(elsewhere[0]!, 'pki', 'export-root', '--out', path.join(elsewhere[0]!, 'racine.pem'), '--chain', chain)).code).toBe(0);
    const text = await new Promise<string>((resolve, reject) =>
      execFile('openssl', ['x509', '-in', chain, '-noout', '-ext', 'crlDistributionPoints'], (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    const crlUrl = /URI:(\S+)/.exec(text)![1]!;
    expect(crlUrl).toBe(`http://127.0.0.1:${apiPort}/pki/crl/root.crl`);

    const services = await startPkiServices(elsewhere[1]!, env());
    server = services.process;
    expect(services.output()).toContain(`dossier des données : ${dataDir}`);
    const crl = await fetch(crlUrl);
    expect(crl.status).toBe(200);
    expect(crl.headers.get('content-type')).toBe('application/pkix-crl');
  });

  it('every installed package runs on the lowest Node version package.json admits', () => {
    const require = createRequire(import.meta.url);
    const semver = require('semver') as { minVersion(range: string): { version: string } | null; satisfies(version: string, range: string): boolean };
    const own = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { engines: { node: string } };
    const lowest = semver.minVersion(own.engines.node)!.version;
    expect(semver.satisfies(process.versions.node, own.engines.node)).toBe(true);
    const lock = JSON.parse(fs.readFileSync(path.join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; engines?: { node?: string } }> };
    const refusing = Object.entries(lock.packages)
      .filter(([name, info]) => name !== '' && info.engines?.node && !semver.satisfies(lowest, info.engines.node))
      .map(([name, info]) => `${name}@${info.version} (node ${info.engines!.node})`);
    expect(refusing).toEqual([]);
  });
});
