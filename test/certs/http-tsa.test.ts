import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import Fastify, { type FastifyInstance } from 'fastify';
import { createTestDatabase } from '../support/db.ts';
import { createTimestampAuthority } from '../../certs/tsa/authority.ts';
import { createSerialAllocator } from '../../certs/tsa/serials.ts';
import { keyObjectSigner } from '../../certs/tsa/key-signer.ts';
import { createTsaClient, TsaClientError } from '../../certs/tsa/client.ts';
import { readTimestampToken } from '../../certs/tsa/token.ts';
import { pkiRoutes } from '../../api/routes/pki.ts';
import { enginePkiServices } from '../../certs/services.ts';
import { integer, octets, oid, seq } from '../../asn1/index.ts';
import { makeRoot, issue, TIME_STAMPING } from './tsa-support.ts';
import { pkiStore } from '../../db/repositories/pki.ts';

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

let db: Db;
let app: FastifyInstance;
let baseUrl: string;
const extraServers: http.Server[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const root = await makeRoot();
  const tsaCert = await issue(root, { name: 'CN=Test TSA HTTP,C=FR', eku: { usages: [TIME_STAMPING], critical: true } });
  const tsa = createTimestampAuthority({
    signer: keyObjectSigner(tsaCert.privateKey, tsaCert.der, [root.der]),
    serials: createSerialAllocator(pkiStore(db.sql), { blockSize: 64 }),
  });
  app = Fastify();
  await app.register(pkiRoutes, { tsa, bodyLimit: 4096 });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
  for (const server of extraServers) server.close();
  await db?.drop();
});

function query(): Buffer {
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: '2.16.840.1.101.3.4.2.1' }),
      hashedMessage: new asn1js.OctetString({ valueHex: crypto.randomBytes(32) }),
    }),
    nonce: new asn1js.Integer({ value: 123456 }),
    certReq: true,
  });
  return Buffer.from(request.toSchema().toBER());
}

