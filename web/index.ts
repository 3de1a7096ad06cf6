/**
 * The web application: server-rendered French pages for the five roles on the
 * same fastify server as the API. Pages open only with a signed-in person's
 * session (never an API key); every form that changes something carries the
 * session's CSRF token; answers are HTML with a strict Content-Security-Policy
 * (scripts and styles from this site only), never cached by the browser.
 * Later features plug in through `extensions` (web/context.ts).
 */
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Sql } from '../db/connect.ts';
import type { Env } from '../config/env.ts';
import type { SessionLimits, SignInThrottle } from '../db/repositories/sessions.ts';
import { encodingFor, loadAssets } from './assets.ts';
import { NAV, HOME } from './layout.ts';
import { notFoundPage, sendErrorPage, type VerifierSettings, type WebContext, type WebExtension } from './context.ts';
import { parseFormBody, formValue, type FormBody } from './forms.ts';
import { CSRF_FIELD, DEFAULT_SESSION_LIMITS, DEFAULT_SIGN_IN_THROTTLE, changesState, sameOrigin, sessionOf, tokensMatch, type SecureCookies, type WebSecurity } from './session.ts';
import { signInPages } from './pages/sign-in.ts';
import { resellerPages } from './pages/reseller.ts';
import { bankPages } from './pages/bank.ts';
import { creatorPages } from './pages/creator.ts';
import { archivistPages } from './pages/archivist.ts';
import { vaultPages } from './pages/vault.ts';
import { barometerPages } from './pages/barometers.ts';
import { adminPages } from './pages/admin.ts';

export interface WebOptions {
  secureCookies?: SecureCookies;
  session?: Partial<SessionLimits>;
  signInThrottle?: Partial<SignInThrottle>;
  /** The engine's root certificates for the archivist's verification (none: every chain is untrusted). */
  trustAnchors?: VerifierSettings['trustAnchors'];
  extensions?: WebExtension[];
}

/** The web settings of the environment (config/env.ts); the trust anchors come from the PKI. */
export function webOptionsFromEnv(env: Pick<Env, 'SECURE_COOKIES' | 'SESSION_IDLE_MINUTES' | 'SESSION_MAX_HOURS'>, trustAnchors: VerifierSettings['trustAnchors']): WebOptions {
  return {
    secureCookies: env.SECURE_COOKIES,
    session: { idleSeconds: env.SESSION_IDLE_MINUTES * 60, maxSeconds: env.SESSION_MAX_HOURS * 3600 },
    trustAnchors,
  };
}

/** TRUST_PROXY as fastify takes it: false, true, or the proxies' addresses. */
export function trustProxyFromEnv(value: string): boolean | string[] {
  const text = value.trim();
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function webSecurity(sql: Sql, options: WebOptions = {}): WebSecurity {
  return {
    sql,
    secureCookies: options.secureCookies ?? 'auto',
    limits: { ...DEFAULT_SESSION_LIMITS, ...options.session },
    throttle: { ...DEFAULT_SIGN_IN_THROTTLE, ...options.signInThrottle },
  };
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

const FORM_BODY_LIMIT = 64 * 1024;

export async function createWebContext(input: { sql: Sql; security: WebSecurity; options: WebOptions; now: () => Date; server: FastifyInstance }): Promise<WebContext> {
  const extensions = input.options.extensions ?? [];
  return {
    sql: input.sql,
    security: input.security,
    assets: await loadAssets(),
    verifier: { trustAnchors: input.options.trustAnchors ?? (async () => []) },
    extensions,
    nav: [...NAV, ...extensions.flatMap((e) => e.nav ?? [])],
    now: input.now,
    server: input.server,
  };
}

/** A browser asking for a page that does not exist gets a page, not JSON. */
export function wantsPage(request: FastifyRequest): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && !request.url.startsWith('/v1/') && (request.headers.accept ?? '').includes('text/html');
}

export async function pageNotFound(ctx: WebContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  await sessionOf(request, ctx.security);
  return notFoundPage(ctx, request, reply);
}

export const webRoutes: FastifyPluginAsync<WebContext> = async (app, ctx) => {
  const { security, extensions } = ctx;
  // Pages are for people, not part of the API's OpenAPI description.
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_request, body, done) => {
    done(null, parseFormBody(body as string));
  });

  // Pages: a signed-in person with one of the page's roles; an Authorization header counts for nothing here.
  app.addHook('onRequest', async (request, reply) => {
    const roles = request.routeOptions.config.page;
    if (!roles) return;
    const session = await sessionOf(request, security);
    if (!session) {
      if (request.method === 'GET') return reply.redirect(`/connexion?suite=${encodeURIComponent(request.url)}`, 303);
      return sendErrorPage(ctx, request, reply, 401, 'Session terminée', 'Votre session a pris fin : reconnectez-vous, puis recommencez.');
    }
    if (!roles.includes(session.account.role)) {
      return sendErrorPage(ctx, request, reply, 403, 'Accès refusé', 'Cette page est réservée à un autre rôle que le vôtre.');
    }
  });

  // Forms that change something: the session's CSRF token, from this site (multipart forms check it in their handler).
  app.addHook('preHandler', async (request, reply) => {
    const config = request.routeOptions.config;
    if (!config.page || !changesState(request) || config.multipart) return;
    const session = request.webSession;
    if (!session || !sameOrigin(request) || !tokensMatch(session.csrfToken, formValue(request.body as FormBody, CSRF_FIELD))) {
      return sendErrorPage(
        ctx,
        request,
        reply,
        403,
        'Formulaire refusé',
        'Ce formulaire a expiré ou ne vient pas de Passeport. Revenez à la page précédente, rechargez-la et recommencez.',
      );
    }
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    if (!String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
    reply
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'same-origin')
      .header('cache-control', 'no-store');
    return payload;
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) return sendErrorPage(ctx, request, reply, 413, 'Envoi trop volumineux', 'Ce que vous avez envoyé dépasse la taille autorisée.');
    if (status >= 400 && status < 500) {
      return sendErrorPage(ctx, request, reply, status, 'Demande refusée', 'Cette demande ne peut pas être traitée telle quelle. Revenez à la page précédente et recommencez.');
    }
    request.log.error({ err: error }, 'page failed');
    return sendErrorPage(
      ctx,
      request,
      reply,
      500,
      'Erreur inattendue',
      `Une erreur inattendue s’est produite. Réessayez dans un instant ; si elle persiste, signalez-la à l’opérateur du programme avec ce code : ${request.id}.`,
    );
  });

  app.get<{ Params: { file: string } }>('/assets/:file', { config: { publicPage: true } }, async (request, reply) => {
    const asset = ctx.assets.byUrl.get(`/assets/${request.params.file}`);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('Fichier introuvable.');
    const encoding = encodingFor(request.headers['accept-encoding']);
    if (encoding) reply.header('content-encoding', encoding);
    return reply
      .type(asset.contentType)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('vary', 'accept-encoding')
      .header('x-content-type-options', 'nosniff')
      .send(encoding === 'br' ? asset.brotli : encoding === 'gzip' ? asset.gzip : asset.body);
  });

  app.get('/', { config: { publicPage: true } }, async (request, reply) => {
    const session = await sessionOf(request, security);
    return reply.redirect(session ? HOME[session.account.role] : '/connexion', 303);
  });

  for (const pages of [signInPages, resellerPages, bankPages, creatorPages, archivistPages, vaultPages, barometerPages, adminPages]) {
    await app.register(pages, ctx);
  }
  for (const extension of extensions) if (extension.routes) await app.register(extension.routes, ctx);
};
