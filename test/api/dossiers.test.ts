/**
 * The dossier routes end to end over the real database, real API keys and the
 * real activities. The workflow engine is the in-process test double of
 * test/api/support.ts; the Temporal path is covered by test/integration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { createInProcessEngine, startApi, type ApiHarness } from './support.ts';
import { demoDossier, type DossierOverrides } from '../activities/fixtures.ts';
import { DEMO } from '../../db/seed.ts';
import { listOutbox } from '../../db/repositories/outbox.ts';
import type { DossierView } from '../../domain/outcomes.ts';
import { DEFAULT_DEADLINES } from '../../domain/schedule-deadlines.ts';
import { createDossierActivities } from '../../activities/dossier.ts';
import { createLocalGuarantor } from '../../guarantor/local.ts';

let api: ApiHarness;
let reseller: string;
let bank: string;

beforeAll(async () => {
  api = await startApi((sql) => createInProcessEngine(sql));
  reseller = api.key('reseller', DEMO.resellers.grenoble);
  bank = api.key('bank', DEMO.banks.alpes);
});
afterAll(async () => api?.close());

function submit(overrides: DossierOverrides = {}, key: string = crypto.randomUUID(), payload: unknown = demoDossier(overrides)) {
  return api.app.inject({
    method: 'POST',
    url: '/v1/dossiers',
    headers: { authorization: `Bearer ${reseller}`, 'idempotency-key': key },
    payload: payload as Record<string, unknown>,
  });
}

describe('POST /v1/dossiers', () => {
  it('approves an eligible dossier by default, with the guarantee reference', async () => {
    const res = await submit();
    expect(res.statusCode, res.body).toBe(201);
    const view = res.json<DossierView>();
    expect(view.status).toBe('approved');
    expect(view.decision).toMatchObject({ outcome: 'approved', decidedBy: 'rule' });
    expect(view.guarantee).toMatchObject({ status: 'granted', mode: 'delegated' });
    expect(view.decision?.guaranteeReference).toBe(view.guarantee?.status === 'granted' ? view.guarantee.reference : 'missing');
    expect(res.headers.location).toBe(`/v1/dossiers/${view.dossierId}`);
  });

  it('replays the same key and body as the same dossier (200), refuses another body under it (422)', async () => {
    const key = crypto.randomUUID();
    const payload = demoDossier();
    const first = await submit({}, key, payload);
    const again = await submit({}, key, payload);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json<DossierView>().dossierId).toBe(first.json<DossierView>().dossierId);
    expect(again.json<DossierView>().status).toBe('approved');

    const other = await submit({}, key, demoDossier({ financing: { durationMonths: 48 } }));
    expect(other.statusCode).toBe(422);
    expect(other.headers['content-type']).toMatch(/problem\+json/);
    expect(other.json()).toMatchObject({ type: expect.stringMatching(/idempotency-key-reused$/), dossierId: first.json<DossierView>().dossierId });
    const count = await api.sql`select count(*)::int as n from dossiers where idempotency_key = ${key}`;
    expect(count[0]?.n).toBe(1);
  });

  it('answers an irrecevable dossier with its reasons', async () => {
    const res = await submit({ passportNumber: DEMO.passports.revoked.number, company: { siren: DEMO.passports.revoked.siren } });
    expect(res.statusCode).toBe(201);
    const view = res.json<DossierView>();
    expect(view.status).toBe('ineligible');
    expect(view.ineligibility.map((r) => r.code)).toEqual(['passport_not_issued']);
    expect(view.ineligibility[0]?.detail).toMatch(/Passeport/);
  });

  it('declines by policy when the leasing company meets an excluded dirigeant', async () => {
    const res = await submit({
      bankId: DEMO.banks.leasing,
      dirigeant: { ...DEMO.excludedPersons.bankruptcy },
      financing: { product: 'location_financiere', durationMonths: 36, periodicity: 'monthly', residualValuePercent: undefined },
    });
    expect(res.json<DossierView>()).toMatchObject({ status: 'declined', decision: { decidedBy: 'policy', reasonCode: 'automatic_exclusion' } });
  });
});

describe('a hard case through the bank', () => {
  it('reaches the bank queue; the bank declines; the reseller reads the decision', async () => {
    const res = await submit({ company: { naf: '56.10A', legalName: 'Bistrot du Marché' } });
    expect(res.statusCode).toBe(201);
    const view = res.json<DossierView>();
    expect(view.status).toBe('awaiting_analyst');
    expect(view.hardCases.map((h) => h.code)).toEqual(['risky_sector']);
    expect(Date.parse(view.decisionDeadline ?? '') - Date.now()).toBeGreaterThan(23 * 3600 * 1000);

    const queue = await api.app.inject({ method: 'GET', url: '/v1/bank/dossiers?status=awaiting_analyst', headers: { authorization: `Bearer ${bank}` } });
    expect(queue.statusCode).toBe(200);
    const entry = queue.json<{ dossiers: (DossierView & { companyName: string; dossier: { company: { naf: string } } })[] }>().dossiers.find((d) => d.dossierId === view.dossierId);
    expect(entry).toMatchObject({ companyName: 'Bistrot du Marché', hardCases: [{ code: 'risky_sector' }], dossier: { company: { naf: '56.10A' } } });
    expect(entry?.decisionDeadline).toBe(view.decisionDeadline);

    // Another bank sees nothing of it.
    const otherBank = await api.app.inject({ method: 'GET', url: '/v1/bank/dossiers', headers: { authorization: `Bearer ${api.key('bank', DEMO.banks.cooperatif)}` } });
    expect(otherBank.json<{ dossiers: DossierView[] }>().dossiers.map((d) => d.dossierId)).not.toContain(view.dossierId);

    const decision = await api.app.inject({
      method: 'POST',
      url: `/v1/bank/dossiers/${view.dossierId}/decision`,
      headers: { authorization: `Bearer ${bank}` },
      payload: { decision: 'decline', analyst: 'm.fabre', reasonCode: 'sector', text: 'Restauration hors de notre politique cette année.' },
    });
    expect(decision.statusCode, decision.body).toBe(200);
    expect(decision.json<DossierView>()).toMatchObject({ status: 'declined', decision: { decidedBy: 'analyst', reasonCode: 'sector' } });

    const again = await api.app.inject({
      method: 'POST',
      url: `/v1/bank/dossiers/${view.dossierId}/decision`,
      headers: { authorization: `Bearer ${bank}` },
      payload: { decision: 'approve', analyst: 'm.fabre' },
    });
    expect(again.statusCode).toBe(409);

    const read = await api.app.inject({ method: 'GET', url: `/v1/dossiers/${view.dossierId}`, headers: { authorization: `Bearer ${reseller}` } });
    expect(read.json()).toMatchObject({
      status: 'declined',
      decision: { outcome: 'declined', analyst: 'm.fabre', text: 'Restauration hors de notre politique cette année.' },
      decisionDeadline: null,
    });
    const history = await api.app.inject({ method: 'GET', url: `/v1/dossiers/${view.dossierId}/events`, headers: { authorization: `Bearer ${reseller}` } });
    expect(history.json<{ events: { seq: number; type: string }[] }>().events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'eligibility_checked'],
      [2, 'guarantee_answered'],
      [3, 'awaiting_analyst'],
      [4, 'decided'],
    ]);
    const foreign = await api.app.inject({
      method: 'GET',
      url: `/v1/dossiers/${view.dossierId}/events`,
      headers: { authorization: `Bearer ${api.key('reseller', DEMO.resellers.lyon)}` },
    });
    expect(foreign.statusCode).toBe(404);
    const notices = (await listOutbox(api.sql, view.dossierId)).filter((m) => m.kind === 'decision_notice');
    expect(notices.map((m) => m.recipientOrganisationId)).toEqual([DEMO.resellers.grenoble]);
  });

  it('an analyst approves with conditions', async () => {
    const res = await submit({ dirigeant: { ...DEMO.excludedPersons.courtBan } });
    const view = res.json<DossierView>();
    expect(view).toMatchObject({ status: 'awaiting_analyst', hardCases: [{ code: 'excluded_person' }] });
    const decision = await api.app.inject({
      method: 'POST',
      url: `/v1/bank/dossiers/${view.dossierId}/decision`,
      headers: { authorization: `Bearer ${bank}` },
      payload: { decision: 'approve', analyst: 'm.fabre', conditions: { amountCents: 800_000, depositCents: 100_000, text: 'Caution personnelle' } },
    });
    expect(decision.json()).toMatchObject({ status: 'approved', decision: { conditions: { amountCents: 800_000, depositCents: 100_000 } } });
  });
});

describe('GET /v1/dossiers', () => {
  it('lists the reseller’s dossiers with a status filter, and the bank’s addressed ones', async () => {
    const mine = await api.app.inject({ method: 'GET', url: '/v1/dossiers?status=approved', headers: { authorization: `Bearer ${reseller}` } });
    expect(mine.statusCode).toBe(200);
    const list = mine.json<{ dossiers: { status: string; resellerId: string }[] }>().dossiers;
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((d) => d.status === 'approved' && d.resellerId === DEMO.resellers.grenoble)).toBe(true);

    const leasing = await api.app.inject({ method: 'GET', url: '/v1/dossiers', headers: { authorization: `Bearer ${api.key('bank', DEMO.banks.leasing)}` } });
    const addressed = leasing.json<{ dossiers: { bankId: string }[] }>().dossiers;
    expect(addressed.length).toBe(1);
    expect(addressed[0]?.bankId).toBe(DEMO.banks.leasing);
  });
});

describe('GET /v1/notifications', () => {
  it('gives the bank its reminders and the reseller its answers, after a cursor', async () => {
    const res = await submit({ company: { naf: '47.11B' } });
    const { dossierId } = res.json<DossierView>();
    const activities = createDossierActivities({ sql: api.sql, guarantor: createLocalGuarantor(api.sql) });
    await activities.sendReminder(dossierId, 43_200);
    const read = async (key: string, after = 0) =>
      (await api.app.inject({ method: 'GET', url: `/v1/notifications?after=${after}`, headers: { authorization: `Bearer ${key}` } })).json<{
        notifications: { id: string; dossierId: string; kind: string; offsetSeconds: number }[];
      }>().notifications;

    const forBank = (await read(bank)).filter((n) => n.dossierId === dossierId);
    expect(forBank.map((n) => [n.kind, n.offsetSeconds])).toEqual([['bank_reminder', 43_200]]);
    expect(await read(api.key('bank', DEMO.banks.cooperatif))).toEqual([]);

    await api.app.inject({
      method: 'POST',
      url: `/v1/bank/dossiers/${dossierId}/decision`,
      headers: { authorization: `Bearer ${bank}` },
      payload: { decision: 'approve', analyst: 'm.fabre' },
    });
    const all = await read(reseller);
    const last = all.at(-1);
    expect(last).toMatchObject({ dossierId, kind: 'decision_notice' });
    expect(await read(reseller, Number(last?.id))).toEqual([]);
    const badCursor = await api.app.inject({ method: 'GET', url: '/v1/notifications?after=abc', headers: { authorization: `Bearer ${reseller}` } });
    expect(badCursor.statusCode).toBe(400);
  });
});

describe('dossiers stored while the engine was down', () => {
  it('answer 503 with the dossier id, and are started by the next retry or by resumeStalledDossiers', async () => {
    const { buildServer } = await import('../../api/server.ts');
    const { resumeStalledDossiers } = await import('../../api/resume.ts');
    const down = await buildServer({
      sql: api.sql,
      engine: { start: async () => Promise.reject(new Error('Temporal injoignable')), decide: async () => Promise.reject(new Error('x')), status: async () => null },
    });
    const post = (app: typeof down, key: string) =>
      app.inject({
        method: 'POST',
        url: '/v1/dossiers',
        headers: { authorization: `Bearer ${reseller}`, 'idempotency-key': key },
        payload: demoDossier() as unknown as Record<string, unknown>,
      });
    const keyA = crypto.randomUUID();
    const keyB = crypto.randomUUID();
    const refusedA = await post(down, keyA);
    const refusedB = await post(down, keyB);
    await down.close();
    expect(refusedA.statusCode).toBe(503);
    expect(refusedA.json()).toMatchObject({ type: expect.stringMatching(/engine-unavailable$/), dossierId: expect.any(String) });

    // The reseller retries with the same key: the same dossier goes on.
    const retried = await post(api.app, keyA);
    expect(retried.statusCode).toBe(200);
    expect(retried.json<DossierView>()).toMatchObject({ dossierId: refusedA.json().dossierId, status: 'approved' });

    // The other one is picked up by the sweep.
    await api.sql`update dossiers set accepted_at = accepted_at - interval '5 minutes' where id = ${refusedB.json().dossierId}`;
    const { resumed } = await resumeStalledDossiers({
      sql: api.sql,
      engine: createInProcessEngine(api.sql),
      config: { deadlines: { ...DEFAULT_DEADLINES, reminderOffsetsSeconds: [] } },
    });
    expect(resumed).toEqual([refusedB.json().dossierId]);
    const read = await api.app.inject({ method: 'GET', url: `/v1/dossiers/${refusedB.json().dossierId}`, headers: { authorization: `Bearer ${reseller}` } });
    expect(read.json<DossierView>().status).toBe('approved');
  });
});