const post = (body: Uint8Array, type = 'application/timestamp-query'): Promise<Response> =>
  fetch(`${baseUrl}/tsa`, { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(body) });

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  extraServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/tsa`;
}

describe('TSA over HTTP', () => {
  it('gives 1,000 concurrent requests 1,000 distinct serials', { timeout: 120_000 }, async () => {
    // Generous timeout: the whole burst queues at once on two shared cores.
    const client = createTsaClient(`${baseUrl}/tsa`, { timeoutMs: 110_000 });
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => client.timestamp(crypto.randomBytes(32), 'SHA-256')));
    // pkijs would take ~10 s for 1,000 tokens: the DER reader is checked against pkijs in the next test.
    const serials = tokens.map((token) => readTimestampToken(token).serialNumber);
    expect(new Set(serials).size).toBe(1000);
  });

  it('answers bad bodies with a rejection, a wrong type with 415 and an oversized body with 413', async () => {
    const garbage = await post(Buffer.from('ceci n’est pas une requête'));
    expect(garbage.status).toBe(200);
    expect(garbage.headers.get('content-type')).toBe('application/timestamp-reply');
    const rejection = pkijs.TimeStampResp.fromBER(await garbage.arrayBuffer());
    expect(rejection.status.status).toBe(2);

    const empty = await fetch(`${baseUrl}/tsa`, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' } });
    expect(empty.status).toBe(200);
    expect(pkijs.TimeStampResp.fromBER(await empty.arrayBuffer()).status.status).toBe(2);

    for (const type of ['application/json', 'text/plain', 'application/octet-stream']) {
      const wrong = await post(Buffer.from('{"a":1}'), type);
      expect(wrong.status, type).toBe(415);
      expect(wrong.headers.get('content-type')).toContain('application/problem+json');
      expect((await wrong.json()).detail).toContain('application/timestamp-query');
    }
    const tooBig = await post(crypto.randomBytes(5000));
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(`${baseUrl}/tsa`)).status).toBe(404);
  });

  it('the client returns a token whose imprint and nonce match, and reports rejections in French', async () => {
    const client = createTsaClient(`${baseUrl}/tsa`);
    const imprint = crypto.randomBytes(48);
    const token = await client.timestamp(imprint, 'SHA-384');
    const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(new Uint8Array(token)).content });
    const info = pkijs.TSTInfo.fromBER(signed.encapContentInfo.eContent!.getValue());
    expect(Buffer.from(info.messageImprint.hashedMessage.valueBlock.valueHexView).equals(imprint)).toBe(true);
    expect(info.nonce).toBeDefined();
    expect(signed.certificates?.length).toBe(2);
    const summary = readTimestampToken(token);
    expect(summary.serialNumber).toBe(BigInt(`0x${Buffer.from(info.serialNumber.valueBlock.valueHexView).toString('hex')}`));
    expect(summary.nonce).toBe(BigInt(`0x${Buffer.from(info.nonce!.valueBlock.valueHexView).toString('hex')}`));
    expect(summary.hashedMessage.equals(imprint)).toBe(true);
    expect(summary.certificateCount).toBe(2);

    const unknownPolicy = createTsaClient(`${baseUrl}/tsa`, { policyOid: '1.2.3.4' });
    await expect(unknownPolicy.timestamp(crypto.randomBytes(32), 'SHA-256')).rejects.toMatchObject({
      code: 'TSA_REJECTED',
      message: expect.stringMatching(/a refusé la demande \(statut 2, unacceptedPolicy\)/),
    });
    await expect(client.timestamp(crypto.randomBytes(20), 'SHA-256')).rejects.toMatchObject({ code: 'TSA_BAD_INPUT' });
  });

  it('the client fails clearly when the TSA is down, answers 500, or replays a stale token', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const down = createTsaClient(`http://127.0.0.1:${closed}/tsa`);
    const downError = await down.timestamp(crypto.randomBytes(32), 'SHA-256').catch((e: unknown) => e);
    expect(downError).toBeInstanceOf(TsaClientError);
    expect(downError).toMatchObject({ code: 'TSA_UNREACHABLE', message: expect.stringContaining('injoignable (connexion refusée)') });

    const failing = await listen((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
    });
    await expect(createTsaClient(failing).timestamp(crypto.randomBytes(32), 'SHA-256')).rejects.toMatchObject({
      code: 'TSA_HTTP_ERROR',
      message: expect.stringContaining('erreur HTTP 500'),
    });

    // A server that answers with a real but stale token (other imprint, other nonce).
    const stale = Buffer.from(await (await post(query())).arrayBuffer());
    const replaying = await listen((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(stale));
    });
    await expect(createTsaClient(replaying).timestamp(crypto.randomBytes(32), 'SHA-256')).rejects.toMatchObject({
      code: 'TSA_BAD_REPLY',
      message: expect.stringContaining('empreinte'),
    });
    const garbled = await listen((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end('<html>'));
    });
    await expect(createTsaClient(garbled).timestamp(crypto.randomBytes(32), 'SHA-256')).rejects.toMatchObject({ code: 'TSA_BAD_REPLY' });
    const slow = await listen(() => {});
    await expect(createTsaClient(slow, { timeoutMs: 300 }).timestamp(crypto.randomBytes(32), 'SHA-256')).rejects.toMatchObject({
      code: 'TSA_UNREACHABLE',
      message: expect.stringContaining('pas de réponse'),
    });
  });

  it('before `pki init` the engine services answer cleanly: rejection, unauthorized, 404', async () => {
    const services = enginePkiServices(pkiStore(db.sql), { secret: 'a-secret-that-is-long-enough' });
    await expect(services.warmUp()).rejects.toThrow(/pki init|n’existe pas|introuvable/i);
    const early = Fastify();
    await early.register(pkiRoutes, services);
    const url = await early.listen({ host: '127.0.0.1', port: 0 });
    try {
      const tsaReply = await fetch(`${url}/tsa`, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: new Uint8Array(query()) });
      expect(tsaReply.status).toBe(200);
      const rejection = pkijs.TimeStampResp.fromBER(await tsaReply.arrayBuffer());
      expect(rejection.status.status).toBe(2);
      expect(rejection.status.statusStrings?.[0]?.valueBlock.value).toContain('PKI non initialisée');

      const certId = seq(seq(oid('1.3.14.3.2.26')), octets(Buffer.alloc(20)), octets(Buffer.alloc(20)), integer(7));
      const ocspReply = await fetch(`${url}/pki/ocsp`, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request' },
        body: new Uint8Array(seq(seq(seq(seq(certId))))),
      });
      expect(Buffer.from(await ocspReply.arrayBuffer()).toString('hex')).toBe('30030a0106'); // unauthorized

      const crl = await fetch(`${url}/pki/crl/rgs1.crl`);
      expect(crl.status).toBe(404);
      expect((await crl.json()).detail).toContain('pki init');
    } finally {
      await early.close();
    }
  });
});
