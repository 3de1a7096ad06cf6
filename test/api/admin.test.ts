/** The programme operator keeps the registries through the API; the checks read them at once. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { createInProcessEngine, startApi, type ApiHarness } from './support.ts';
import { demoDossier, type DossierOverrides } from '../activities/fixtures.ts';
import { DEMO } from '../../db/seed.ts';
import { createApiKey } from '../../db/repositories/apiKeys.ts';
import type { DossierView } from '../../domain/outcomes.ts';

let api: ApiHarness;
let adminKey: string;

beforeAll(async () => {
  api = await startApi((sql) => createInProcessEngine(sql));
  adminKey = api.key('admin', DEMO.programme);
});
afterAll(async () => api?.close());

const put = (url: string, payload: Record<string, unknown>, key = adminKey) => api.app.inject({ method: 'PUT', url, headers: { authorization: `Bearer ${key}` }, payload });

const policy = {
  tariff: { pricing: 'rate', rates: [{ durationMonths: 36, yearlyRateBasisPoints: 500 }], minAmountCents: 100_000, maxAmountCents: 2_000_000, products: ['credit_bail'] },
  riskyNafCodes: [],
  delegationCeilingCents: 1_500_000,
};

describe('admin registry routes', () => {
  it('are for the admin role only', async () => {
    const res = await put('/v1/admin/banks/NEWBANK', { name: 'X', kind: 'bank', active: true }, api.key('reseller', DEMO.resellers.grenoble));
    expect(res.statusCode).toBe(403);
  });

  it('set up a bank, a reseller, a protocol and a passport that a dossier then passes', async () => {
    expect((await put('/v1/admin/banks/BQNORD', { name: 'Banque du Nord (test)', kind: 'bank', active: true })).statusCode).toBe(200);
    expect((await put('/v1/admin/resellers/RA-2026-0500', { name: 'Nord Informatique', labelled: true, charterSignedOn: '2026-10-01', active: true })).statusCode).toBe(200);
    expect((await put('/v1/admin/protocols/RA-2026-0500/BQNORD', { active: true, policy })).statusCode).toBe(200);
    expect((await put('/v1/admin/passports/PEN-2026-009001', { siren: '981234560', status: 'issued', validatedModules: ['M1', 'M2', 'M3'] })).statusCode).toBe(200);
    const resellerKey = await createApiKey(api.sql, 'RA-2026-0500', 'reseller');

    const submit = (overrides: DossierOverrides = {}) =>
      api.app.inject({
        method: 'POST',
        url: '/v1/dossiers',
        headers: { authorization: `Bearer ${resellerKey}`, 'idempotency-key': crypto.randomUUID() },
        payload: demoDossier({
          resellerId: 'RA-2026-0500',
          bankId: 'BQNORD',
          passportNumber: 'PEN-2026-009001',
          company: { siren: '981234560' },
          ...overrides,
        }) as unknown as Record<string, unknown>,
      });
    const first = await submit();
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json<DossierView>().status).toBe('approved');

    // The registry is read at once: an excluded dirigeant becomes a hard case, then not once removed.
    const person = { lastName: 'Lambert', firstName: 'Hugo', birthDate: '1979-02-03' };
    const added = await api.app.inject({
      method: 'POST',
      url: '/v1/admin/excluded-persons',
      headers: { authorization: `Bearer ${adminKey}` },
      payload: { ...person, kind: 'personal_bankruptcy', source: 'Tribunal judiciaire de Lille (test)' },
    });
    expect(added.statusCode).toBe(200);
    const hard = await submit({ dirigeant: person });
    expect(hard.json<DossierView>()).toMatchObject({ status: 'awaiting_analyst', hardCases: [{ code: 'excluded_person' }] });
    const removed = await api.app.inject({
      method: 'DELETE',
      url: `/v1/admin/excluded-persons/${added.json<{ id: string }>().id}`,
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(removed.statusCode).toBe(200);
    expect((await submit({ dirigeant: person })).json<DossierView>().status).toBe('approved');

    // A revoked passport makes the next dossier irrecevable.
    await put('/v1/admin/passports/PEN-2026-009001', { siren: '981234560', status: 'revoked', validatedModules: ['M1', 'M2', 'M3'] });
    expect((await submit()).json<DossierView>()).toMatchObject({ status: 'ineligible', ineligibility: [{ code: 'passport_not_issued' }] });
  });

  it('refuse a malformed policy with the failing paths, and organisations of the wrong kind', async () => {
    const bad = await put(`/v1/admin/protocols/${DEMO.resellers.grenoble}/${DEMO.banks.alpes}`, {
      active: true,
      policy: { ...policy, tariff: { ...policy.tariff, rates: [{ durationMonths: 30, yearlyRateBasisPoints: 500 }] }, riskyNafCodes: ['restaurants'] },
    });
    expect(bad.statusCode).toBe(422);
    expect(
      bad
        .json<{ errors: { path: string }[] }>()
        .errors.map((e) => e.path)
        .sort(),
    ).toEqual(['policy.riskyNafCodes.0', 'policy.tariff.rates.0.durationMonths']);
    const wrongKind = await put(`/v1/admin/protocols/${DEMO.banks.alpes}/${DEMO.banks.cooperatif}`, { active: true, policy });
    expect(wrongKind.statusCode).toBe(409);
    const unknown = await put(`/v1/admin/protocols/RA-0000/${DEMO.banks.alpes}`, { active: true, policy });
    expect(unknown.statusCode).toBe(404);
    const bankAsReseller = await put(`/v1/admin/resellers/${DEMO.banks.alpes}`, { name: 'x', labelled: true, charterSignedOn: null, active: true });
    expect(bankAsReseller.statusCode).toBe(409);
    const badSiren = await put('/v1/admin/passports/PEN-X', { siren: '123456789', status: 'issued', validatedModules: [] });
    expect(badSiren.statusCode).toBe(422);
    const missing = await api.app.inject({ method: 'DELETE', url: '/v1/admin/excluded-persons/999999', headers: { authorization: `Bearer ${adminKey}` } });
    expect(missing.statusCode).toBe(404);
  });
});
