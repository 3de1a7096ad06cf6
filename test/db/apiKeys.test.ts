import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/db.ts';
import { createApiKey, findPrincipalByApiKey, generateApiKey, hashApiKey, revokeApiKey } from '../../db/repositories/apiKeys.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.sql`insert into organisations (id, kind, name) values ('bank-a', 'bank', 'Banque A')`;
});
afterAll(async () => db?.drop());

describe('API keys', () => {
  it('stores only a hash and finds the principal from the key', async () => {
    const key = await createApiKey(db.sql, 'bank-a', 'bank');
    const rows = await db.sql<{ hash: string; prefix: string }[]>`select hash, prefix from api_keys`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.hash).toBe(hashApiKey(key));
    // The secret may itself contain or start with « _ »: take everything after the prefix.
    const secret = /^psp_[a-z0-9]{10}_(.+)$/.exec(key)?.[1];
    expect(secret).toMatch(/^.{20,}$/);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(await findPrincipalByApiKey(db.sql, key)).toMatchObject({ organisationId: 'bank-a', role: 'bank' });
  });

  it('refuses a tampered, malformed or revoked key', async () => {
    const key = await createApiKey(db.sql, 'bank-a', 'bank', { label: 'to revoke' });
    const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(await findPrincipalByApiKey(db.sql, tampered)).toBeNull();
    expect(await findPrincipalByApiKey(db.sql, 'hello')).toBeNull();
    expect(await findPrincipalByApiKey(db.sql, '')).toBeNull();
    await db.sql`update api_keys set revoked_at = now() where label = 'to revoke'`;
    expect(await findPrincipalByApiKey(db.sql, key)).toBeNull();
  });

  it('derives the same demo key from the same seed, random keys otherwise', () => {
    expect(generateApiKey('demo:x').key).toBe(generateApiKey('demo:x').key);
    expect(generateApiKey('demo:x').key).not.toBe(generateApiKey('demo:y').key);
    expect(generateApiKey().key).not.toBe(generateApiKey().key);
  });

  it('revokes a key by its public prefix, once', async () => {
    const key = await createApiKey(db.sql, 'bank-a', 'bank');
    const prefix = key.split('_')[1] ?? '';
    expect(await revokeApiKey(db.sql, prefix)).toBe(true);
    expect(await revokeApiKey(db.sql, prefix)).toBe(false);
    expect(await findPrincipalByApiKey(db.sql, key)).toBeNull();
  });
});
