/**
 * The session cookie of the web pages and the checks that go with it: the
 * cookie is HttpOnly, SameSite=Lax, Secure behind TLS (then named with the
 * __Host- prefix, so no sub-domain can set it); it carries a random token whose
 * session lives in PostgreSQL (db/repositories/sessions.ts). A request that
 * changes something and rides on the cookie must also carry the session's CSRF
 * token (form field `_csrf` or header `x-csrf-token`) and, when the browser
 * sends one, an Origin equal to the server's own.
 */
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import type { Sql } from '../db/connect.ts';
import { findSession, type Session, type SessionLimits, type SignInThrottle } from '../db/repositories/sessions.ts';

export const SESSION_COOKIE = 'passeport_session';
export const SECURE_SESSION_COOKIE = '__Host-passeport_session';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** 'auto': Secure when the request came over https (directly, or through a trusted proxy: TRUST_PROXY). */
export type SecureCookies = 'auto' | 'always' | 'never';

export interface WebSecurity {
  sql: Sql;
  limits: SessionLimits;
  throttle: SignInThrottle;
  secureCookies: SecureCookies;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleSeconds: 2 * 3600, maxSeconds: 12 * 3600 };
export const DEFAULT_SIGN_IN_THROTTLE: SignInThrottle = { windowSeconds: 15 * 60, perAccount: 5, perAddress: 30 };

declare module 'fastify' {
  interface FastifyRequest {
    /** The session the cookie opens; undefined until looked up once for this request. */
    webSession: Session | null | undefined;
  }
}

export function isSecureRequest(request: FastifyRequest, mode: SecureCookies): boolean {
  return mode === 'always' || (mode === 'auto' && request.protocol === 'https');
}

export function sessionToken(request: FastifyRequest): string | null {
  const cookies = request.cookies ?? {};
  return cookies[SECURE_SESSION_COOKIE] ?? cookies[SESSION_COOKIE] ?? null;
}

/** The live session of the request's cookie, looked up once per request. */
export async function sessionOf(request: FastifyRequest, security: WebSecurity): Promise<Session | null> {
  if (request.webSession !== undefined) return request.webSession;
  const token = sessionToken(request);
  request.webSession = token ? await findSession(security.sql, token, security.limits) : null;
  return request.webSession;
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, security: WebSecurity): void {
  const secure = isSecureRequest(request, security.secureCookies);
  reply.setCookie(secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: security.limits.maxSeconds,
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply, security: WebSecurity): void {
  const secure = isSecureRequest(request, security.secureCookies);
  reply.clearCookie(secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
}

export function tokensMatch(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** False when the browser says the request comes from another site (Origin header present and different). */
export function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  return origin === `${request.protocol}://${request.host}`;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function changesState(request: FastifyRequest): boolean {
  return !SAFE_METHODS.has(request.method);
}
