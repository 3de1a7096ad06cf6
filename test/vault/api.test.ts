import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../api/server.ts';
import { vaultRoutes } from '../../api/routes/vault.ts';
import { createApiKey } from '../../db/repositories/apiKeys.ts';
import { DEMO, seedDemo } from '../../db/seed.ts';
import { unreachableEngine } from '../api/support.ts';
import { ENGINE, contractPackage, createTestbed, type Testbed } from './support/testbed.ts';

/** The vault routes mounted under /v1 as the lead will wire them, on the real server, keys and vault. */
let t: Testbed;
let app: FastifyInstance;
let keys: { operator: string; bankArchivist: string; bank: string; otherBank: string; reseller: string; admin: string; creator: string; otherCreator: string };
let ownId: string;
let othersId: string;

beforeAll(async () => {
  t = await createTestbed({ locations: 1 });
  const { apiKeys } = await seedDemo(t.db.sql);
  const demo = (role: string, org: string) => apiKeys.find((k) => k.role === role && k.organisation === org)!.key;
  await t.db
    .sql`insert into organisations (id, kind, name) values ('912345675', 'company', 'Atelier Numérique du Vercors'), ('732829320', 'company', 'Autre entreprise') on conflict do nothing`;
  keys = {
    operator: await createApiKey(t.db.sql, DEMO.programme, 'archivist'),
    bankArchivist: demo('archivist', DEMO.banks.alpes),
    bank: demo('bank', DEMO.banks.alpes),
    otherBank: demo('bank', DEMO.banks.cooperatif),
    reseller: demo('reseller', DEMO.resellers.grenoble),
    admin: demo('admin', DEMO.programme),
    // A créateur's organisation is the SIREN of their company (contractPackage's by default).
    creator: await createApiKey(t.db.sql, '912345675', 'creator'),
    otherCreator: await createApiKey(t.db.sql, '732829320', 'creator'),
  };
  app = await buildServer({
    sql: t.db.sql,
    engine: unreachableEngine(),
    checkTemporal: async () => {},
    plugins: [async (v1) => v1.register(vaultRoutes, { vault: t.vault, operatorOrganisation: DEMO.programme, workDir: t.dir })],
  });
  await app.ready();
  const signed = await t.signedContract({ level: 'B-LT' });
  ownId = (await t.vault.deposit(ENGINE, contractPackage(signed, { dossierId: 'D-API-1' }))).objects[0]!.id;
  othersId = (
    await t.vault.deposit(ENGINE, {
      documentClass: 'contrat',
      dossierId: 'D-API-2',
      parties: [{ role: 'banque', id: DEMO.banks.cooperatif }],
      objects: [{ name: 'contrat coopératif.pdf', mediaType: 'application/pdf', content: new Uint8Array(Buffer.from('%PDF contrat coopératif')) }],
    })
  ).objects[0]!.id;
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

const call = (method: 'GET' | 'POST', url: string, key: string, extra: { payload?: unknown; headers?: Record<string, string> } = {}) =>
  app.inject({ method, url, headers: { authorization: `Bearer ${key}`, ...extra.headers }, ...(extra.payload !== undefined ? { payload: extra.payload as string } : {}) });

async function lastEntry() {
  const [row] = await t.db.sql<{ operation: string; actor: string; outcome: string }[]>`select operation, actor, outcome from vault_journal order by seq desc limit 1`;
  return row!;
}

describe('vault routes', () => {
  it("the operator's archivist lists everything; the bank's archivist and each party only their own", async () => {
    const all = await call('GET', '/v1/vault/objects?class=contrat', keys.operator);
    expect(all.statusCode).toBe(200);
    expect(all.json().objects.map((o: { id: string }) => o.id)).toEqual(expect.arrayContaining([ownId, othersId]));
    for (const key of [keys.bankArchivist, keys.bank, keys.reseller, keys.creator]) {
      expect((await call('GET', '/v1/vault/objects', key)).json().objects.map((o: { id: string }) => o.id)).toEqual([ownId]);
    }
    expect((await call('GET', '/v1/vault/objects', keys.otherBank)).json().objects.map((o: { id: string }) => o.id)).toEqual([othersId]);
    expect((await call('GET', '/v1/vault/objects', keys.otherCreator)).json().objects).toEqual([]);
    expect((await call('GET', `/v1/vault/objects/${ownId}/content`, keys.creator)).statusCode).toBe(200);
    expect((await call('GET', `/v1/vault/objects/${ownId}/content`, keys.otherCreator)).statusCode).toBe(404);
    expect((await call('GET', '/v1/vault/objects/count?dossier=D-API-1', keys.operator)).json()).toEqual({ count: 1, bytes: expect.any(Number) });
  });

  it('a party reads its own document, with its fingerprint; another party gets a 404 and the refusal is journaled', async () => {
    const own = await call('GET', `/v1/vault/objects/${ownId}/content`, keys.bank);
    expect(own.statusCode).toBe(200);
    expect(own.headers['content-type']).toBe('application/pdf');
    expect(own.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const theirs = await call('GET', `/v1/vault/objects/${othersId}/content`, keys.bank);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(theirs.json().detail).toBe(`Aucun objet ${othersId} parmi vos documents.`);
    expect(await lastEntry()).toEqual({ operation: 'read', actor: `partie:banque:${DEMO.banks.alpes}`, outcome: 'refused' });
    const disposition = (await call('GET', `/v1/vault/objects/${othersId}/content`, keys.otherBank)).headers['content-disposition'];
    expect(disposition).toBe(`attachment; filename="contrat coop_ratif.pdf"; filename*=UTF-8''contrat%20coop%C3%A9ratif.pdf`);
  });

  it('refuses what a role may not do (403, journaled), and the administrator everything', async () => {
    const hold = await call('POST', `/v1/vault/objects/${ownId}/holds`, keys.bank, { payload: { reason: 'je voudrais geler' } });
    expect(hold.statusCode).toBe(403);
    expect(hold.json().code).toBe('ACCESS_REFUSED');
    expect(await lastEntry()).toMatchObject({ operation: 'hold', outcome: 'refused' });
    const admin = await call('GET', '/v1/vault/objects', keys.admin);
    expect(admin.statusCode).toBe(403);
    expect(await lastEntry()).toEqual({ operation: 'list', actor: `autre:admin:${DEMO.programme}`, outcome: 'refused' });
    expect((await call('GET', '/v1/vault/journal', keys.bankArchivist)).statusCode).toBe(403);
    expect((await call('GET', '/v1/vault/journal?limit=5', keys.operator)).json().entries).toHaveLength(5);
  });

  it('holds, refuses an early disposal with 409 and a French reason, releases', async () => {
    const hold = await call('POST', `/v1/vault/objects/${ownId}/holds`, keys.bankArchivist, { payload: { reason: 'litige commercial' } });
    expect(hold.statusCode).toBe(201);
    const dispose = await call('POST', `/v1/vault/objects/${ownId}/disposal`, keys.bankArchivist, { payload: { reason: 'fin de relation' } });
    expect(dispose.statusCode).toBe(409);
    expect(dispose.json()).toMatchObject({ code: 'RETENTION_NOT_ELAPSED', detail: expect.stringMatching(/conservé jusqu'au/) });
    const release = await call('POST', `/v1/vault/objects/${ownId}/release`, keys.bankArchivist, { payload: { reason: 'accord amiable' } });
    expect(release.json()).toEqual({ lifted: [hold.json().id] });
    const noReason = await call('POST', `/v1/vault/objects/${ownId}/release`, keys.bankArchivist, { payload: {} });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().errors[0].path).toBe('reason');
  });

  it('deposits a package as JSON (201, then 200 for the same package) and refuses bad input with 422', async () => {
    const payload = {
      documentClass: 'rapport',
      dossierId: 'D-API-3',
      objects: [{ name: 'rapport.json', mediaType: 'application/json', contentBase64: Buffer.from('{"ok":true}').toString('base64') }],
    };
    const first = await call('POST', '/v1/vault/packages', keys.operator, { payload });
    expect(first.statusCode).toBe(201);
    const again = await call('POST', '/v1/vault/packages', keys.operator, { payload });
    expect(again.statusCode).toBe(200);
    expect(again.json().packageId).toBe(first.json().packageId);
    const bad = await call('POST', '/v1/vault/packages', keys.operator, { payload: { ...payload, siren: '123456789' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().detail).toMatch(/SIREN invalide/);
    const notBase64 = await call('POST', '/v1/vault/packages', keys.operator, { payload: { ...payload, objects: [{ ...payload.objects[0], contentBase64: 'pas du base64 !' }] } });
    expect(notBase64.statusCode).toBe(422);
  });

  it('verifies an uploaded PDF without keeping it, and a stored object with its seal', async () => {
    const signed = await t.signedContract({ level: 'B-LT' });
    const report = await call('POST', '/v1/vault/verify-pdf', keys.bankArchivist, { payload: signed, headers: { 'content-type': 'application/pdf', 'x-file-name': 'envoye.pdf' } });
    expect(report.statusCode).toBe(200);
    expect(report.json()).toMatchObject({ signed: true, indication: 'TOTAL_PASSED' });
    const notPdf = await call('POST', '/v1/vault/verify-pdf', keys.bankArchivist, { payload: { a: 1 } });
    expect(notPdf.statusCode).toBe(415);
    await t.vault.seal(ENGINE);
    const check = await call('POST', `/v1/vault/objects/${ownId}/verify`, keys.bankArchivist);
    expect(check.json()).toMatchObject({ ok: true, seal: { id: 'SC-000001', merkleRootMatches: true, timestampOk: true }, signatures: { indication: 'TOTAL_PASSED' } });
    const statement = await call('GET', `/v1/vault/objects/${ownId}/statement`, keys.bank);
    expect(statement.headers['content-type']).toBe('application/pdf');
  });

  it("exports a tar the operator can check offline, and refuses another organisation's object", async () => {
    const res = await call('POST', '/v1/vault/exports', keys.bankArchivist, { payload: { dossier: 'D-API-1' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-tar');
    const dir = fs.mkdtempSync(path.join(t.dir, 'api-export-'));
    fs.writeFileSync(path.join(dir, 'e.tar'), res.rawPayload);
    execFileSync('tar', ['-xf', path.join(dir, 'e.tar'), '-C', dir]);
    expect(execFileSync('/bin/sh', [path.join(dir, 'export', 'verifier.sh')], { encoding: 'utf8' })).toMatch(/RÉSULTAT : export conforme\n$/);
    // The folder the export was assembled in goes once the tar has been sent.
    const leftovers = () => fs.readdirSync(t.dir).filter((f) => f.startsWith('passeport-export-'));
    for (let i = 0; i < 50 && leftovers().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(leftovers()).toEqual([]);
    const foreign = await call('POST', '/v1/vault/exports', keys.bankArchivist, { payload: { objectIds: [othersId] } });
    expect(foreign.statusCode).toBe(404);
    const nothing = await call('POST', '/v1/vault/exports', keys.bankArchivist, { payload: {} });
    expect(nothing.statusCode).toBe(422);
  });
});
