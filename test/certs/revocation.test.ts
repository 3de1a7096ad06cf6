import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import Fastify, { type FastifyInstance } from 'fastify';
import { createTestDatabase } from '../support/db.ts';
import { revokeCertificate } from '../../certs/revocation/revoke.ts';
import { generateCrl, currentCrl } from '../../certs/revocation/crl.ts';
import { engineCaLoader, type CaLoader } from '../../certs/revocation/issuing-ca.ts';
import { pkiRoutes } from '../../api/routes/pki.ts';
import { enginePkiServices } from '../../certs/services.ts';
import { PkiError } from '../../certs/errors.ts';
import { initTestPki, issueTestCertificate, writePem, TEST_SECRET } from './revocation-support.ts';
import { tempDir } from './tsa-support.ts';
import { pkiStore } from '../../db/repositories/pki.ts';

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

let db: Db;
let dir: string;
let loadCa: CaLoader;
let app: FastifyInstance;
let baseUrl: string;
let rootPem: string;
let rgs1Pem: string;
let caFilePem: string;

/** Asynchronous: openssl ocsp calls back into this process's server. */
function openssl(args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile('openssl', args, { encoding: 'utf8', timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : -1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  dir = tempDir('passeport-revocation-');
  await initTestPki(db.sql);
  loadCa = engineCaLoader(pkiStore(db.sql), { secret: TEST_SECRET });
  const root = await loadCa('root');
  const rgs1 = await loadCa('rgs1');
  rootPem = writePem(dir, 'root.pem', root.certificate);
  rgs1Pem = writePem(dir, 'rgs1.pem', rgs1.certificate);
  caFilePem = writePem(dir, 'cafile.pem', rgs1.certificate, root.certificate);
  app = Fastify();
  // The engine's wiring: delegated OCSP responders and the TSA unit issued on first use.
  await app.register(pkiRoutes, enginePkiServices(pkiStore(db.sql), { secret: TEST_SECRET, serviceKeyType: 'ec256' }));
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function fetchCrl(ca: string): Promise<{ file: string; text: string; response: Response }> {
  const response = await fetch(`${baseUrl}/pki/crl/${ca}.crl`);
  const file = path.join(dir, `${ca}-${Date.now()}-${Math.random()}.crl`);
  fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  const text = (await openssl(['crl', '-inform', 'DER', '-in', file, '-text', '-noout', '-CAfile', caFilePem])).out;
  return { file, text, response };
}

const crlNumber = (text: string): number => Number(/X509v3 CRL Number:\s*\n\s*(\d+)/.exec(text)?.[1]);

describe('revocation', () => {
  it('refuses unknown serials, unknown reasons and a second revocation with clear errors', async () => {
    const cert = await issueTestCertificate(db.sql, 'rgs1', 'Camille Refus');
    await expect(revokeCertificate(pkiStore(db.sql), { caName: 'rgs1', serialHex: 'abcdef0123', reason: 'keyCompromise', operator: 'op' })).rejects.toMatchObject({
      code: 'UNKNOWN_CERTIFICATE',
      message: expect.stringContaining('Aucun certificat'),
    });
    await expect(revokeCertificate(pkiStore(db.sql), { caName: 'rgs1', serialHex: 'zz', reason: 'keyCompromise', operator: 'op' })).rejects.toMatchObject({
      code: 'INVALID_SERIAL',
    });
    await expect(revokeCertificate(pkiStore(db.sql), { caName: 'rgs1', serialHex: cert.serial, reason: 'stolen', operator: 'op' })).rejects.toMatchObject({
      code: 'INVALID_REASON',
    });
    await expect(revokeCertificate(pkiStore(db.sql), { caName: 'rgs2', serialHex: cert.serial, reason: 'superseded', operator: 'op' })).rejects.toMatchObject({
      code: 'UNKNOWN_CERTIFICATE',
    });
    const first = await revokeCertificate(pkiStore(db.sql), { caName: 'rgs1', serialHex: cert.serial.toUpperCase(), reason: 'superseded', operator: 'op' });
    expect(first.serialHex).toBe(cert.serial);
    const again = revokeCertificate(pkiStore(db.sql), { caName: 'rgs1', serialHex: cert.serial, reason: 'keyCompromise', operator: 'op' });
    await expect(again).rejects.toBeInstanceOf(PkiError);
    await expect(again).rejects.toMatchObject({ code: 'ALREADY_REVOKED', message: expect.stringContaining('déjà révoqué') });
  });

  it('publishes v2 CRLs openssl verifies, with increasing numbers, AKI, reasons and invalidity dates', async () => {
    const cert = await issueTestCertificate(db.sql, 'rgs1', 'Camille Martin');
    const before = await fetchCrl('rgs1');
    expect(before.response.status).toBe(200);
    expect(before.response.headers.get('content-type')).toBe('application/pkix-crl');
    expect(before.text).toContain('verify OK');
    expect(before.text).toContain('Version 2');
    expect(before.text).toContain('X509v3 Authority Key Identifier');
    expect(before.text).not.toContain(cert.serial.toUpperCase());
    // Served from the cache while nothing changes.
    const same = await fetchCrl('rgs1');
    expect(crlNumber(same.text)).toBe(crlNumber(before.text));

    const invalidity = new Date(Date.now() - 3 * 86400_000);
    await revokeCertificate(pkiStore(db.sql), { caName: 'rgs1', serialHex: cert.serial, reason: 'keyCompromise', invalidityDate: invalidity, operator: 'agent 7' });
    const after = await fetchCrl('rgs1');
    expect(after.text).toContain('verify OK');
    expect(crlNumber(after.text)).toBeGreaterThan(crlNumber(before.text));
    const entry = after.text.slice(after.text.indexOf(`Serial Number: ${cert.serial.toUpperCase()}`));
    expect(entry).toContain(`Serial Number: ${cert.serial.toUpperCase()}`);
    expect(entry).toMatch(/X509v3 CRL Reason Code:\s*\n\s*Key Compromise/);
    expect(entry).toMatch(/Invalidity Date:\s*\n\s*\w{3}\s+\d+ \d\d:\d\d:\d\d \d{4} GMT/);
    expect(after.text).toMatch(/Next Update: \w{3}\s+\d+ \d\d:\d\d:\d\d \d{4} GMT/);

    // A CRL checked against the wrong CA must fail: openssl really verifies.
    const wrong = await openssl(['crl', '-inform', 'DER', '-in', after.file, '-noout', '-CAfile', rootPem]);
    expect(wrong.out).not.toContain('verify OK');

    // Forced publication: number goes on increasing; nextUpdate follows the configured period.
    const ca = await loadCa('rgs1');
    const forced = await generateCrl(pkiStore(db.sql), 'rgs1', { periodSeconds: 7200, secret: TEST_SECRET });
    expect(forced.crlNumber).toBe(BigInt(crlNumber(after.text)) + 1n);
    expect(forced.nextUpdate.getTime() - forced.thisUpdate.getTime()).toBe(7200_000);
    // Near its nextUpdate the current CRL is regenerated.
    const later = await currentCrl(pkiStore(db.sql), ca, { periodSeconds: 7200, now: new Date(forced.nextUpdate.getTime() - 60_000) });
    expect(later.crlNumber).toBe(forced.crlNumber + 1n);
  });

  it('answers OCSP good then revoked to openssl ocsp, with the nonce echoed and the signature verified', async () => {
    const cert = await issueTestCertificate(db.sql, 'rgs1', 'Dominique Ocsp');
    const certPem = writePem(dir, 'leaf.pem', cert.der);
    const ask = async (): Promise<string> => (await openssl(['ocsp', '-issuer', rgs1Pem, '-cert', certPem, '-url', `${baseUrl}/pki/ocsp`, '-CAfile', caFilePem, '-resp_text'])).out;
    const good = await ask();
    expect(good).toContain('Response verify OK');
    expect(good).toContain(`${certPem}: good`);
    expect(good).not.toMatch(/WARNING: no nonce in response|nonce verify error/i);
    expect(good).toContain('OCSP Nonce');
    // Signed by the delegated responder of rgs1, not by the CA key.
    expect(good).toContain('OCSP Signing');
    expect(good).toContain('OCSP No Check');

    await revokeCertificate(pkiStore(db.sql), { caName: 'rgs1', serialHex: cert.serial, reason: 'keyCompromise', operator: 'agent 7' });
    const revoked = await ask();
    expect(revoked).toContain('Response verify OK');
    expect(revoked).toContain(`${certPem}: revoked`);
    expect(revoked).toMatch(/Reason: keyCompromise/);
    expect(revoked).toMatch(/Revocation Time: \w{3}\s+\d+ \d\d:\d\d:\d\d \d{4} GMT/);

    // RFC 6960 A.1 GET form, with a request openssl wrote.
    const reqFile = path.join(dir, 'get.ocspreq');
    await openssl(['ocsp', '-issuer', rgs1Pem, '-cert', certPem, '-reqout', reqFile]);
    const encoded = encodeURIComponent(fs.readFileSync(reqFile).toString('base64'));
    const viaGet = await fetch(`${baseUrl}/pki/ocsp/${encoded}`);
    expect(viaGet.headers.get('content-type')).toBe('application/ocsp-response');
    const respFile = path.join(dir, 'get.ocspresp');
    fs.writeFileSync(respFile, Buffer.from(await viaGet.arrayBuffer()));
    // (no -cert here: openssl would build a second request with its own nonce)
    const getText = (await openssl(['ocsp', '-respin', respFile, '-reqin', reqFile, '-CAfile', caFilePem, '-resp_text'])).out;
    expect(getText).toContain('Response verify OK');
    expect(getText).toContain('Cert Status: revoked');
    expect(getText).not.toContain('Nonce Verify error');

    // SHA-256 CertIDs are recognised too.
    const sha256 = (await openssl(['ocsp', '-sha256', '-issuer', rgs1Pem, '-cert', certPem, '-url', `${baseUrl}/pki/ocsp`, '-CAfile', caFilePem])).out;
    expect(sha256).toContain(`${certPem}: revoked`);
  });

  it('answers for the issuing CAs themselves with the root key', async () => {
    const out = (await openssl(['ocsp', '-issuer', rootPem, '-cert', rgs1Pem, '-url', `${baseUrl}/pki/ocsp`, '-CAfile', rootPem, '-resp_text'])).out;
    expect(out).toContain('Response verify OK');
    expect(out).toContain(`${rgs1Pem}: good`);
    expect(out).not.toContain('OCSP Signing');
  });

  it('serves the TSA unit of the engine: openssl ts -verify accepts its tokens', async () => {
    const data = path.join(dir, 'doc.txt');
    fs.writeFileSync(data, 'contrat de location financière');
    const queryFile = path.join(dir, 'engine.tsq');
    await openssl(['ts', '-query', '-data', data, '-sha256', '-cert', '-out', queryFile]);
    const response = await fetch(`${baseUrl}/tsa`, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: fs.readFileSync(queryFile),
    });
    expect(response.status).toBe(200);
    const replyFile = path.join(dir, 'engine.tsr');
    fs.writeFileSync(replyFile, Buffer.from(await response.arrayBuffer()));
    const tsaCa = await loadCa('tsa');
    const chain = writePem(dir, 'tsa-chain.pem', tsaCa.certificate);
    const verified = await openssl(['ts', '-verify', '-queryfile', queryFile, '-in', replyFile, '-CAfile', rootPem, '-untrusted', chain]);
    expect(verified.out).toContain('Verification: OK');
  });

  it('says unknown for a serial the CA never issued, and malformedRequest for garbage', async () => {
    const other = await issueTestCertificate(db.sql, 'rgs2', 'Autre Ac');
    const otherPem = writePem(dir, 'other.pem', other.der);
    // Claim rgs1 issued it: the CertID matches rgs1, the serial is not in its register.
    const unknown = (await openssl(['ocsp', '-issuer', rgs1Pem, '-serial', `0x${other.serial}`, '-url', `${baseUrl}/pki/ocsp`, '-CAfile', caFilePem])).out;
    expect(unknown).toContain(': unknown');
    expect(otherPem).toBeTruthy();

    for (const body of [Buffer.from('pas une requête OCSP'), Buffer.from([0x30, 0x03, 0x30, 0x01]), Buffer.from([0x30, 0x02, 0x30, 0x00])]) {
      const response = await fetch(`${baseUrl}/pki/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/ocsp-response');
      expect(Buffer.from(await response.arrayBuffer()).toString('hex')).toBe('30030a0101');
    }
  });

  it('serves CA certificates and 404s for unknown CAs', async () => {
    const response = await fetch(`${baseUrl}/pki/ca/rgs1.cer`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pkix-cert');
    const file = path.join(dir, 'served.cer');
    fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
    expect((await openssl(['x509', '-inform', 'DER', '-in', file, '-noout', '-subject'])).out).toContain('Passeport AC Personnes RGS *');
    for (const url of ['/pki/crl/nope.crl', '/pki/ca/nope.cer', '/pki/crl/rgs1.pem']) {
      const missing = await fetch(`${baseUrl}${url}`);
      expect(missing.status, url).toBe(404);
      expect(missing.headers.get('content-type'), url).toContain('application/problem+json');
    }
  });
});
