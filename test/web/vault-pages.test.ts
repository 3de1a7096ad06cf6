/**
 * The archivist's coffre-fort pages on the real server with a real vault
 * (filesystem store, PostgreSQL journal, the test PKI's TSA): the programme's
 * archivist finds a contract by its dossier, reads its package and journal,
 * checks it, exports it and runs an audit whose progress and report the page
 * shows; a bank's archivist sees only the documents naming the bank and may
 * not audit (refused and journaled by the vault); other roles reach none of
 * it. Also POST/GET /v1/vault/audits, the route the audit page needs.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../api/server.ts';
import { createApiKey } from '../../db/repositories/apiKeys.ts';
import { DEMO, seedDemo } from '../../db/seed.ts';
import { unreachableEngine } from '../api/support.ts';
import { ENGINE, contractPackage, createTestbed, type Testbed } from '../vault/support/testbed.ts';
import { demoEmail, signIn, textOf, type Browser } from './support.ts';

let t: Testbed;
let app: FastifyInstance;
let ownId: string;
let othersId: string;
let operator: Browser;
let bankArchivist: Browser;
let reseller: Browser;

beforeAll(async () => {
  t = await createTestbed({ locations: 2 });
  await seedDemo(t.db.sql);
  app = await buildServer({
    sql: t.db.sql,
    engine: unreachableEngine(),
    checkTemporal: async () => {},
    vault: { vault: t.vault, operatorOrganisation: DEMO.programme, workDir: t.dir },
  });
  await app.ready();
  const signed = await t.signedContract({ level: 'B-LT' });
  ownId = (await t.vault.deposit(ENGINE, contractPackage(signed, { dossierId: 'D-WEB-1' }))).objects[0]!.id;
  othersId = (
    await t.vault.deposit(ENGINE, {
      documentClass: 'contrat',
      dossierId: 'D-WEB-2',
      parties: [{ role: 'banque', id: DEMO.banks.cooperatif }],
      objects: [{ name: 'contrat coopératif.pdf', mediaType: 'application/pdf', content: new Uint8Array(Buffer.from('%PDF contrat coopératif')) }],
    })
  ).objects[0]!.id;
  operator = await signIn(app, 'archiviste@passeport.demo');
  bankArchivist = await signIn(app, demoEmail('archivist', DEMO.banks.alpes));
  reseller = await signIn(app, demoEmail('reseller', DEMO.resellers.grenoble));
}, 120_000);

afterAll(async () => {
  await app?.close();
  await t?.close();
});

const cookieOf = (b: Browser) => [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

async function lastJournalEntry() {
  const [row] = await t.db.sql<{ operation: string; actor: string; outcome: string }[]>`select operation, actor, outcome from vault_journal order by seq desc limit 1`;
  return row!;
}

describe('the programme’s archivist', () => {
  it('finds the contract by its dossier, and reads its package and its journal', async () => {
    const search = await operator.get('/archiviste/coffre?dossier=D-WEB-1');
    expect(search.statusCode).toBe(200);
    expect(textOf(search.body, 'resultats')).toBe('1 objet dans 1 paquet');
    expect(search.body).toContain(`href="/archiviste/coffre/objets/${ownId}"`);
    expect(search.body).not.toContain(othersId);
    const all = await operator.get('/archiviste/coffre?classe=contrat');
    expect(all.body).toContain(othersId);

    const object = await operator.get(`/archiviste/coffre/objets/${ownId}`);
    expect(object.statusCode).toBe(200);
    expect(object.body).toContain('contrat.pdf');
    expect(object.body).toMatch(/<td>dépôt<\/td><td>systeme:moteur<\/td><td>fait<\/td>/);
    expect(object.body).toContain(`href="/v1/vault/objects/${ownId}/statement"`);
  });

  it('checks the object: both copies intact, its deposit entry, its signatures valid', async () => {
    const checked = await operator.post(`/archiviste/coffre/objets/${ownId}/controle`, {});
    expect(checked.statusCode).toBe(200);
    const box = /<div class="verdict-box[^"]*" role="status" id="controle">([\s\S]*?)<\/div>/.exec(checked.body)?.[1] ?? '';
    expect(box).toContain('Copie 1 sur 2 : présente et intacte');
    expect(box).toContain('Copie 2 sur 2 : présente et intacte');
    // Where the copies sit on the server's disks is the operator's business, not the page's.
    expect(box).not.toContain('emplacement');
    expect(checked.body).not.toContain(t.dir);
    expect(box).toMatch(/Entrée de dépôt au journal : n° \d+/);
    expect(box).toContain('Signatures valides (TOTAL_PASSED)');
    const [entry] = await t.db.sql<
      { outcome: string; actor: string }[]
    >`select outcome, actor from vault_journal where operation = 'verify' and object_id = ${ownId} order by seq desc limit 1`;
    expect(entry).toMatchObject({ outcome: 'ok', actor: expect.stringMatching(/^archiviste:programme\/account:/) });
  });

  it('exports the package as a tar file', async () => {
    const exported = await operator.post('/archiviste/coffre/export', { objets: ownId });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toBe('application/x-tar');
    expect(exported.headers['x-export-sha512']).toMatch(/^[0-9a-f]{128}$/);
    // A tar file: « ustar » at offset 257 of its first header.
    expect(exported.rawPayload.subarray(257, 262).toString('latin1')).toBe('ustar');
    expect(await lastJournalEntry()).toMatchObject({ operation: 'export', outcome: 'ok' });
  });

  it('runs an audit from the page, follows it, and reads a clean report', async () => {
    const started = await operator.post('/archiviste/coffre/audit', {});
    expect(started.statusCode).toBe(303);
    const follow = String(started.headers.location);
    expect(follow).toMatch(/^\/archiviste\/coffre\/audit\?suivi=[0-9a-f-]{36}$/);
    const runId = follow.split('=')[1]!;
    let body = '';
    for (let i = 0; i < 120; i++) {
      body = (await operator.get(follow)).body;
      if (!body.includes('Audit en cours')) break;
      expect(body).toMatch(/<progress id="audit-avancement" max="100" value="\d+">/);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(textOf(body, 'rapport-audit')).toBe('Coffre-fort sain');
    const count = (await t.db.sql<{ count: number }[]>`select count(*)::int as count from vault_object`)[0]!.count;
    expect(body).toContain(`${count} objets relus (${2 * count} copies`);
    const run = await app.inject({ method: 'GET', url: `/v1/vault/audits/${runId}`, headers: { cookie: cookieOf(operator) } });
    expect(run.json()).toMatchObject({ status: 'done', report: { clean: true, anomalyCount: 0, objects: { checked: count, copies: 2 * count } } });
    const [stored] = await t.db.sql<{ clean: boolean }[]>`select clean from vault_audit order by id desc limit 1`;
    expect(stored?.clean).toBe(true);
  });
});

describe('who may not', () => {
  it('a bank’s archivist sees only the documents naming the bank, not the journal, and may not audit', async () => {
    const search = await bankArchivist.get('/archiviste/coffre?classe=contrat');
    expect(search.body).toContain(ownId);
    expect(search.body).not.toContain(othersId);
    expect((await bankArchivist.get(`/archiviste/coffre/objets/${othersId}`)).statusCode).toBe(404);
    expect((await bankArchivist.get(`/archiviste/coffre/objets/CF-pasunobjet-01`)).statusCode).toBe(404);
    const own = await bankArchivist.get(`/archiviste/coffre/objets/${ownId}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('Le journal du coffre-fort est tenu par l’archiviste de l’opérateur du programme');

    const audit = await bankArchivist.post('/archiviste/coffre/audit', {});
    expect(audit.statusCode).toBe(403);
    expect(audit.body).toContain('Accès refusé : votre rôle ne permet pas');
    expect(audit.body).toContain('ne permet pas d’auditer');
    expect(await lastJournalEntry()).toMatchObject({ operation: 'audit', outcome: 'refused' });
  });

  it('POST and GET /v1/vault/audits refuse every caller but the operator’s archivists (403), with keys or sessions', async () => {
    const keys = {
      bankArchivist: await createApiKey(t.db.sql, DEMO.banks.alpes, 'archivist'),
      bank: await createApiKey(t.db.sql, DEMO.banks.alpes, 'bank'),
      reseller: await createApiKey(t.db.sql, DEMO.resellers.grenoble, 'reseller'),
      admin: await createApiKey(t.db.sql, DEMO.programme, 'admin'),
    };
    for (const [who, key] of Object.entries(keys)) {
      const post = await app.inject({ method: 'POST', url: '/v1/vault/audits', headers: { authorization: `Bearer ${key}` } });
      expect(post.statusCode, who).toBe(403);
      expect(post.json()).toMatchObject({ code: 'ACCESS_REFUSED' });
      const get = await app.inject({ method: 'GET', url: `/v1/vault/audits/${crypto.randomUUID()}`, headers: { authorization: `Bearer ${key}` } });
      expect(get.statusCode, who).toBe(403);
    }
    const unknown = await app.inject({ method: 'GET', url: `/v1/vault/audits/${crypto.randomUUID()}`, headers: { cookie: cookieOf(operator) } });
    expect(unknown.statusCode).toBe(404);
    const noCsrf = await app.inject({ method: 'POST', url: '/v1/vault/audits', headers: { cookie: cookieOf(operator) } });
    expect(noCsrf.statusCode).toBe(403);
  });

  it('other roles are refused every coffre-fort page', async () => {
    for (const path of ['/archiviste/coffre', `/archiviste/coffre/objets/${ownId}`, '/archiviste/coffre/audit']) {
      const res = await reseller.get(path);
      expect(res.statusCode, path).toBe(403);
    }
    expect((await reseller.post('/archiviste/coffre/export', { objets: ownId })).statusCode).toBe(403);
  });
});
