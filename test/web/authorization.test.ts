/**
 * Who may open what. Each role's person is refused every page and every API
 * route of the other roles; nobody reaches another organisation's dossier,
 * even by guessing its identifier; a session is dead after sign-out, idle time
 * or the account's end; a form or a state-changing call without the session's
 * CSRF token (or from another origin) is refused; sign-ins are rate-limited
 * per account and per address; pages never accept an API key.
 */
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessEngine, startApi, type ApiHarness } from '../api/support.ts';
import { demoDossier } from '../activities/fixtures.ts';
import { DEMO, DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../db/seed.ts';
import { buildServer } from '../../api/server.ts';
import type { Role } from '../../domain/roles.ts';
import type { DossierView } from '../../domain/outcomes.ts';
import { browser, demoEmail, signIn, type Browser } from './support.ts';

let api: ApiHarness;
const sessions = new Map<string, Browser>();
/** D1: grenoble → BPALPES, default accord (créateur Camille). D2: grenoble → BPALPES, hard case (créateur Léa). D3: lyon → TICBAIL. */
const ids = { d1: '', d2: '', d3: '' };

async function submitWithKey(key: string, body: unknown): Promise<string> {
  const res = await api.app.inject({
    method: 'POST',
    url: '/v1/dossiers',
    headers: { authorization: `Bearer ${key}`, 'idempotency-key': crypto.randomUUID() },
    payload: body as Record<string, unknown>,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<DossierView>().dossierId;
}

beforeAll(async () => {
  api = await startApi((sql) => createInProcessEngine(sql));
  const grenoble = api.key('reseller', DEMO.resellers.grenoble);
  ids.d1 = await submitWithKey(grenoble, demoDossier());
  ids.d2 = await submitWithKey(
    grenoble,
    demoDossier({
      company: { siren: DEMO.passports.restaurant.siren, naf: '56.10A' },
      passportNumber: DEMO.passports.restaurant.number,
    }),
  );
  ids.d3 = await submitWithKey(
    api.key('reseller', DEMO.resellers.lyon),
    demoDossier({
      resellerId: DEMO.resellers.lyon,
      bankId: DEMO.banks.leasing,
      company: { siren: DEMO.passports.fourModules.siren },
      passportNumber: DEMO.passports.fourModules.number,
      financing: { firstRentIncreasePercent: 0 },
    }),
  );
  for (const account of DEMO_ACCOUNTS) sessions.set(account.email, await signIn(api.app, account.email));
});
afterAll(async () => api?.close());

const sessionOf = (role: Role, organisation?: string) => sessions.get(demoEmail(role, organisation))!;

/** Every page route and who may use it; the test below checks that no page of the server is missing here. */
const PAGES: { method: 'GET' | 'POST'; path: string; roles: Role[] }[] = [
  { method: 'GET', path: '/revendeur', roles: ['reseller'] },
  { method: 'GET', path: '/revendeur/nouveau', roles: ['reseller'] },
  { method: 'POST', path: '/revendeur/dossiers', roles: ['reseller'] },
  { method: 'GET', path: '/revendeur/dossiers/:id', roles: ['reseller'] },
  { method: 'POST', path: '/revendeur/dossiers/:id/refus', roles: ['reseller'] },
  { method: 'GET', path: '/banque', roles: ['bank'] },
  { method: 'GET', path: '/banque/dossiers', roles: ['bank'] },
  { method: 'GET', path: '/banque/defaut', roles: ['bank'] },
  { method: 'GET', path: '/banque/dossiers/:id', roles: ['bank'] },
  { method: 'POST', path: '/banque/dossiers/:id/decision', roles: ['bank'] },
  { method: 'POST', path: '/banque/dossiers/:id/contresignature', roles: ['bank'] },
  { method: 'POST', path: '/banque/dossiers/:id/refus', roles: ['bank'] },
  { method: 'GET', path: '/createur', roles: ['creator'] },
  { method: 'GET', path: '/createur/dossiers/:id', roles: ['creator'] },
  { method: 'POST', path: '/createur/dossiers/:id/refus', roles: ['creator'] },
  { method: 'GET', path: '/archiviste', roles: ['archivist'] },
  { method: 'GET', path: '/archiviste/verification', roles: ['archivist'] },
  { method: 'POST', path: '/archiviste/verification', roles: ['archivist'] },
  { method: 'GET', path: '/archiviste/coffre', roles: ['archivist'] },
  { method: 'GET', path: '/archiviste/coffre/objets/:id', roles: ['archivist'] },
  { method: 'POST', path: '/archiviste/coffre/objets/:id/controle', roles: ['archivist'] },
  { method: 'POST', path: '/archiviste/coffre/export', roles: ['archivist'] },
  { method: 'GET', path: '/archiviste/coffre/audit', roles: ['archivist'] },
  { method: 'POST', path: '/archiviste/coffre/audit', roles: ['archivist'] },
  { method: 'GET', path: '/barometres', roles: ['admin', 'bank'] },
  { method: 'GET', path: '/admin', roles: ['admin'] },
  { method: 'POST', path: '/admin/comptes', roles: ['admin'] },
  { method: 'POST', path: '/admin/comptes/:id/desactivation', roles: ['admin'] },
  { method: 'POST', path: '/deconnexion', roles: ['reseller', 'bank', 'creator', 'archivist', 'admin'] },
];

const API: { method: 'GET' | 'POST'; url: string; roles: Role[]; body?: unknown }[] = [
  { method: 'GET', url: '/v1/dossiers', roles: ['reseller', 'bank'] },
  { method: 'POST', url: '/v1/dossiers', roles: ['reseller'], body: {} },
  { method: 'GET', url: '/v1/bank/dossiers', roles: ['bank'] },
  { method: 'POST', url: `/v1/bank/dossiers/${crypto.randomUUID()}/decision`, roles: ['bank'], body: {} },
  { method: 'POST', url: '/v1/quotes', roles: ['reseller', 'bank', 'archivist', 'admin'], body: {} },
  { method: 'GET', url: '/v1/notifications', roles: ['reseller', 'bank', 'creator'] },
  { method: 'GET', url: `/v1/dossiers/${crypto.randomUUID()}/contract`, roles: ['creator', 'reseller', 'bank', 'admin'] },
  { method: 'POST', url: `/v1/dossiers/${crypto.randomUUID()}/contract/createur/data-to-sign`, roles: ['creator', 'reseller', 'bank'], body: {} },
  { method: 'POST', url: `/v1/dossiers/${crypto.randomUUID()}/contract/banque/countersignature`, roles: ['bank'] },
  { method: 'GET', url: '/v1/barometers', roles: ['admin', 'bank'] },
  { method: 'GET', url: '/v1/admin/accounts', roles: ['admin'] },
  { method: 'POST', url: '/v1/admin/accounts', roles: ['admin'], body: {} },
  { method: 'GET', url: '/metrics', roles: ['admin'] },
];

/** Method and path of every route printRoutes shows (its tree read back into full paths). */
function registeredRoutes(app: FastifyInstance): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^(.*?)(?:├── |└── )(.+?) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const segment = m[2]!;
    stack.length = depth;
    const parent = stack[depth - 1] ?? '';
    const full = depth === 0 ? segment : `${parent}${segment.startsWith('/') || parent.endsWith('/') ? '' : '/'}${segment}`;
    stack[depth] = full;
    for (const method of m[3]!.split(', ')) if (method !== 'HEAD') out.push({ method, path: full });
  }
  return out;
}

const concrete = (path: string, id = ids.d1) => path.replace(':id', id);

describe('every page and route is guarded by role', () => {
  it('lists every page route of the server in the matrix', () => {
    const pages = registeredRoutes(api.app)
      .filter((r) => !/^\/(v1|docs|metrics|health|assets|connexion)(\/|$)/.test(r.path) && r.path !== '/')
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    expect(pages).toEqual(PAGES.map((p) => `${p.method} ${p.path}`).sort());
  });

  it('refuses each role every page of the other roles (403), with or without a valid CSRF token', async () => {
    for (const account of DEMO_ACCOUNTS) {
      const b = sessions.get(account.email)!;
      for (const page of PAGES) {
        if (page.roles.includes(account.role)) continue;
        const res = page.method === 'GET' ? await b.get(concrete(page.path)) : await b.post(concrete(page.path), { decision: 'approve' });
        expect(res.statusCode, `${account.role} ${page.method} ${page.path}`).toBe(403);
        expect(res.body).toContain('Accès refusé');
      }
    }
    const d2 = await api.sql<{ status: string }[]>`select status from dossiers where id = ${ids.d2}`;
    expect(d2[0]?.status).toBe('awaiting_analyst');
  });

  it('refuses each role every API route of the others with its session cookie (403), and lets its own through', async () => {
    for (const account of DEMO_ACCOUNTS) {
      const b = sessions.get(account.email)!;
      for (const route of API) {
        const res = await api.app.inject({
          method: route.method,
          url: route.url,
          headers: {
            cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
            'x-csrf-token': b.csrf,
            ...(route.body ? { 'content-type': 'application/json' } : {}),
          },
          ...(route.body ? { payload: JSON.stringify(route.body) } : {}),
        });
        const label = `${account.role} ${route.method} ${route.url}`;
        if (route.roles.includes(account.role)) expect([401, 403], label).not.toContain(res.statusCode);
        else {
          expect(res.statusCode, label).toBe(403);
          expect(res.json<{ type: string }>().type, label).toMatch(/forbidden-role$/);
        }
      }
    }
  });

  it('shows each role its own pages', async () => {
    const own: [Role, string | undefined, string][] = [
      ['reseller', DEMO.resellers.grenoble, `/revendeur/dossiers/${ids.d1}`],
      ['bank', DEMO.banks.alpes, `/banque/dossiers/${ids.d2}`],
      ['creator', DEMO.passports.sixModules.siren, `/createur/dossiers/${ids.d1}`],
      ['archivist', undefined, '/archiviste'],
      ['admin', undefined, '/admin'],
      ['bank', DEMO.banks.alpes, '/barometres'],
    ];
    for (const [role, org, path] of own) expect((await sessionOf(role, org).get(path)).statusCode, `${role} ${path}`).toBe(200);
  });
});

describe('other organisations’ dossiers, even by guessing their identifiers', () => {
  const guesses = () => [ids.d1, ids.d2, ids.d3, crypto.randomUUID(), 'pas-un-uuid', '00000000-0000-0000-0000-000000000000'];

  it('are not found for another reseller, bank or créateur (404), pages and API alike', async () => {
    const cases: [Browser, string, string[]][] = [
      [sessionOf('reseller', DEMO.resellers.lyon), '/revendeur/dossiers/', [ids.d3]],
      [sessionOf('reseller', DEMO.resellers.grenoble), '/revendeur/dossiers/', [ids.d1, ids.d2]],
      [sessionOf('bank', DEMO.banks.cooperatif), '/banque/dossiers/', []],
      [sessionOf('bank', DEMO.banks.alpes), '/banque/dossiers/', [ids.d1, ids.d2]],
      [sessionOf('creator', DEMO.passports.sixModules.siren), '/createur/dossiers/', [ids.d1]],
      [sessionOf('creator', DEMO.passports.restaurant.siren), '/createur/dossiers/', [ids.d2]],
    ];
    for (const [b, prefix, visible] of cases) {
      for (const id of guesses()) {
        const res = await b.get(`${prefix}${id}`);
        expect(res.statusCode, `${b.email} ${id}`).toBe(visible.includes(id) ? 200 : 404);
        if (!visible.includes(id)) expect(res.body).toContain('Page introuvable');
      }
    }
    for (const [role, org, visible] of [
      ['reseller', DEMO.resellers.lyon, [ids.d3]],
      ['bank', DEMO.banks.cooperatif, []],
    ] as const) {
      const b = sessionOf(role, org);
      for (const id of guesses().filter((g) => g !== 'pas-un-uuid')) {
        const res = await api.app.inject({ method: 'GET', url: `/v1/dossiers/${id}`, headers: { cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
        expect(res.statusCode, `${role} ${id}`).toBe((visible as readonly string[]).includes(id) ? 200 : 404);
      }
    }
  });

  it('cannot be decided by another bank, through the page or the API', async () => {
    const credcoop = sessionOf('bank', DEMO.banks.cooperatif);
    const page = await credcoop.post(`/banque/dossiers/${ids.d2}/decision`, { decision: 'approve' });
    expect(page.statusCode).toBe(404);
    const apiCall = await api.app.inject({
      method: 'POST',
      url: `/v1/bank/dossiers/${ids.d2}/decision`,
      headers: { cookie: [...credcoop.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': credcoop.csrf, 'content-type': 'application/json' },
      payload: JSON.stringify({ decision: 'approve', analyst: 'Claire Dumas' }),
    });
    expect(apiCall.statusCode).toBe(403);
    const [row] = await api.sql<{ status: string }[]>`select status from dossiers where id = ${ids.d2}`;
    expect(row?.status).toBe('awaiting_analyst');
  });

  it('cannot have its contract declined or countersigned by another organisation’s person (404, nothing journaled)', async () => {
    const attempts: [Browser, string][] = [
      [sessionOf('reseller', DEMO.resellers.lyon), `/revendeur/dossiers/${ids.d1}/refus`],
      [sessionOf('creator', DEMO.passports.restaurant.siren), `/createur/dossiers/${ids.d1}/refus`],
      [sessionOf('bank', DEMO.banks.cooperatif), `/banque/dossiers/${ids.d1}/refus`],
      [sessionOf('bank', DEMO.banks.cooperatif), `/banque/dossiers/${ids.d1}/contresignature`],
      [sessionOf('creator', DEMO.passports.sixModules.siren), `/createur/dossiers/${crypto.randomUUID()}/refus`],
    ];
    for (const [b, url] of attempts) {
      const res = await b.post(url, { reason: 'Je ne signe pas' });
      expect(res.statusCode, `${b.email} ${url}`).toBe(404);
      expect(res.body).toContain('Page introuvable');
    }
    const events = await api.sql`select 1 from dossier_events where dossier_id = ${ids.d1} and type like '%declin%'`;
    expect(events).toHaveLength(0);
  });
});

describe('sessions', () => {
  it('cannot be replayed after sign-out, on pages or API routes', async () => {
    const b = await signIn(api.app, demoEmail('reseller', DEMO.resellers.grenoble));
    const stolen = [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    expect((await b.get('/revendeur')).statusCode).toBe(200);
    const out = await b.post('/deconnexion', {});
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/connexion?fin=deconnexion');
    const replay = await api.app.inject({ method: 'GET', url: '/revendeur', headers: { cookie: stolen } });
    expect(replay.statusCode).toBe(303);
    expect(replay.headers.location).toBe('/connexion?suite=%2Frevendeur');
    const replayApi = await api.app.inject({ method: 'GET', url: '/v1/dossiers', headers: { cookie: stolen } });
    expect(replayApi.statusCode).toBe(401);
    expect(replayApi.json<{ type: string }>().type).toMatch(/session-ended$/);
  });

  it('ends after the idle time', async () => {
    const app = await buildServer({ sql: api.sql, engine: createInProcessEngine(api.sql), web: { session: { idleSeconds: 1 } } });
    try {
      const b = await signIn(app, demoEmail('admin'));
      expect((await b.get('/admin')).statusCode).toBe(200);
      await new Promise((r) => setTimeout(r, 1500));
      expect((await b.get('/admin')).statusCode).toBe(303);
    } finally {
      await app.close();
    }
  });

  it('sets an HttpOnly, SameSite=Lax cookie; Secure and __Host- behind TLS (trusted proxy)', async () => {
    const plain = browser(api.app);
    await plain.get('/connexion');
    const res = await plain.post('/connexion', { email: demoEmail('admin'), password: DEMO_PASSWORD });
    const cookie = String(res.headers['set-cookie'])
      .split(/,(?=\s*\w+=)/)
      .find((c) => c.includes('passeport_session='))!;
    expect(cookie).toMatch(/^passeport_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);

    const app = await buildServer({ sql: api.sql, engine: createInProcessEngine(api.sql), trustProxy: true });
    try {
      const tls = browser(app);
      await tls.get('/connexion', { 'x-forwarded-proto': 'https' });
      const secure = await tls.post(
        '/connexion',
        { email: demoEmail('admin'), password: DEMO_PASSWORD },
        { headers: { 'x-forwarded-proto': 'https', origin: 'https://localhost:80' } },
      );
      expect(secure.statusCode).toBe(303);
      const setCookie = String(secure.headers['set-cookie']);
      expect(setCookie).toMatch(/__Host-passeport_session=[A-Za-z0-9_-]{43};[^,]*Secure/);
      expect(setCookie).toMatch(/__Host-passeport_session=[^;]+;[^,]*HttpOnly/);
    } finally {
      await app.close();
    }
  });
});

describe('CSRF', () => {
  it('refuses a form without the session’s token, with another session’s, or from another origin; accepts the right one', async () => {
    const b = await signIn(api.app, demoEmail('reseller', DEMO.resellers.grenoble));
    const other = sessionOf('bank', DEMO.banks.alpes);
    const fields = { _action: 'ajouter-ligne', _lignes: '1' };
    const none = await b.post('/revendeur/dossiers', fields, { csrf: false });
    expect(none.statusCode).toBe(403);
    expect(none.body).toContain('Formulaire refusé');
    expect((await b.post('/revendeur/dossiers', fields, { csrf: other.csrf })).statusCode).toBe(403);
    expect((await b.post('/revendeur/dossiers', fields, { headers: { origin: 'http://evil.example' } })).statusCode).toBe(403);
    expect((await b.post('/revendeur/dossiers', fields)).statusCode).toBe(200);
    // Signing out needs the token too (no logout by a foreign page), and the session stays alive without it.
    expect((await b.post('/deconnexion', {}, { csrf: false })).statusCode).toBe(403);
    expect((await b.get('/revendeur')).statusCode).toBe(200);
  });

  it('refuses a state-changing API call riding on the cookie without x-csrf-token or from another origin', async () => {
    const b = sessionOf('reseller', DEMO.resellers.grenoble);
    const quote = { bankId: DEMO.banks.alpes, amountCents: 1_000_000, product: 'credit_bail', durationMonths: 36, periodicity: 'monthly' };
    const call = (headers: Record<string, string>) =>
      api.app.inject({
        method: 'POST',
        url: '/v1/quotes',
        headers: { cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/json', ...headers },
        payload: JSON.stringify(quote),
      });
    const without = await call({});
    expect(without.statusCode).toBe(403);
    expect(without.json<{ type: string }>().type).toMatch(/csrf-refused$/);
    expect((await call({ 'x-csrf-token': 'faux' })).statusCode).toBe(403);
    expect((await call({ 'x-csrf-token': b.csrf, origin: 'http://evil.example' })).statusCode).toBe(403);
    expect((await call({ 'x-csrf-token': b.csrf })).statusCode).toBe(200);
  });

  it('refuses a sign-in form that did not come from the sign-in page', async () => {
    const b = browser(api.app);
    const res = await b.post('/connexion', { email: demoEmail('admin'), password: DEMO_PASSWORD }, { csrf: 'invente' });
    expect(res.statusCode).toBe(403);
    expect(res.headers['set-cookie'] ?? '').not.toMatch(/passeport_session=/);
  });
});

describe('API keys and pages', () => {
  it('never opens a page with an API key, and the API keeps working with keys', async () => {
    const key = api.key('reseller', DEMO.resellers.grenoble);
    const page = await api.app.inject({ method: 'GET', url: '/revendeur', headers: { authorization: `Bearer ${key}` } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toMatch(/^\/connexion/);
    const before = (await api.sql<{ n: number }[]>`select count(*)::int as n from dossiers`)[0]!.n;
    const post = await api.app.inject({
      method: 'POST',
      url: '/revendeur/dossiers',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'bankId=BPALPES',
    });
    expect(post.statusCode).toBe(401);
    expect((await api.sql<{ n: number }[]>`select count(*)::int as n from dossiers`)[0]!.n).toBe(before);
    const list = await api.app.inject({ method: 'GET', url: '/v1/dossiers', headers: { authorization: `Bearer ${key}` } });
    expect(list.statusCode).toBe(200);
  });
});

describe('logs', () => {
  it('never hold a password, a session token, a CSRF token or the e-mail typed at sign-in', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = await buildServer({ sql: api.sql, engine: createInProcessEngine(api.sql), logger: pino({ level: 'trace' }, sink) });
    try {
      const wrong = browser(app);
      await wrong.get('/connexion');
      await wrong.post('/connexion', { email: demoEmail('bank', DEMO.banks.alpes), password: 'mot-de-passe-errone-42' });
      const b = await signIn(app, demoEmail('bank', DEMO.banks.alpes));
      await b.get('/banque');
      const text = lines.join('');
      expect(text).toContain('sign-in');
      for (const secret of [DEMO_PASSWORD, 'mot-de-passe-errone-42', demoEmail('bank', DEMO.banks.alpes), b.csrf, ...b.cookies.values()]) {
        expect(text).not.toContain(secret);
      }
    } finally {
      await app.close();
    }
  });
});

describe('sign-in rate limits', () => {
  it('refuses an account after 5 failures in 15 minutes, even with the right password, and says when to come back', async () => {
    const email = demoEmail('archivist');
    const b = browser(api.app);
    await b.get('/connexion');
    for (let i = 0; i < 5; i++) {
      const res = await b.post('/connexion', { email, password: `faux-${i}` }, { headers: {} });
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain('Adresse e-mail ou mot de passe incorrect.');
    }
    const locked = await b.post('/connexion', { email, password: DEMO_PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    expect(locked.body).toMatch(/Trop d’essais infructueux : par sécurité, réessayez dans 1[45] minutes\./);
    expect(locked.headers['set-cookie'] ?? '').not.toMatch(/passeport_session=/);
    // Another account is not locked by this one's failures.
    expect((await signIn(api.app, demoEmail('admin'))).cookies.size).toBeGreaterThan(0);
  });

  it('refuses an address after its failures across accounts, not the others', async () => {
    const app = await buildServer({ sql: api.sql, engine: createInProcessEngine(api.sql), web: { signInThrottle: { perAddress: 3 } } });
    try {
      const from = (ip: string) => async (email: string, password: string) => {
        const get = await app.inject({ method: 'GET', url: '/connexion', remoteAddress: ip });
        const token = /name="_csrf" value="([^"]+)"/.exec(get.body)![1]!;
        const cookie = get.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
        return app.inject({
          method: 'POST',
          url: '/connexion',
          remoteAddress: ip,
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: token, email, password }).toString(),
        });
      };
      const attacker = from('203.0.113.7');
      for (const email of ['a@x.demo', 'b@x.demo', 'c@x.demo']) expect((await attacker(email, 'devine')).statusCode).toBe(401);
      expect((await attacker(demoEmail('admin'), DEMO_PASSWORD)).statusCode).toBe(429);
      expect((await from('198.51.100.4')(demoEmail('admin'), DEMO_PASSWORD)).statusCode).toBe(303);
    } finally {
      await app.close();
    }
  });
});
