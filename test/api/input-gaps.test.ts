/**
 * Issue 9's input gaps, each refused with a precise 4xx naming the field, never
 * a 500 and never a value the database or the workflow would choke on later.
 * Every test here failed before its fix (status or paths in the comment).
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { startApi, unreachableEngine, type ApiHarness } from './support.ts';
import { demoDossier } from '../activities/fixtures.ts';
import { DEMO } from '../../db/seed.ts';
import { insertDossierIdempotent, markAwaitingAnalyst } from '../../db/repositories/dossiers.ts';
import { DossierSchema, totalAmountCents } from '../../domain/dossier.ts';
import { addMonths, parisDateOf } from '../../domain/dates.ts';

let api: ApiHarness;
const engine = unreachableEngine();

beforeAll(async () => {
  api = await startApi(() => engine);
});
afterAll(async () => {
  expect(engine.calls).toEqual([]);
  await api?.close();
});

const reseller = () => api.key('reseller', DEMO.resellers.grenoble);

function send(url: string, payload: string, headers: Record<string, string> = {}, method: 'POST' | 'PUT' = 'POST') {
  return api.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${reseller()}`, 'idempotency-key': crypto.randomUUID(), 'content-type': 'application/json', ...headers },
    payload,
  });
}

function problemPaths(res: LightMyRequestResponse, status: number): string[] {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  return (res.json<{ errors?: { path: string }[] }>().errors ?? []).map((e) => e.path);
}

/** JSON text with a lone high surrogate where `marker` was (JSON.stringify would escape a real one the same way). */
const withLoneSurrogate = (value: unknown, marker: string) => JSON.stringify(value).replace(marker, `${marker}\\ud800`);

describe('text the database cannot store', () => {
  it('a lone UTF-16 surrogate in a dossier → 422 naming the field (was 500)', async () => {
    const res = await send('/v1/dossiers', withLoneSurrogate(demoDossier(), 'Atelier Numérique'));
    expect(problemPaths(res, 422)).toEqual(['company.legalName']);
    expect(res.json<{ detail: string }>().detail).toMatch(/Unicode mal formé/);
  });

  it('a lone surrogate in an analyst decision → 422 naming the field, before the workflow sees it (was accepted, then retried forever)', async () => {
    const dossier = DossierSchema.parse(demoDossier());
    const { dossier: record } = await insertDossierIdempotent(api.sql, {
      resellerId: dossier.resellerId,
      bankId: dossier.bankId,
      idempotencyKey: crypto.randomUUID(),
      siren: dossier.company.siren,
      totalAmountCents: totalAmountCents(dossier),
      body: dossier,
    });
    await markAwaitingAnalyst(api.sql, record.id, [{ code: 'risky_sector', detail: 'Secteur' }], new Date(Date.now() + 3_600_000).toISOString());
    const res = await send(`/v1/bank/dossiers/${record.id}/decision`, withLoneSurrogate({ decision: 'decline', analyst: 'l.girard', reasonCode: 'risk', text: 'Refus' }, 'Refus'), {
      authorization: `Bearer ${api.key('bank', DEMO.banks.alpes)}`,
    });
    expect(problemPaths(res, 422)).toEqual(['text']);
  });

  it('a name of zero-width characters only → 422 (was accepted)', async () => {
    const d = demoDossier();
    const res = await send('/v1/dossiers', JSON.stringify({ ...d, company: { ...d.company, legalName: '\u200b' }, dirigeant: { ...d.dirigeant, lastName: '\u200b\u200d' } }));
    expect(problemPaths(res, 422)).toEqual(['company.legalName', 'dirigeant.lastName']);
  });
});

