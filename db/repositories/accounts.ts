/**
 * The people who sign in to the web pages: one account per person, with a role
 * and the organisation it acts for. Passwords are hashed with scrypt
 * (node:crypto, memory-hard) and never stored or logged.
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type postgres from 'postgres';
import type { Sql } from '../connect.ts';
import type { Role } from '../../domain/roles.ts';
import { isValidSiren } from '../../domain/siren.ts';
import { AccountError } from '../errors.ts';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

/** OWASP's scrypt setting for 32 MiB of memory: N = 2^15, r = 8, p = 3. */
const SCRYPT = { logN: 15, r: 8, p: 3, keyLength: 32 } as const;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

function scryptOptions(logN: number, r: number, p: number): crypto.ScryptOptions {
  return { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r };
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password.normalize('NFC'), salt, SCRYPT.keyLength, scryptOptions(SCRYPT.logN, SCRYPT.r, SCRYPT.p));
  return ['scrypt', SCRYPT.logN, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** True when `password` matches `stored`; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, logN, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const [n, rr, pp] = [Number(logN), Number(r), Number(p)];
  if (![n, rr, pp].every(Number.isInteger) || n < 10 || n > 20 || rr < 1 || rr > 32 || pp < 1 || pp > 16) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64'), expected.length, scryptOptions(n, rr, pp));
  return expected.length > 0 && crypto.timingSafeEqual(expected, actual);
}

/** Spent on unknown e-mail addresses so that an answer's timing does not tell which accounts exist. */
let decoy: Promise<string> | null = null;
export async function spendPasswordCheck(password: string): Promise<void> {
  decoy ??= hashPassword(crypto.randomBytes(16).toString('hex'));
  await verifyPassword(password, await decoy);
}

/** A password to hand over once: 20 characters from an alphabet without look-alikes (about 110 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY346789';
  let out = '';
  for (let i = 0; i < 20; i++) {
    if (i > 0 && i % 5 === 0) out += '-';
    out += alphabet[crypto.randomInt(alphabet.length)];
  }
  return out;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export type OrganisationKind = 'bank' | 'reseller' | 'programme' | 'company';

/** Which organisations a role may act for: a bank's or the operator's archivists, a créateur's company. */
export const ROLE_ORGANISATION_KINDS: Record<Role, readonly OrganisationKind[]> = {
  reseller: ['reseller'],
  bank: ['bank'],
  archivist: ['bank', 'programme'],
  admin: ['programme'],
  creator: ['company'],
};

export interface Account {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  organisationId: string;
  organisationName: string;
  createdAt: string;
  disabledAt: string | null;
}

interface AccountRow {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  organisation_id: string;
  organisation_name: string;
  password_hash: string;
  created_at: Date;
  disabled_at: Date | null;
}

function fromRow(r: AccountRow): Account {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    role: r.role,
    organisationId: r.organisation_id,
    organisationName: r.organisation_name,
    createdAt: r.created_at.toISOString(),
    disabledAt: r.disabled_at ? r.disabled_at.toISOString() : null,
  };
}

export interface NewAccount {
  email: string;
  displayName: string;
  role: Role;
  organisationId: string;
  password: string;
  /** For a créateur whose company is not yet an organisation: its name (the SIREN is the organisation's identifier). */
  companyName?: string;
}

const ACCOUNT_SELECT = (sql: postgres.ISql) => sql`
  select a.*, o.name as organisation_name from accounts a join organisations o on o.id = a.organisation_id`;

/**
 * Creates an account. A créateur's organisation is their company, named by its
 * SIREN: it is registered on first use. Refusals throw AccountError.
 */
export async function createAccount(sql: Sql, input: NewAccount): Promise<Account> {
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AccountError('password_too_short', 'password', `Le mot de passe compte au moins ${MIN_PASSWORD_LENGTH} caractères.`);
  }
  if (input.password.length > MAX_PASSWORD_LENGTH) {
    throw new AccountError('password_too_long', 'password', `Le mot de passe compte au plus ${MAX_PASSWORD_LENGTH} caractères.`);
  }
  return insertAccount(sql, input, await hashPassword(input.password));
}

