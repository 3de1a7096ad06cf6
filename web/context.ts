/** What every page family receives, and the helpers they share to answer. */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, LightMyRequestResponse } from 'fastify';
import type { Sql } from '../db/connect.ts';
import type { Session } from '../db/repositories/sessions.ts';
import type { Role } from '../domain/roles.ts';
import type { Assets } from './assets.ts';
import { html, type SafeHtml } from './html.ts';
import { renderPage, type NavItem } from './layout.ts';
import { SESSION_COOKIE, sessionToken, type WebSecurity } from './session.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A web page: the roles whose signed-in people may open it (never an API key). */
    page?: readonly Role[];
    /** A page reachable without signing in (sign-in, assets). */
    publicPage?: boolean;
  }
}

/**
 * What the archivist's verification needs from the PKI: whom to trust. Nothing
 * is fetched from the addresses an uploaded file names (a hostile file would
 * make the server call them): revocation data is what the file embeds.
 */
export interface VerifierSettings {
  /** The engine's root certificates (DER). */
  trustAnchors: () => Promise<Uint8Array[]>;
}

/**
 * How later features plug into the pages without editing them: menu entries,
 * and their own page routes (registered inside the web plugin, so they get the
 * session guard, CSRF checks and HTML errors).
 */
export interface WebExtension {
  nav?: NavItem[];
  routes?: FastifyPluginAsync<WebContext>;
}

export interface WebContext {
  sql: Sql;
  assets: Assets;
  security: WebSecurity;
  verifier: VerifierSettings;
  extensions: WebExtension[];
  nav: NavItem[];
  now: () => Date;
  /** The root server, to call the API's own routes in-process (inject) as the signed-in person. */
  server: FastifyInstance;
}

/** The session of a page route (the guard has checked it). */
export function sessionOfPage(request: FastifyRequest): Session {
  if (!request.webSession) throw new Error('sessionOfPage called outside a guarded page');
  return request.webSession;
}

export interface PageOptions {
  title: string;
  body: SafeHtml;
  scripts?: string[];
  status?: number;
}

export function sendPage(ctx: WebContext, request: FastifyRequest, reply: FastifyReply, options: PageOptions): FastifyReply {
  const session = request.webSession ?? null;
  return reply
    .code(options.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(
      renderPage(ctx.assets, {
        title: options.title,
        body: options.body,
        account: session?.account ?? null,
        csrfToken: session?.csrfToken,
        path: request.url.split('?')[0],
        scripts: options.scripts,
        nav: ctx.nav,
      }),
    );
}

export function sendErrorPage(ctx: WebContext, request: FastifyRequest, reply: FastifyReply, status: number, title: string, message: string): FastifyReply {
  return sendPage(ctx, request, reply, {
    status,
    title,
    body: html`<h1>${title}</h1><p class="lead">${message}</p><p><a href="/">Revenir à l’accueil</a></p>`,
  });
}

export function notFoundPage(ctx: WebContext, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendErrorPage(ctx, request, reply, 404, 'Page introuvable', 'Cette page n’existe pas, ou elle concerne un dossier que vous ne pouvez pas consulter.');
}

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

/**
 * Calls one of the API's own routes in-process as the signed-in person (the
 * session's cookie and CSRF token), so a page's form goes through exactly the
 * checks, refusals and engine calls of the API.
 */
export async function callApi<T = unknown>(ctx: WebContext, request: FastifyRequest, call: ApiCall): Promise<ApiAnswer<T>> {
  const response = await injectApi(ctx, request, call);
  return { status: response.statusCode, body: response.json() as T };
}

export interface ApiCall {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The same call, answering the raw response (a file to pass on: an export, a PDF). */
export async function injectApi(ctx: WebContext, request: FastifyRequest, call: ApiCall): Promise<LightMyRequestResponse> {
  const session = sessionOfPage(request);
  return ctx.server.inject({
    method: call.method,
    url: call.url,
    headers: {
      cookie: `${SESSION_COOKIE}=${sessionToken(request) ?? ''}`,
      'x-csrf-token': session.csrfToken,
      ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...call.headers,
    },
    ...(call.body === undefined ? {} : { payload: JSON.stringify(call.body) }),
  });
}

/** Field paths and messages of a problem+json answer, by path. */
export function problemErrors(body: unknown): Map<string, string> {
  const errors = new Map<string, string>();
  const list = (body as { errors?: { path: string; message: string }[] } | null)?.errors ?? [];
  for (const e of list) if (!errors.has(e.path)) errors.set(e.path, e.message);
  return errors;
}

export function problemDetail(body: unknown): string {
  const detail = (body as { detail?: unknown } | null)?.detail;
  return typeof detail === 'string' ? detail : 'La demande n’a pas pu aboutir.';
}
