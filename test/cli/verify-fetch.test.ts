import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/db.ts';
import { makeDataDir } from '../support/data-dir.ts';
import { freePort } from '../../processes/free-port.ts';
import { boundedRevocationFetcher } from '../../cli/revocation-fetch.ts';
import { passeport as run, repo, startPkiServices } from './support.ts';

let dir: string;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let env: NodeJS.ProcessEnv;
let services: Awaited<ReturnType<typeof startPkiServices>> | undefined;
const passeport = (...args: string[]) => run(dir, env, ...args);

beforeAll(async () => {
  dir = makeDataDir('verify-fetch');
  db = await createTestDatabase();
  env = {
    ...process.env,
    DATABASE_URL: db.url,
    DATA_DIR: path.join(dir, 'data'),
    PUBLIC_URL: `http://127.0.0.1:${await freePort()}`,
    PASSEPORT_P12_PASSPHRASE: 'phrase de passe longue',
  };
  delete env.PASSEPORT_CA_SECRET;
  delete env.API_PORT;
}, 120_000);
afterAll(async () => {
  services?.process.kill('SIGTERM');
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Report {
  passed: boolean;
  reports: { indication: string; signatures: { padesLevel: string | null; reasons: string[] }[] }[];
}

describe('passeport verify --fetch', () => {
  it('a B-T file made against the PKI services fails offline and passes with --fetch', { timeout: 300_000 }, async () => {
    expect((await passeport('pki', 'init', '--ca-key', 'ec256')).code).toBe(0);
    const issued = await passeport(
      'pki',
      'issue',
      '--level',
      '1',
      '--name',
      'Jeanne Créatrice',
      '--org',
      'Atelier Jeanne',
      '--siren',
      '732829320',
      '--key',
      'ec256',
      '--out',
      'jeanne.p12',
    );
    expect(issued.stderr).toBe('');
    expect((await passeport('pki', 'export-root', '--out', 'racine.pem')).code).toBe(0);
    services = await startPkiServices(dir, env);

    const signed = await passeport(
      'sign',
      path.join(repo, 'test/fixtures/pades/unsigned.pdf'),
      '--out',
      'contrat-bt.pdf',
      '--level',
      'B-T',
      '--p12',
      'jeanne.p12',
      '--tsa',
      `${env.PUBLIC_URL}/tsa`,
    );
    expect(signed.stderr).toBe('');
    expect(signed.code).toBe(0);

    const offline = await passeport('verify', 'contrat-bt.pdf', '--trust', 'racine.pem', '--json');
    expect(offline.code).toBe(1);
    const offlineReport = JSON.parse(offline.stdout) as Report;
    expect(offlineReport.reports[0]!.indication).toBe('INDETERMINATE');
    expect(offlineReport.reports[0]!.signatures[0]!.reasons.join('\n')).toMatch(/révocation/);

    const online = await passeport('verify', 'contrat-bt.pdf', '--trust', 'racine.pem', '--fetch', '--json');
    expect(online.stderr).toBe('');
    expect(online.code).toBe(0);
    const report = JSON.parse(online.stdout) as Report;
    expect(report.passed).toBe(true);
    expect(report.reports[0]).toMatchObject({ indication: 'TOTAL_PASSED', signatures: [{ padesLevel: 'B-T' }] });
  });
});

describe('the fetcher behind --fetch is bounded', () => {
  let server: http.Server;
  let base: string;
  let hits = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits++;
      if (req.url!.startsWith('/lent.crl')) return; // never answers
      if (req.url === '/enorme.crl') {
        res.writeHead(200); // no content-length: the size shows only while reading
        const chunk = Buffer.alloc(1 << 20);
        let sent = 0;
        const more = (): void => {
          while (sent < 64 && res.write(chunk)) sent++;
          if (sent < 64) res.once('drain', more);
          else res.end();
        };
        more();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(Buffer.from('une LCR'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const bounds = { perFetchMs: 500, maxBytes: 1 << 20, totalMs: 1_500, maxFetches: 4 };

  it('gives up on a server that never answers, within the time per fetch', async () => {
    const started = Date.now();
    await expect(boundedRevocationFetcher(bounds)(`${base}/lent.crl`, 'crl')).rejects.toThrow(`${base}/lent.crl n’a pas répondu en 0,5 s`);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('stops reading an answer past the size bound', async () => {
    await expect(boundedRevocationFetcher(bounds)(`${base}/enorme.crl`, 'crl')).rejects.toThrow('réponse de plus de 1 Mio, abandonnée');
  });

  it('fetches an address once per command, and no more than the bounds allow', async () => {
    const fetcher = boundedRevocationFetcher(bounds);
    const before = hits;
    expect(Buffer.from((await fetcher(`${base}/a.crl`, 'crl'))!).toString()).toBe('une LCR');
    await fetcher(`${base}/a.crl`, 'crl');
    expect(hits - before).toBe(1);
    for (const name of ['b', 'c', 'd']) await fetcher(`${base}/${name}.crl`, 'crl');
    await expect(fetcher(`${base}/e.crl`, 'crl')).rejects.toThrow('plus de 4 téléchargements');
    await expect(fetcher('file:///etc/passwd', 'crl')).rejects.toThrow('adresse non prise en charge');
  });

  it('stops every download once the time for the whole command is spent', async () => {
    const fetcher = boundedRevocationFetcher(bounds);
    await expect(fetcher(`${base}/lent.crl`, 'crl')).rejects.toThrow();
    await expect(fetcher(`${base}/lent.crl?encore`, 'crl')).rejects.toThrow();
    await expect(fetcher(`${base}/lent.crl?toujours`, 'crl')).rejects.toThrow(/temps total de téléchargement épuisé|n’a pas répondu en 0,\d+ s/);
    await expect(fetcher(`${base}/a.crl?tard`, 'crl')).rejects.toThrow('temps total de téléchargement épuisé (1,5 s)');
  });
});
