import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createTestDatabase } from '../support/db.ts';
import { initTestPki, issueTestCertificate, writePem, TEST_SECRET } from './revocation-support.ts';
import { engineCaLoader } from '../../certs/revocation/issuing-ca.ts';
import { tempDir } from './tsa-support.ts';
import { cli, root } from '../support/cli.ts';
import { pkiStore } from '../../db/repositories/pki.ts';

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

let db: Db;
let dir: string;
let env: NodeJS.ProcessEnv;
let server: ChildProcess | null = null;

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: root, env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const passeport = (...args: string[]) => run(...cli(...args));

/** Node processes whose parent is `pid`. */
function childProcesses(pid: number): string[] {
  const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return children ? children.split(/\s+/) : [];
}

beforeAll(async () => {
  db = await createTestDatabase();
  dir = tempDir('passeport-pki-cli-');
  env = { ...process.env, DATABASE_URL: db.url, PASSEPORT_CA_SECRET: TEST_SECRET, DATA_DIR: dir, LOG_LEVEL: 'silent' };
  await initTestPki(db.sql);
});

afterAll(async () => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('passeport pki revoke | crl | serve', () => {
  // Each CLI run loads every command family: allow for loaded shared cores.
  it('revokes, refuses a second revocation, writes the CRL that lists it', { timeout: 150_000 }, async () => {
    const cert = await issueTestCertificate(db.sql, 'rgs1', 'Camille Cli');
    const revoked = await passeport('pki', 'revoke', '--ca', 'rgs1', '--serial', cert.serial, '--reason', 'keyCompromise', '--operator', 'agent 9', '--json');
    expect(revoked.stderr).toBe('');
    expect(revoked.code).toBe(0);
    const json = JSON.parse(revoked.stdout) as { serial: string; reason: string; crlNumber: string; operator: string };
    expect(json).toMatchObject({ serial: cert.serial, reason: 'keyCompromise', operator: 'agent 9' });

    const again = await passeport('pki', 'revoke', '--ca', 'rgs1', '--serial', cert.serial, '--reason', 'superseded');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('déjà révoqué');

    const file = path.join(dir, 'rgs1.crl');
    const written = await passeport('pki', 'crl', '--ca', 'rgs1', '--out', file, '--json');
    expect(written.code).toBe(0);
    expect(JSON.parse(written.stdout).crlNumber).toBe(json.crlNumber);
    const text = await run('openssl', ['crl', '-inform', 'DER', '-in', file, '-noout', '-text']);
    expect(text.stdout).toContain(`Serial Number: ${cert.serial.toUpperCase()}`);
    expect(text.stdout).toContain('Key Compromise');
  });

  it('serves the CRL, the CA certificates and the TSA alone, and stops on SIGTERM', { timeout: 150_000 }, async () => {
    // The real entry point: the signal must reach the command itself, not a launcher that relays it.
    server = spawn(path.join(root, 'passeport'), ['pki', 'serve', '--port', '0'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`pas de démarrage : ${output}`)), 100_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /à l’écoute sur (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      server!.stdout!.on('data', onData);
      server!.stderr!.on('data', onData);
    });
    const crl = await fetch(`${url}/pki/crl/rgs1.crl`);
    expect(crl.status).toBe(200);
    expect(crl.headers.get('content-type')).toBe('application/pkix-crl');
    const ca = await fetch(`${url}/pki/ca/root.cer`);
    expect(ca.headers.get('content-type')).toBe('application/pkix-cert');
    // Refusals are the API's problem+json, written by its one handler, even with the routes served alone.
    const unknown = await fetch(`${url}/pki/crl/inconnue.crl`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect(await unknown.json()).toMatchObject({
      type: 'https://passeport.example/problems/not-found',
      status: 404,
      instance: '/pki/crl/inconnue.crl',
      detail: expect.stringContaining('AC inconnue « inconnue »'),
    });

    const data = path.join(dir, 'data.txt');
    fs.writeFileSync(data, 'bon pour accord');
    const queryFile = path.join(dir, 'q.tsq');
    await run('openssl', ['ts', '-query', '-data', data, '-sha512', '-cert', '-out', queryFile]);
    const reply = await fetch(`${url}/tsa`, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: fs.readFileSync(queryFile) });
    const replyFile = path.join(dir, 'r.tsr');
    fs.writeFileSync(replyFile, Buffer.from(await reply.arrayBuffer()));
    const loadCa = engineCaLoader(pkiStore(db.sql), { secret: TEST_SECRET });
    const rootPem = writePem(dir, 'root.pem', (await loadCa('root')).certificate);
    const chainPem = writePem(dir, 'chain.pem', (await loadCa('tsa')).certificate);
    const verified = await run('openssl', ['ts', '-verify', '-data', data, '-in', replyFile, '-CAfile', rootPem, '-untrusted', chainPem]);
    expect(verified.stdout).toContain('Verification: OK');

    // ./passeport execs node on the compiled CLI's launcher: the signal reaches the command itself.
    expect(fs.readFileSync(`/proc/${server.pid}/cmdline`, 'utf8').split('\0')).toContain(path.join(root, 'cli/launch.mjs'));
    expect(childProcesses(server.pid!), 'no process between the signal and the command').toEqual([]);
    const exited = new Promise<number | null>((resolve) => server!.once('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('Services PKI arrêtés.');
  });
});
