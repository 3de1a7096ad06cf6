/**
 * Signing in and out. A failed sign-in is counted per e-mail address and per
 * IP address (in PostgreSQL, so every API instance sees the same count); past
 * the limit the form is refused with the time to wait, before any password is
 * checked. Unknown addresses cost the same scrypt time as known ones.
 */
import crypto from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { findAccountByEmail, normaliseEmail, spendPasswordCheck, verifyPassword } from '../../db/repositories/accounts.ts';
import { clearSignInFailures, endSession, openSession, recordSignInFailure, signInWait } from '../../db/repositories/sessions.ts';
import { ROLES } from '../../domain/roles.ts';
import { html } from '../html.ts';
import { HOME } from '../layout.ts';
import { sendPage, type WebContext } from '../context.ts';
import { CSRF_FIELD, clearSessionCookie, isSecureRequest, sameOrigin, sessionOf, sessionToken, setSessionCookie, tokensMatch } from '../session.ts';
import { formValue, type FormBody } from '../forms.ts';

/** The sign-in form's own CSRF token (there is no session yet): a cookie the form must repeat. */
const SIGN_IN_COOKIE = 'passeport_signin';

/** Where to go after signing in: a path of this site only. */
function safeNext(value: string): string | null {
  return /^\/(?![/\\])[^\s\\]*$/.test(value) && !value.startsWith('/connexion') ? value : null;
}

export const signInPages: FastifyPluginAsync<WebContext> = async (app, ctx) => {
  const showForm = (request: FastifyRequest, reply: FastifyReply, state: { email?: string; next?: string; error?: string; notice?: string; status?: number }) => {
    let token = request.cookies[SIGN_IN_COOKIE];
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) {
      token = crypto.randomBytes(32).toString('base64url');
      reply.setCookie(SIGN_IN_COOKIE, token, { path: '/connexion', httpOnly: true, sameSite: 'strict', secure: isSecureRequest(request, ctx.security.secureCookies) });
    }
    return sendPage(ctx, request, reply, {
      status: state.status,
      title: 'Connexion',
      body: html`<h1>Connexion</h1>
<p class="lead">Connectez-vous avec l’adresse e-mail et le mot de passe que l’opérateur du programme vous a remis.</p>
${state.notice ? html`<p class="notice" role="status">${state.notice}</p>` : ''}
${state.error ? html`<div class="alert" role="alert" id="erreur-connexion"><p>${state.error}</p></div>` : ''}
<form method="post" action="/connexion" class="narrow">
  <input type="hidden" name="${CSRF_FIELD}" value="${token}">
  ${state.next ? html`<input type="hidden" name="suite" value="${state.next}">` : ''}
  <div class="field">
    <label for="email">Adresse e-mail</label>
    <input id="email" name="email" type="email" autocomplete="username" required value="${state.email ?? ''}"${state.error ? html` aria-describedby="erreur-connexion"` : ''}>
  </div>
  <div class="field">
    <label for="password">Mot de passe</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
  </div>
  <button type="submit" class="primary">Se connecter</button>
</form>
<p class="hint">Mot de passe perdu ? Demandez-en un nouveau à l’opérateur du programme.</p>`,
    });
  };

  app.get<{ Querystring: { suite?: string; fin?: string } }>('/connexion', { config: { publicPage: true } }, async (request, reply) => {
    const session = await sessionOf(request, ctx.security);
    if (session) return reply.redirect(HOME[session.account.role], 303);
    return showForm(request, reply, {
      next: safeNext(request.query.suite ?? '') ?? undefined,
      notice: request.query.fin === 'deconnexion' ? 'Vous êtes déconnecté.' : undefined,
    });
  });

  app.post<{ Body: FormBody }>('/connexion', { config: { publicPage: true } }, async (request, reply) => {
    const body = request.body ?? {};
    const email = normaliseEmail(formValue(body, 'email'));
    const password = formValue(body, 'password');
    const next = safeNext(formValue(body, 'suite')) ?? undefined;
    const cookieToken = request.cookies[SIGN_IN_COOKIE];
    if (!cookieToken || !sameOrigin(request) || !tokensMatch(cookieToken, formValue(body, CSRF_FIELD))) {
      return showForm(request, reply, { email, next, status: 403, error: 'Le formulaire a expiré : saisissez à nouveau votre mot de passe.' });
    }
    if (!email || !password) {
      return showForm(request, reply, { email, next, status: 422, error: 'Saisissez votre adresse e-mail et votre mot de passe.' });
    }
    const wait = await signInWait(ctx.sql, email, request.ip, ctx.security.throttle);
    if (wait > 0) {
      const minutes = Math.ceil(wait / 60);
      reply.header('retry-after', String(wait));
      return showForm(request, reply, {
        email,
        next,
        status: 429,
        error: `Trop d’essais infructueux : par sécurité, réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''}.`,
      });
    }
    const account = await findAccountByEmail(ctx.sql, email);
    const valid = account && !account.disabledAt ? await verifyPassword(password, account.passwordHash) : (await spendPasswordCheck(password), false);
    if (!account || !valid) {
      await recordSignInFailure(ctx.sql, email, request.ip);
      request.log.info({ outcome: 'refused' }, 'sign-in');
      return showForm(request, reply, { email, next, status: 401, error: 'Adresse e-mail ou mot de passe incorrect.' });
    }
    await clearSignInFailures(ctx.sql, email);
    // A new token at each sign-in: a token planted before cannot become a session.
    const previous = sessionToken(request);
    if (previous) await endSession(ctx.sql, previous);
    const { token } = await openSession(ctx.sql, account.id, ctx.security.limits);
    setSessionCookie(request, reply, token, ctx.security);
    reply.clearCookie(SIGN_IN_COOKIE, { path: '/connexion' });
    request.log.info({ outcome: 'accepted', role: account.role, organisation: account.organisationId }, 'sign-in');
    return reply.redirect(next ?? HOME[account.role], 303);
  });

  app.post<{ Body: FormBody }>('/deconnexion', { config: { page: ROLES } }, async (request, reply) => {
    const token = sessionToken(request);
    if (token) await endSession(ctx.sql, token);
    clearSessionCookie(request, reply, ctx.security);
    return reply.redirect('/connexion?fin=deconnexion', 303);
  });
};
