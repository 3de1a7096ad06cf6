import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { softwareSigner } from '../../../certs/signers.ts';
import { createOcspResponder, type OcspResponder } from '../../../certs/revocation/ocsp.ts';
import type { TestPki } from './pki.ts';

const run = promisify(execFile);

export type TsaMode = 'ok' | 'http500' | 'reject';

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

export interface TestTsa extends TestServer {
  mode: TsaMode;
  requests: number;
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const closer = (server: http.Server) => () =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** An RFC 3161 TSA made of `openssl ts -reply` behind a tiny HTTP server. */
export async function startOpensslTsa(dir: string, pki: TestPki): Promise<TestTsa> {
  const d = fs.mkdtempSync(path.join(dir, 'tsa-'));
  fs.writeFileSync(path.join(d, 'tsa.pem'), pki.tsa.pem);
  fs.writeFileSync(path.join(d, 'tsa.key'), pki.tsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  fs.writeFileSync(path.join(d, 'chain.pem'), pki.tsa.pem + pki.ca.pem);
  fs.writeFileSync(path.join(d, 'serial'), '01\n');
  fs.writeFileSync(
    path.join(d, 'tsa.cnf'),
    `[ tsa ]\ndefault_tsa = t\n[ t ]\ndir = ${d}\nserial = ${d}/serial\ncrypto_device = builtin\nsigner_cert = ${d}/tsa.pem\ncerts = ${d}/chain.pem\nsigner_key = ${d}/tsa.key\nsigner_digest = sha256\ndefault_policy = 2.25.283787995737982372574867160881503373376.2\nother_policies = 0.4.0.2023.1.1\ndigests = sha256, sha384, sha512\naccuracy = secs:1\nordering = yes\ntsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n`,
  );
  let n = 0;
  const state = { mode: 'ok' as TsaMode, requests: 0 };
  const { server, url } = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      if (state.mode === 'http500') {
        res.writeHead(500).end('panne');
        return;
      }
      if (state.mode === 'reject') {
        // TimeStampResp { status { rejection(2) } }
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(Buffer.from([0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02]));
        return;
      }
      const q = path.join(d, `q${++n}.der`);
      const r = path.join(d, `r${n}.der`);
      fs.writeFileSync(q, Buffer.concat(chunks));
      run('openssl', ['ts', '-reply', '-config', path.join(d, 'tsa.cnf'), '-queryfile', q, '-out', r]).then(
        () => res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(fs.readFileSync(r)),
        () => res.writeHead(500).end(),
      );
    });
  });
  return Object.assign(state, { url, close: closer(server) });
}

/** Serves fixed files (CRLs, certificates) by path. */
export async function startFileServer(files: Map<string, () => Promise<Uint8Array> | Uint8Array>): Promise<TestServer & { hits: string[] }> {
  const hits: string[] = [];
  const { server, url } = await listen((req, res) => {
    hits.push(req.url ?? '');
    const f = files.get(req.url ?? '');
    if (!f) return void res.writeHead(404).end();
    Promise.resolve()
      .then(f)
      .then(
        (body) => res.writeHead(200).end(Buffer.from(body)),
        () => res.writeHead(500).end(),
      );
  });
  return { url, hits, close: closer(server) };
}

/** A port nothing listens on: opened then closed. */
export async function closedPortUrl(): Promise<string> {
  const { server, url } = await listen(() => undefined);
  await closer(server)();
  return url;
}

/**
 * An OCSP responder made of `openssl ocsp` (signed by the issuing CA) behind a tiny HTTP
 * server; `setGood` lists the certificates it reports as good and those it reports as
 * revoked (others are "unknown").
 */
type IndexedCert = { cert: { serialNumber: string; subject: string; notAfter: Date } };

export async function startOpensslOcsp(dir: string, pki: TestPki): Promise<TestServer & { requests: number; setGood(certs: IndexedCert[], revoked?: IndexedCert[]): void }> {
  const d = fs.mkdtempSync(path.join(dir, 'ocsp-'));
  fs.writeFileSync(path.join(d, 'ca.pem'), pki.ca.pem);
  fs.writeFileSync(path.join(d, 'ca.key'), pki.ca.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const stamp = (t: Date) => t.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  const line = (g: IndexedCert, revokedAt?: Date): string =>
    `${revokedAt ? 'R' : 'V'}\t${stamp(g.cert.notAfter)}\t${revokedAt ? stamp(revokedAt) : ''}\t${g.cert.serialNumber.toUpperCase()}\tunknown\t/${g.cert.subject.split(', ').reverse().join('/')}\n`;
  // openssl reads the index at every request: certificates issued after start can be added.
  const setGood = (good: IndexedCert[], revoked: IndexedCert[] = []): void =>
    fs.writeFileSync(path.join(d, 'index.txt'), [...good.map((g) => line(g)), ...revoked.map((r) => line(r, new Date(Date.now() - 60_000)))].join(''));
  setGood([]);
  let n = 0;
  const state = { requests: 0 };
  const { server, url } = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      const q = path.join(d, `q${++n}.der`);
      const r = path.join(d, `r${n}.der`);
      fs.writeFileSync(q, Buffer.concat(chunks));
      run('openssl', [
        'ocsp',
        '-index',
        path.join(d, 'index.txt'),
        '-CA',
        path.join(d, 'ca.pem'),
        '-rsigner',
        path.join(d, 'ca.pem'),
        '-rkey',
        path.join(d, 'ca.key'),
        '-reqin',
        q,
        '-respout',
        r,
        '-ndays',
        '1',
      ]).then(
        () => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(fs.readFileSync(r)),
        () => res.writeHead(500).end(),
      );
    });
  });
  return Object.assign(state, { url, close: closer(server), setGood });
}

/**
 * The engine's own OCSP responder (certs/revocation/ocsp.ts, as `passeport pki serve` runs it)
 * answering for the certificates the root issued, signed by the root key itself — what the
 * issuing CA's certificate meets in production. Every known serial is « good ».
 */
export async function startRootOcsp(pki: () => TestPki): Promise<TestServer & { requests: number }> {
  let responder: OcspResponder | undefined;
  const state = { requests: 0 };
  const { server, url } = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      const p = pki();
      responder ??= createOcspResponder({
        authorities: [{ ca: { name: 'racine', certificate: p.root.der, signer: softwareSigner(p.root.privateKey, p.root.der, []) } }],
        status: async () => ({ status: 'good' }),
      });
      void responder.respond(Buffer.concat(chunks)).then(
        (body) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(body),
        () => res.writeHead(500).end(),
      );
    });
  });
  return Object.assign(state, { url, close: closer(server) });
}
