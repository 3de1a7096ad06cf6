/**
 * Server-side sessions of the web pages and the failed sign-ins that slow down
 * the next attempts. The cookie carries a random token; this table keeps only
 * its SHA-256, so a copy of the table opens no session. A session ends on
 * sign-out, when its account is disabled, after an idle time and at an
 * absolute end; an ended session's token is refused from then on.
 */
import crypto from 'node:crypto';
import type { Sql } from '../connect.ts';
import type { Role } from '../../domain/roles.ts';

export interface SessionLimits {
  /** Without a request for this long, the session ends. */
  idleSeconds: number;
  /** Whatever happens, the session ends this long after sign-in. */
  maxSeconds: number;
}

export interface SessionAccount {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  organisationId: string;
  organisationName: string;
}

export interface Session {
  account: SessionAccount;
  csrfToken: string;
  expiresAt: string;
}

/** last_seen_at is written at most this often (one write per minute of activity, not per request). */
const TOUCH_EVERY_SECONDS = 60;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const hashToken = (token: string): string => crypto.createHash('sha256').update(token).digest('hex');

/** Opens a session: the token goes in the cookie, the CSRF token in every form. */
export async function openSession(sql: Sql, accountId: string, limits: SessionLimits): Promise<{ token: string; csrfToken: string }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const csrfToken = crypto.randomBytes(32).toString('base64url');
  await sql`
    insert into web_sessions (token_hash, account_id, csrf_token, expires_at)
    values (${hashToken(token)}, ${accountId}, ${csrfToken}, now() + make_interval(secs => ${limits.maxSeconds}))`;
  return { token, csrfToken };
}

interface SessionRow {
  account_id: string;
  email: string;
  display_name: string;
  role: Role;
  organisation_id: string;
  organisation_name: string;
  csrf_token: string;
  expires_at: Date;
  stale: boolean;
}

/** The live session a token opens, or null (unknown, ended, idle too long, past its end, account disabled). */
export async function findSession(sql: Sql, token: string, limits: SessionLimits): Promise<Session | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const hash = hashToken(token);
  const [row] = await sql<SessionRow[]>`
    select s.account_id, a.email, a.display_name, a.role, a.organisation_id, o.name as organisation_name,
      s.csrf_token, s.expires_at, s.last_seen_at < now() - make_interval(secs => ${TOUCH_EVERY_SECONDS}) as stale
    from web_sessions s join accounts a on a.id = s.account_id join organisations o on o.id = a.organisation_id
    where s.token_hash = ${hash} and s.ended_at is null and a.disabled_at is null
      and s.expires_at > now() and s.last_seen_at > now() - make_interval(secs => ${limits.idleSeconds})`;
  if (!row) return null;
  if (row.stale) await sql`update web_sessions set last_seen_at = now() where token_hash = ${hash}`;
  return {
    account: {
      id: row.account_id,
      email: row.email,
      displayName: row.display_name,
      role: row.role,
      organisationId: row.organisation_id,
      organisationName: row.organisation_name,
    },
    csrfToken: row.csrf_token,
    expiresAt: row.expires_at.toISOString(),
  };
}

/** Ends the session of a token (sign-out); true when a live session was ended. */
export async function endSession(sql: Sql, token: string): Promise<boolean> {
  if (!TOKEN_PATTERN.test(token)) return false;
  const rows = await sql`update web_sessions set ended_at = now() where token_hash = ${hashToken(token)} and ended_at is null returning 1`;
  return rows.length === 1;
}

export interface SignInThrottle {
  /** The window failures are counted in. */
  windowSeconds: number;
  /** Failures for one e-mail address within the window after which its sign-ins are refused. */
  perAccount: number;
  /** Failures from one IP address within the window after which its sign-ins are refused. */
  perAddress: number;
}

/** Seconds until a sign-in for this address and from this IP is accepted again (0: now). */
export async function signInWait(sql: Sql, email: string, ip: string, throttle: SignInThrottle): Promise<number> {
  const [row] = await sql<{ by_email: number; by_ip: number; email_wait: number | null; ip_wait: number | null }[]>`
    with recent as (
      select email, ip, at from sign_in_failures
      where (email = ${email} or ip = ${ip}) and at > now() - make_interval(secs => ${throttle.windowSeconds})
    )
    select
      count(*) filter (where email = ${email})::int as by_email,
      count(*) filter (where ip = ${ip})::int as by_ip,
      extract(epoch from (
        (select at from recent where email = ${email} order by at desc offset ${throttle.perAccount - 1} limit 1)
        + make_interval(secs => ${throttle.windowSeconds}) - now()))::float8 as email_wait,
      extract(epoch from (
        (select at from recent where ip = ${ip} order by at desc offset ${throttle.perAddress - 1} limit 1)
        + make_interval(secs => ${throttle.windowSeconds}) - now()))::float8 as ip_wait
    from recent`;
  if (!row) return 0;
  const waits = [row.by_email >= throttle.perAccount ? (row.email_wait ?? 0) : 0, row.by_ip >= throttle.perAddress ? (row.ip_wait ?? 0) : 0];
  return Math.max(0, Math.ceil(Math.max(...waits)));
}

/** Records a failed sign-in; rows older than a day are dropped on the way. */
export async function recordSignInFailure(sql: Sql, email: string, ip: string): Promise<void> {
  await sql`insert into sign_in_failures (email, ip) values (${email}, ${ip})`;
  await sql`delete from sign_in_failures where at < now() - interval '1 day' and (email = ${email} or ip = ${ip})`;
}

/** A successful sign-in forgets the account's failures (its address's stay counted). */
export async function clearSignInFailures(sql: Sql, email: string): Promise<void> {
  await sql`delete from sign_in_failures where email = ${email}`;
}
