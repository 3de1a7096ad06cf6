/**
 * Bad input: each a precise 4xx in problem+json with a French detail, never a
 * 500. No workflow engine is involved: the engine here fails the test if called.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { startApi, unreachableEngine, type ApiHarness } from './support.ts';
import { demoDossier } from '../activities/fixtures.ts';
import { DEMO } from '../../db/seed.ts';
import { addDays, parisDateOf } from '../../domain/dates.ts';
import { insertDossierIdempotent, markAwaitingAnalyst } from '../../db/repositories/dossiers.ts';
import { DossierSchema, totalAmountCents } from '../../domain/dossier.ts';

let api: ApiHarness;
const engine = unreachableEngine();
let resellerKey: string;
let bankKey: string;

beforeAll(async () => {
  api = await startApi(() => engine);
  resellerKey = api.key('reseller', DEMO.resellers.grenoble);
  bankKey = api.key('bank', DEMO.banks.alpes);
});
afterAll(async () => {
  expect(engine.calls).toEqual([]);
  await api?.close();
});

function post(payload: unknown, headers: Record<string, string> = {}) {
  return api.app.inject({
    method: 'POST',
    url: '/v1/dossiers',
    headers: { authorization: `Bearer ${resellerKey}`, 'idempotency-key': crypto.randomUUID(), 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: { path: string; message: string }[];
}

/** Checks the problem+json shape and returns the body. */
function problem(res: LightMyRequestResponse, status: number): ProblemBody {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json<ProblemBody>();
  expect(body.status).toBe(status);
  expect(body.type).toMatch(/^https:\/\/passeport\.example\/problems\//);
  expect(body.title.length).toBeGreaterThan(0);
  expect(body.instance).toMatch(/^\//);
  // French, not a stack trace or an English framework message.
  expect(body.detail).toMatch(/[éèàêçù]|\b(le|la|les|de|du|des|votre|vous|est|aucun)\b/i);
  expect(res.body).not.toMatch(/\bat .*\.ts:\d+|stack/i);
  return body;
}

const paths = (body: ProblemBody) => (body.errors ?? []).map((e) => e.path).sort();

describe('POST /v1/dossiers refuses bad input', () => {
  it('malformed JSON → 400', async () => {
    const body = problem(await post('{"resellerId": "RA-2026-0001",'), 400);
    expect(body.type).toMatch(/malformed-json$/);
  });

  it('a prototype-poisoning body → 400', async () => {
    problem(await post('{"resellerId":"RA-2026-0001","__proto__":{"admin":true}}'), 400);
  });

  it('a JSON value that is not an object → 422 on the whole body', async () => {
    const body = problem(await post('[1,2]'), 422);
    expect(paths(body)).toEqual(['']);
  });

  it('a NUL character in a text field → 422 on that field, not a database error', async () => {
    const d = demoDossier();
    const body = problem(await post({ ...d, company: { ...d.company, legalName: 'Atelier\u0000' } }), 422);
    expect(paths(body)).toEqual(['company.legalName']);
  });

  it('a number far out of range → 422', async () => {
    const d = demoDossier();
    const body = problem(
      await post(
        `${JSON.stringify({ ...d, equipment: [] }).replace('"equipment":[]', '"equipment":[{"description":"x","category":"logiciel","quantity":1e400,"unitPriceCents":1}]')}`,
      ),
      422,
    );
    expect(paths(body)).toEqual(['equipment.0.quantity']);
  });

  it('empty JSON body → 400', async () => {
    problem(await post(''), 400);
  });

  it('not JSON → 415', async () => {
    const res = await post('resellerId=RA', { 'content-type': 'application/x-www-form-urlencoded' });
    problem(res, 415);
  });

  it('wrong types → 422 with each failing path', async () => {
    const d = demoDossier();
    const bad = { ...d, company: { ...d.company, siren: 732829320 }, equipment: [{ ...d.equipment[0], quantity: 'deux' }], consent: 'oui' };
    const body = problem(await post(bad), 422);
    expect(paths(body)).toEqual(['company.siren', 'consent', 'equipment.0.quantity']);
    expect(body.errors?.find((e) => e.path === 'equipment.0.quantity')?.message).toMatch(/nombre/i);
  });

  it('unknown fields at every level → 422 naming each field', async () => {
    const d = demoDossier();
    const bad = {
      ...d,
      extra: 1,
      company: { ...d.company, capital: 1000 },
      dirigeant: { ...d.dirigeant, nickname: 'Cam' },
      equipment: [{ ...d.equipment[0], discount: 5 }],
      financing: { ...d.financing, rate: 6 },
    };
    const body = problem(await post(bad), 422);
    expect(paths(body)).toEqual(['company.capital', 'dirigeant.nickname', 'equipment.0.discount', 'extra', 'financing.rate']);
    expect(body.errors?.every((e) => /inconnu/i.test(e.message))).toBe(true);
  });

  it('13 equipment lines → 422 on equipment', async () => {
    const d = demoDossier();
    const line = { description: 'Licence', category: 'logiciel' as const, quantity: 1, unitPriceCents: 10_000 };
    const body = problem(await post({ ...d, equipment: Array.from({ length: 13 }, () => line) }), 422);
    expect(paths(body)).toEqual(['equipment']);
    expect(body.errors?.[0]?.message).toMatch(/12/);
  });

  it('a SIREN failing Luhn → 422 on company.siren', async () => {
    const d = demoDossier();
    const body = problem(await post({ ...d, company: { ...d.company, siren: '912345676' } }), 422);
    expect(paths(body)).toEqual(['company.siren']);
    expect(body.detail).toContain('company.siren');
  });

  it('a future creation date → 422 on company.creationDate', async () => {
    const d = demoDossier();
    const tomorrow = addDays(parisDateOf(new Date()), 1);
    const body = problem(await post({ ...d, company: { ...d.company, creationDate: tomorrow } }), 422);
    expect(paths(body)).toEqual(['company.creationDate']);
    expect(body.errors?.[0]?.message).toMatch(/futur/);
  });

  it('an oversize body → 413', async () => {
    const d = demoDossier();
    const body = problem(await post({ ...d, padding: 'x'.repeat(70 * 1024) }), 413);
    expect(body.type).toMatch(/body-too-large$/);
  });

  it('a missing Idempotency-Key → 400 naming the header', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/dossiers',
      headers: { authorization: `Bearer ${resellerKey}`, 'content-type': 'application/json' },
      payload: demoDossier(),
    });
    const body = problem(res, 400);
    expect(paths(body)).toEqual(['idempotency-key']);
    expect(body.detail).toMatch(/Idempotency-Key/);
  });

  it('another reseller’s label number in the body → 403', async () => {
    const body = problem(await post(demoDossier({ resellerId: DEMO.resellers.lyon })), 403);
    expect(paths(body)).toEqual(['resellerId']);
  });

  it('an unknown bank → 422 on bankId', async () => {
    const body = problem(await post(demoDossier({ bankId: 'NOBANK' })), 422);
    expect(paths(body)).toEqual(['bankId']);
  });
});