/** Creates an account whose password was hashed already (the demo accounts share one hash). */
export async function insertAccount(sql: Sql, input: Omit<NewAccount, 'password'>, passwordHash: string): Promise<Account> {
  const email = normaliseEmail(input.email);
  return sql.begin(async (tx) => {
    if (input.role === 'creator') {
      if (!isValidSiren(input.organisationId)) {
        throw new AccountError(
          'siren_invalid',
          'organisationId',
          `Un créateur est rattaché à son entreprise : donnez son SIREN (9 chiffres valides), pas « ${input.organisationId} ».`,
        );
      }
      await tx`insert into organisations (id, kind, name)
        values (${input.organisationId}, 'company', ${input.companyName?.trim() || `Entreprise ${input.organisationId}`})
        on conflict (id) do nothing`;
    }
    const [org] = await tx<{ kind: OrganisationKind }[]>`select kind from organisations where id = ${input.organisationId}`;
    if (!org) throw new AccountError('organisation_unknown', 'organisationId', `Aucune organisation ${input.organisationId} au registre.`);
    const allowed = ROLE_ORGANISATION_KINDS[input.role];
    if (!allowed.includes(org.kind)) {
      throw new AccountError(
        'organisation_kind',
        'organisationId',
        `L'organisation ${input.organisationId} (${KIND_LABEL[org.kind]}) ne convient pas à ce rôle : ${allowed.map((k) => KIND_LABEL[k]).join(' ou ')} attendu.`,
      );
    }
    const inserted = await tx<{ id: string }[]>`
      insert into accounts (email, display_name, role, organisation_id, password_hash)
      values (${email}, ${input.displayName.trim()}, ${input.role}, ${input.organisationId}, ${passwordHash})
      on conflict (email) do nothing returning id`;
    if (!inserted[0]) throw new AccountError('email_taken', 'email', `Un compte existe déjà pour ${email}.`);
    const [row] = await tx<AccountRow[]>`${ACCOUNT_SELECT(tx)} where a.id = ${inserted[0].id}`;
    return fromRow(row!);
  });
}

const KIND_LABEL: Record<OrganisationKind, string> = {
  bank: 'une banque',
  reseller: 'un revendeur',
  programme: "l'opérateur du programme",
  company: 'une entreprise',
};

export async function findAccountByEmail(sql: Sql, email: string): Promise<(Account & { passwordHash: string }) | null> {
  const [row] = await sql<AccountRow[]>`${ACCOUNT_SELECT(sql)} where a.email = ${normaliseEmail(email)}`;
  return row ? { ...fromRow(row), passwordHash: row.password_hash } : null;
}

export async function listAccounts(sql: Sql, filter: { organisationId?: string } = {}): Promise<Account[]> {
  const rows = await sql<AccountRow[]>`${ACCOUNT_SELECT(sql)}
    ${filter.organisationId ? sql`where a.organisation_id = ${filter.organisationId}` : sql``}
    order by a.organisation_id, a.role, a.email`;
  return rows.map(fromRow);
}

/**
 * Disables an account named by its id or e-mail and ends its sessions at once.
 * Returns the account, or null when none matches.
 */
export async function disableAccount(sql: Sql, idOrEmail: string): Promise<Account | null> {
  const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrEmail);
  return sql.begin(async (tx) => {
    const [row] = isId
      ? await tx<{ id: string }[]>`update accounts set disabled_at = coalesce(disabled_at, now()) where id = ${idOrEmail} returning id`
      : await tx<{ id: string }[]>`update accounts set disabled_at = coalesce(disabled_at, now()) where email = ${normaliseEmail(idOrEmail)} returning id`;
    if (!row) return null;
    await tx`update web_sessions set ended_at = now() where account_id = ${row.id} and ended_at is null`;
    const [account] = await tx<AccountRow[]>`${ACCOUNT_SELECT(tx)} where a.id = ${row.id}`;
    return fromRow(account!);
  });
}

/** Names of organisations by identifier (those not found are left out). */
export async function organisationNames(sql: Sql, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await sql<{ id: string; name: string }[]>`select id, name from organisations where id = any(${[...new Set(ids)]})`;
  return new Map(rows.map((r) => [r.id, r.name]));
}
