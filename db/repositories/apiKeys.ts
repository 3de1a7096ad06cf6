import crypto from 'node:crypto';
import type { Sql } from '../connect.ts';
import type { Role } from '../../domain/roles.ts';

export interface Principal {
  organisationId: string;
  role: Role;
  keyId: string;
}

/**
 * Keys look like `psp_<prefix>_<secret>`: the prefix (public, 10 characters)
 * finds the row, the SHA-256 of the whole key proves it. 32 random bytes of
 * secret make a plain hash enough (no password stretching needed).
 */
const KEY_PATTERN = /^psp_([a-z0-9]{10})_([A-Za-z0-9_-]{20,100})$/;

export function hashApiKey(key: string): string {
  return crypto.createHash('sha256').update(key).digest('hex');
}

function base32ish(bytes: Buffer, length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  for (const b of bytes) out += alphabet[b % 32];
  return out.slice(0, length);
}

/** A fresh random key, or a deterministic one derived from `seed` (demo data only). */
export function generateApiKey(seed?: string): { key: string; prefix: string } {
  const material = seed ? crypto.createHash('sha512').update(`passeport-demo-key:${seed}`).digest() : crypto.randomBytes(64);
  const prefix = base32ish(material.subarray(0, 10), 10);
  const secret = material.subarray(16, 48).toString('base64url');
  return { key: `psp_${prefix}_${secret}`, prefix };
}

/** Stores a key's hash; returns the key itself, which is shown once and never stored. */
export async function createApiKey(sql: Sql, organisationId: string, role: Role, options: { label?: string; seed?: string } = {}): Promise<string> {
  const { key, prefix } = generateApiKey(options.seed);
  await sql`
    insert into api_keys (prefix, hash, organisation_id, role, label)
    values (${prefix}, ${hashApiKey(key)}, ${organisationId}, ${role}, ${options.label ?? ''})
    on conflict (prefix) do nothing`;
  return key;
}

/** The principal a presented key stands for, or null when it is malformed, unknown or revoked. */
export async function findPrincipalByApiKey(sql: Sql, presented: string): Promise<Principal | null> {
  const match = KEY_PATTERN.exec(presented);
  if (!match) return null;
  const rows = await sql<{ id: string; hash: string; organisation_id: string; role: Role }[]>`
    select id, hash, organisation_id, role from api_keys
    where prefix = ${match[1]!} and revoked_at is null`;
  const row = rows[0];
  if (!row) return null;
  const expected = Buffer.from(row.hash, 'hex');
  const actual = Buffer.from(hashApiKey(presented), 'hex');
  if (expected.length !== actual.length || !crypto.timingSafeEqual(expected, actual)) return null;
  return { organisationId: row.organisation_id, role: row.role, keyId: row.id };
}

/**
 * Revokes a key named by its public prefix (`l3ngly7dmu`, `psp_l3ngly7dmu`) or
 * given whole, as `db create-key` printed it (then only if the whole key
 * matches). Returns false when no active key fits.
 */
export async function revokeApiKey(sql: Sql, keyOrPrefix: string): Promise<boolean> {
  const given = keyOrPrefix.trim();
  const whole = KEY_PATTERN.exec(given);
  const prefix = whole ? whole[1]! : /^(?:psp_)?([a-z0-9]{10})_?$/.exec(given)?.[1];
  if (!prefix) return false;
  const rows = whole
    ? await sql`update api_keys set revoked_at = now() where prefix = ${prefix} and hash = ${hashApiKey(given)} and revoked_at is null returning id`
    : await sql`update api_keys set revoked_at = now() where prefix = ${prefix} and revoked_at is null returning id`;
  return rows.length === 1;
}