describe('authentication and roles', () => {
  it('a missing API key → 401', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/v1/dossiers' });
    problem(res, 401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('a wrong API key → 401, whatever its shape', async () => {
    for (const key of ['nope', resellerKey.slice(0, -2) + 'xx', 'psp_aaaaaaaaaa_' + 'b'.repeat(43)]) {
      const res = await api.app.inject({ method: 'GET', url: '/v1/dossiers', headers: { authorization: `Bearer ${key}` } });
      expect(problem(res, 401).type).toMatch(/invalid-api-key$/);
    }
    const basic = await api.app.inject({ method: 'GET', url: '/v1/dossiers', headers: { authorization: `Basic ${resellerKey}` } });
    problem(basic, 401);
  });

  it('authentication comes before the body: no key and a broken body → 401', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/v1/dossiers', headers: { 'content-type': 'application/json' }, payload: '{' });
    problem(res, 401);
  });

  it('the wrong role → 403 (a bank posting a dossier, a reseller reading the bank queue)', async () => {
    const asBank = await post(demoDossier(), { authorization: `Bearer ${bankKey}` });
    expect(problem(asBank, 403).detail).toMatch(/revendeur/);
    const asReseller = await api.app.inject({ method: 'GET', url: '/v1/bank/dossiers', headers: { authorization: `Bearer ${resellerKey}` } });
    problem(asReseller, 403);
  });

  it('an unknown route → 404 problem', async () => {
    problem(await api.app.inject({ method: 'GET', url: '/v1/nothing', headers: { authorization: `Bearer ${resellerKey}` } }), 404);
  });
});

describe('reading and deciding what is not yours', () => {
  async function storedDossier(resellerId: string, bankId: string = DEMO.banks.alpes) {
    const dossier = DossierSchema.parse(demoDossier({ resellerId, bankId }));
    const { dossier: record } = await insertDossierIdempotent(api.sql, {
      resellerId,
      bankId,
      idempotencyKey: crypto.randomUUID(),
      siren: dossier.company.siren,
      totalAmountCents: totalAmountCents(dossier),
      body: dossier,
    });
    return record.id;
  }

  it('a reseller reading another reseller’s dossier → 404, like an unknown one', async () => {
    const id = await storedDossier(DEMO.resellers.lyon);
    const other = await api.app.inject({ method: 'GET', url: `/v1/dossiers/${id}`, headers: { authorization: `Bearer ${resellerKey}` } });
    const unknown = await api.app.inject({ method: 'GET', url: `/v1/dossiers/${crypto.randomUUID()}`, headers: { authorization: `Bearer ${resellerKey}` } });
    expect(problem(other, 404).title).toBe(problem(unknown, 404).title);
    const owner = await api.app.inject({ method: 'GET', url: `/v1/dossiers/${id}`, headers: { authorization: `Bearer ${api.key('reseller', DEMO.resellers.lyon)}` } });
    expect(owner.statusCode).toBe(200);
    const list = await api.app.inject({ method: 'GET', url: '/v1/dossiers', headers: { authorization: `Bearer ${resellerKey}` } });
    expect(list.json<{ dossiers: { dossierId: string }[] }>().dossiers.map((d) => d.dossierId)).not.toContain(id);
  });

  it('a malformed dossier id → 400 on params', async () => {
    const body = problem(await api.app.inject({ method: 'GET', url: '/v1/dossiers/42', headers: { authorization: `Bearer ${resellerKey}` } }), 400);
    expect(paths(body)).toEqual(['id']);
  });

  it('a bank deciding another bank’s dossier → 403; a dossier not pending → 409; unknown → 404', async () => {
    const id = await storedDossier(DEMO.resellers.grenoble, DEMO.banks.cooperatif);
    const decide = (dossierId: string, key = bankKey) =>
      api.app.inject({
        method: 'POST',
        url: `/v1/bank/dossiers/${dossierId}/decision`,
        headers: { authorization: `Bearer ${key}` },
        payload: { decision: 'approve', analyst: 'l.girard' },
      });
    await markAwaitingAnalyst(api.sql, id, [{ code: 'risky_sector', detail: 'Secteur' }], new Date(Date.now() + 3_600_000).toISOString());
    expect(problem(await decide(id), 403).type).toMatch(/wrong-bank$/);
    const notPending = await storedDossier(DEMO.resellers.grenoble);
    expect(problem(await decide(notPending), 409).type).toMatch(/not-pending$/);
    problem(await decide(crypto.randomUUID()), 404);
  });

  it('a decision with an unknown reason code, or reserved to the engine → 422 on reasonCode', async () => {
    const id = await storedDossier(DEMO.resellers.grenoble);
    for (const reasonCode of ['bad_mood', 'deadline_expired']) {
      const res = await api.app.inject({
        method: 'POST',
        url: `/v1/bank/dossiers/${id}/decision`,
        headers: { authorization: `Bearer ${bankKey}` },
        payload: { decision: 'decline', analyst: 'l.girard', reasonCode, text: 'Non' },
      });
      expect(paths(problem(res, 422))).toEqual(['reasonCode']);
    }
    const unknownDecision = await api.app.inject({
      method: 'POST',
      url: `/v1/bank/dossiers/${id}/decision`,
      headers: { authorization: `Bearer ${bankKey}` },
      payload: { decision: 'maybe', analyst: 'l.girard' },
    });
    expect(paths(problem(unknownDecision, 422))).toEqual(['decision']);
  });

  it('a bad list filter → 400 on the query', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/v1/dossiers?status=lost', headers: { authorization: `Bearer ${resellerKey}` } });
    expect(paths(problem(res, 400))).toEqual(['status']);
  });
});
