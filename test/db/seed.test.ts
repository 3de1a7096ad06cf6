import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/db.ts';
import { DEMO, seedDemo } from '../../db/seed.ts';
import { findPrincipalByApiKey } from '../../db/repositories/apiKeys.ts';
import { isValidSiren } from '../../domain/siren.ts';
import { BankPolicySchema } from '../../domain/policy.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

const counts = async () =>
  (
    await db.sql<{ t: string; n: number }[]>`
    select 'organisations' t, count(*)::int n from organisations union all
    select 'protocols', count(*)::int from protocols union all
    select 'passports', count(*)::int from passports union all
    select 'excluded', count(*)::int from excluded_persons union all
    select 'keys', count(*)::int from api_keys`
  ).map((r) => `${r.t}=${r.n}`);

describe('seedDemo', () => {
  it('is idempotent and returns the same deterministic keys each time', async () => {
    const first = await seedDemo(db.sql);
    const before = await counts();
    const second = await seedDemo(db.sql);
    expect(await counts()).toEqual(before);
    expect(second.apiKeys).toEqual(first.apiKeys);
    const roles = new Set(first.apiKeys.map((k) => k.role));
    expect([...roles].sort()).toEqual(['admin', 'archivist', 'bank', 'creator', 'reseller']);
  });

  it('gives keys that authenticate as their organisation and role', async () => {
    const { apiKeys } = await seedDemo(db.sql);
    for (const k of apiKeys) {
      expect(await findPrincipalByApiKey(db.sql, k.key)).toMatchObject({ organisationId: k.organisation, role: k.role });
    }
  });

  it('holds valid SIRENs, valid policies and the registry cases the demo relies on', async () => {
    for (const p of Object.values(DEMO.passports)) expect(isValidSiren(p.siren), p.siren).toBe(true);
    const policies = await db.sql<{ bank_id: string; policy: unknown }[]>`select bank_id, policy from protocols`;
    for (const p of policies) BankPolicySchema.parse(p.policy);
    const byBank = new Map(policies.map((p) => [p.bank_id, BankPolicySchema.parse(p.policy)]));
    expect(byBank.get(DEMO.banks.alpes)?.riskyNafCodes).toContain('56.10A');
    expect(byBank.get(DEMO.banks.cooperatif)?.timeoutDefault).toBe('approve');
    expect(byBank.get(DEMO.banks.leasing)?.autoDeclineExcludedPersons).toBe(true);
    const [revoked] = await db.sql`select status from passports where number = ${DEMO.passports.revoked.number}`;
    expect(revoked?.status).toBe('revoked');
    const kinds = await db.sql<{ kind: string }[]>`select distinct kind from excluded_persons order by kind`;
    expect(kinds.map((k) => k.kind)).toEqual(['court_ban', 'dirigeant_060', 'personal_bankruptcy']);
  });
});
