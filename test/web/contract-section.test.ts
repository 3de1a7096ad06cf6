/**
 * The contract's section of an approved dossier's page when no contract is
 * offered: in the minutes after the accord it is being prepared; long after,
 * online signing is not running on this server (no PKI, no ceremony) and the
 * page says so instead of promising it forever.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../api/server.ts';
import { DEMO } from '../../db/seed.ts';
import type { DossierView } from '../../domain/outcomes.ts';
import { demoDossier } from '../activities/fixtures.ts';
import { createInProcessEngine, startApi, type ApiHarness } from '../api/support.ts';
import { demoEmail, signIn, textOf } from './support.ts';

let api: ApiHarness;
let id = '';

beforeAll(async () => {
  api = await startApi((sql) => createInProcessEngine(sql));
  const res = await api.app.inject({
    method: 'POST',
    url: '/v1/dossiers',
    headers: { authorization: `Bearer ${api.key('reseller', DEMO.resellers.grenoble)}`, 'idempotency-key': crypto.randomUUID() },
    payload: demoDossier() as unknown as Record<string, unknown>,
  });
  expect(res.json<DossierView>().status).toBe('approved');
  id = res.json<DossierView>().dossierId;
});
afterAll(async () => api?.close());

describe('an approved dossier without a contract offered', () => {
  it('is being prepared just after the accord, for the créateur and the reseller', async () => {
    const creator = await signIn(api.app, demoEmail('creator', DEMO.passports.sixModules.siren));
    const page = await creator.get(`/createur/dossiers/${id}`);
    expect(textOf(page.body, 'contrat')).toBe('Le contrat et sa signature');
    expect(page.body).toContain('Le contrat est en préparation');
    const reseller = await signIn(api.app, demoEmail('reseller', DEMO.resellers.grenoble));
    expect((await reseller.get(`/revendeur/dossiers/${id}`)).body).toContain('Le contrat est en préparation');
  });

  it('says online signing is not open once the contract should long have been there', async () => {
    const later = await buildServer({ sql: api.sql, engine: createInProcessEngine(api.sql), now: () => new Date(Date.now() + 11 * 60_000) });
    try {
      const creator = await signIn(later, demoEmail('creator', DEMO.passports.sixModules.siren));
      const page = await creator.get(`/createur/dossiers/${id}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('La signature en ligne n’est pas ouverte pour ce dossier.');
      expect(page.body).not.toContain('Le contrat est en préparation');
    } finally {
      await later.close();
    }
  });
});