describe('the body itself', () => {
  it('JSON nested 3,000 deep → 400 on every JSON route (was 500)', async () => {
    const deep = `${'['.repeat(3000)}${']'.repeat(3000)}`;
    for (const url of ['/v1/dossiers', '/v1/quotes']) {
      const res = await send(url, deep);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
      expect(res.json<{ type: string }>().type).toMatch(/json-too-deep$/);
    }
    const admin = await send('/v1/admin/banks/BQ-DEEP', `{"name":${deep}}`, { authorization: `Bearer ${api.key('admin', DEMO.programme)}` }, 'PUT');
    expect(admin.statusCode).toBe(400);
  });

  it('text/plain → 415 (was 422); a charset other than UTF-8 → 415 (was accepted); bytes that are not UTF-8 → 400', async () => {
    const json = JSON.stringify(demoDossier());
    expect((await send('/v1/dossiers', json, { 'content-type': 'text/plain' })).statusCode).toBe(415);
    expect((await send('/v1/dossiers', json, { 'content-type': 'application/json; charset=latin1' })).statusCode).toBe(415);
    const latin1 = await api.app.inject({
      method: 'POST',
      url: '/v1/dossiers',
      headers: { authorization: `Bearer ${reseller()}`, 'idempotency-key': crypto.randomUUID(), 'content-type': 'application/json' },
      payload: Buffer.from(json, 'latin1'),
    });
    expect(latin1.statusCode).toBe(400);
  });

  it('each failing path appears once (a short SIREN was reported twice)', async () => {
    const d = demoDossier();
    const res = await send('/v1/dossiers', JSON.stringify({ ...d, company: { ...d.company, siren: '12345' } }));
    expect(problemPaths(res, 422)).toEqual(['company.siren']);
  });
});

describe('the dirigeant’s birth date', () => {
  it.each([
    ['2020-01-01', 'a child'],
    ['1800-01-01', 'over 120 years old'],
  ])('%s (%s) → 422 on dirigeant.birthDate (was approved)', async (birthDate) => {
    const d = demoDossier();
    const res = await send('/v1/dossiers', JSON.stringify({ ...d, dirigeant: { ...d.dirigeant, birthDate } }));
    expect(problemPaths(res, 422)).toEqual(['dirigeant.birthDate']);
  });
});

describe('quotes apply the dossier’s schema', () => {
  const quote = (payload: Record<string, unknown>, key = reseller()) => api.app.inject({ method: 'POST', url: '/v1/quotes', headers: { authorization: `Bearer ${key}` }, payload });
  const terms = { bankId: DEMO.banks.alpes, amountCents: 1_000_000, product: 'credit_bail', durationMonths: 36, periodicity: 'monthly' };

  it('a start date in year 9999 or year 1 → 422 on startDate (a last due date of 10004-11-30 was computed)', async () => {
    for (const startDate of ['9999-11-30', '0001-01-01']) {
      expect(problemPaths(await quote({ ...terms, startDate }), 422)).toEqual(['startDate']);
    }
    const inAYear = addMonths(parisDateOf(new Date()), 11);
    expect((await quote({ ...terms, startDate: inAYear })).statusCode).toBe(200);
  });

  it('a residual value for location financière → 422, as for a dossier (was quoted)', async () => {
    expect(problemPaths(await quote({ ...terms, product: 'location_financiere', residualValuePercent: 5 }), 422)).toEqual(['residualValuePercent']);
  });

  it('an inactive reseller cannot quote, nor read a bank’s grid → 403 (was 200)', async () => {
    const res = await quote(terms, api.key('reseller', DEMO.resellers.inactive));
    expect(res.statusCode, res.body).toBe(403);
    expect(res.json<{ type: string }>().type).toMatch(/reseller-not-active$/);
  });
});

describe('GET /metrics', () => {
  it('is reserved to the administrator role and speaks Prometheus', async () => {
    expect((await api.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await api.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${reseller()}` } })).statusCode).toBe(403);
    const res = await api.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${api.key('admin', DEMO.programme)}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      'passeport_http_request_duration_seconds',
      'passeport_dossiers',
      'passeport_decisions',
      'passeport_time_to_decision_seconds',
      'passeport_hard_cases_pending',
      'passeport_deadline_defaults',
      'passeport_reminders_sent',
      'passeport_pki_answers_total',
    ]) {
      expect(res.body).toContain(`# TYPE ${name} `);
    }
    expect(res.body).toMatch(/passeport_time_to_decision_seconds_bucket\{le="\+Inf"\} \d+/);
  });
});
