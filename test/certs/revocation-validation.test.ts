import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import crypto from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { createTestDatabase } from '../support/db.ts';
import { pkiRoutes } from '../../api/routes/pki.ts';
import { enginePkiServices } from '../../certs/services.ts';
import { revokeCertificate } from '../../certs/revocation/revoke.ts';
import { engineCaLoader } from '../../certs/revocation/issuing-ca.ts';
import { createTsaClient } from '../../certs/tsa/client.ts';
import { validatePath, verifyTimestampToken, type RevocationFetcher } from '../../certs/validation/index.ts';
import { initTestPki, issueTestCertificate, TEST_SECRET } from './revocation-support.ts';
import { pkiStore } from '../../db/repositories/pki.ts';

/**
 * What this part produces, judged by the project's own verifier (certs/validation):
 * CRLs and OCSP answers fetched from the served URLs, TSA tokens with their chain.
 */
type Db = Awaited<ReturnType<typeof createTestDatabase>>;

let db: Db;
let app: FastifyInstance;
let baseUrl: string;
let root: Uint8Array;
let rgs1: Uint8Array;
const fetched: string[] = [];

// The certificates point at http://127.0.0.1:3000 (their public base URL): send those requests to this server.
const fetchRevocation: RevocationFetcher = async (url, kind, request) => {
  const target = url.replace(/^http:\/\/127\.0\.0\.1:3000/, baseUrl);
  fetched.push(`${kind} ${new URL(url).pathname}`);
  const response =
    kind === 'ocsp' && request
      ? await fetch(target, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: new Uint8Array(request) })
      : await fetch(target);
  return response.ok ? new Uint8Array(await response.arrayBuffer()) : null;
};

beforeAll(async () => {
  db = await createTestDatabase();
  await initTestPki(db.sql);
  const loadCa = engineCaLoader(pkiStore(db.sql), { secret: TEST_SECRET });
  root = (await loadCa('root')).certificate;
  rgs1 = (await loadCa('rgs1')).certificate;
  app = Fastify();
  await app.register(pkiRoutes, enginePkiServices(pkiStore(db.sql), { secret: TEST_SECRET, serviceKeyType: 'ec256' }));
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('revocation data as the verifier sees it', () => {
  it('a certificate is good, then REVOKED with its date, from the served CRL and OCSP', async () => {
    const cert = await issueTestCertificate(db.sql, 'rgs1', 'Claude Vérif');
    const input = { certificate: cert.der, intermediates: [rgs1], trustAnchors: [root], purpose: 'any' as const, fetchRevocation };
    const before = await validatePath({ ...input, time: new Date() });
    expect(before.reasons).toEqual([]);
    expect(before.indication).toBe('PASSED');
    expect(before.revocation.status).toBe('good');
    expect(fetched.length).toBeGreaterThan(0);

    const revocation = await revokeCertificate(pkiStore(db.sql), { caName: 'rgs1', serialHex: cert.serial, reason: 'keyCompromise', operator: 'test' });
    const after = await validatePath({ ...input, time: new Date(Date.now() + 2000) });
    expect(after.indication).toBe('FAILED');
    expect(after.subIndication).toBe('REVOKED');
    expect(after.revocation.status).toBe('revoked');
    expect(Math.abs(after.revocation.revokedAt!.getTime() - revocation.revokedAt.getTime())).toBeLessThan(1000);
    expect(after.revocation.reason).toMatch(/keyCompromise/i);

    // Each source alone says the same.
    const viaCrl = await fetchRevocation('http://127.0.0.1:3000/pki/crl/rgs1.crl', 'crl');
    const crlOnly = await validatePath({ ...input, fetchRevocation: undefined, crls: [viaCrl!], time: new Date(Date.now() + 2000) });
    expect(crlOnly.subIndication).toBe('REVOKED');
    expect(crlOnly.revocation.source).toBe('crl');
  });

  it('a token from the served TSA verifies with its chain and revocation', async () => {
    const data = crypto.randomBytes(1000);
    const token = await createTsaClient(`${baseUrl}/tsa`).timestamp(crypto.createHash('sha256').update(data).digest(), 'SHA-256');
    const result = await verifyTimestampToken(token, { data, trustAnchors: [root], fetchRevocation });
    expect(result.reasons).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.signatureValid).toBe(true);
    expect(result.essCertIdMatches).toBe(true);
    expect(result.accuracyMs).toBe(1000);
    expect(result.chain?.indication).toBe('PASSED');
  });
});
