/** Quotes on the seeded tariffs, the OpenAPI document, and the health check. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, unreachableEngine, type ApiHarness } from './support.ts';
import { DEMO } from '../../db/seed.ts';
import { buildServer } from '../../api/server.ts';

let api: ApiHarness;

beforeAll(async () => {
  // The check value below starts on 2026-12-01: quotes start between today and a year ahead, so today is pinned.
  api = await startApi(() => unreachableEngine(), { now: () => new Date('2026-11-24T12:00:00Z') });
});
afterAll(async () => api?.close());

const quote = (payload: Record<string, unknown>, key = api.key('reseller', DEMO.resellers.grenoble)) =>
  api.app.inject({ method: 'POST', url: '/v1/quotes', headers: { authorization: `Bearer ${key}` }, payload });

describe('POST /v1/quotes', () => {
  const check = {
    bankId: DEMO.banks.alpes,
    amountCents: 1_000_000,
    product: 'credit_bail',
    durationMonths: 36,
    periodicity: 'monthly',
    residualValuePercent: 1,
    startDate: '2026-12-01',
  };

  it('returns the check value on the 6 % tariff: 10 000 € / 36 months / VR 1 % → 300.18 €', async () => {
    const res = await quote(check);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ rentCents: number; rentCount: number; residualValueCents: number; schedule: { dueDate: string; outstandingCents: number }[] }>();
    expect(body.rentCents).toBe(30_018);
    expect(body.rentCount).toBe(36);
    expect(body.residualValueCents).toBe(10_000);
    expect(body.schedule).toHaveLength(36);
    expect(body.schedule[0]?.dueDate).toBe('2026-12-01');
    expect(body.schedule.at(-1)?.dueDate).toBe('2029-11-01');
  });

  it('uses the caller’s own protocol tariff: another bank, another rent', async () => {
    const res = await quote({ ...check, bankId: DEMO.banks.cooperatif });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ yearlyRateBasisPoints: number }>().yearlyRateBasisPoints).toBe(580);
  });

  it('is open to the bank role too', async () => {
    const res = await quote(check, api.key('bank', DEMO.banks.alpes));
    expect(res.json<{ rentCents: number }>().rentCents).toBe(30_018);
  });

  it('refuses terms outside the grid (422) and banks without an active protocol (422)', async () => {
    const tooBig = await quote({ ...check, amountCents: 9_000_000 });
    expect(tooBig.statusCode).toBe(422);
    expect(tooBig.json()).toMatchObject({ errors: [{ path: 'amountCents' }] });
    const suspended = await quote(check, api.key('reseller', DEMO.resellers.annecy));
    expect(suspended.statusCode).toBe(422);
    expect(suspended.json()).toMatchObject({ errors: [{ path: 'bankId' }] });
    const badDuration = await quote({ ...check, durationMonths: 30 });
    expect(badDuration.statusCode).toBe(422);
    expect(badDuration.json()).toMatchObject({ errors: [{ path: 'durationMonths' }] });
  });
});

describe('documentation', () => {
  it('serves the OpenAPI 3 document listing every route, and the UI', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/health',
        '/v1/bank/dossiers',
        '/v1/bank/dossiers/{id}/decision',
        '/v1/dossiers',
        '/v1/dossiers/{id}',
        '/v1/dossiers/{id}/events',
        '/v1/notifications',
        '/v1/quotes',
        '/v1/admin/banks/{bankId}',
        '/v1/admin/resellers/{resellerId}',
        '/v1/admin/protocols/{resellerId}/{bankId}',
        '/v1/admin/passports/{number}',
        '/v1/admin/excluded-persons',
        '/v1/admin/excluded-persons/{id}',
        '/v1/dossiers/{id}/decision-letter',
        '/v1/dossiers/{id}/contract',
        '/v1/dossiers/{id}/contract/document',
        '/v1/dossiers/{id}/contract/evidence',
        '/v1/dossiers/{id}/contract/validation-report',
        '/v1/dossiers/{id}/contract/{party}/data-to-sign',
        '/v1/dossiers/{id}/contract/{party}/signature',
        '/v1/dossiers/{id}/contract/{party}/decline',
        '/v1/dossiers/{id}/contract/banque/countersignature',
        '/v1/admin/accounts',
        '/v1/admin/accounts/{id}/disable',
        '/v1/barometers',
      ].sort(),
    );
    expect(Object.keys(doc.paths['/v1/dossiers'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(JSON.stringify(doc.paths['/v1/dossiers'])).toContain('idempotency-key');
    const ui = await api.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/html/);
  });
});

describe('GET /health', () => {
  it('is 200 when the database and Temporal answer', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: { status: 'up' }, temporal: { status: 'up' } });
  });

  it('is 503 naming Temporal when it does not answer', async () => {
    const app = await buildServer({
      sql: api.sql,
      engine: unreachableEngine(),
      checkTemporal: async () => {
        throw new Error('connexion refusée');
      },
    });
    const res = await app.inject({ method: 'GET', url: '/health' });
    await app.close();
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'degraded', database: { status: 'up' }, temporal: { status: 'down', detail: 'connexion refusée' } });
  });
});

describe('mounted route families', () => {
  it('serve the PKI plugin with its own binary parsers at the root, beside the JSON API', async () => {
    const { pkiRoutes } = await import('../../api/routes/pki.ts');
    const seen: Buffer[] = [];
    const app = await buildServer({
      sql: api.sql,
      engine: unreachableEngine(),
      mounts: [{ plugin: pkiRoutes, options: { tsa: { respond: async (query: Buffer) => (seen.push(query), Buffer.from([0x30, 0x00])) } } }],
    });
    const tsa = await app.inject({ method: 'POST', url: '/tsa', headers: { 'content-type': 'application/timestamp-query' }, payload: Buffer.from([1, 2, 3]) });
    const json = await app.inject({
      method: 'POST',
      url: '/v1/quotes',
      headers: { authorization: `Bearer ${api.key('reseller', DEMO.resellers.grenoble)}` },
      payload: { bankId: DEMO.banks.alpes, amountCents: 0 },
    });
    await app.close();
    expect(tsa.statusCode).toBe(200);
    expect(tsa.headers['content-type']).toBe('application/timestamp-reply');
    expect(seen).toEqual([Buffer.from([1, 2, 3])]);
    expect(json.statusCode).toBe(422);
    expect(json.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
