/**
 * Authentication, declared once: `Authorization: Bearer <key>` → the caller's
 * organisation and role. Routes list the roles they accept in `config.roles`;
 * routes without roles (health, documentation) are public.
 *
 * Without an Authorization header, the web pages' session cookie is accepted
 * too (the pages' own fetch calls, e.g. the rent preview): then a request that
 * changes something must carry the session's CSRF token in `x-csrf-token` and
 * come from the same origin. The pages themselves never accept an API key
 * (web/index.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Sql } from '../db/connect.ts';
import { findPrincipalByApiKey, type Principal } from '../db/repositories/apiKeys.ts';
import { ROLE_LABEL, type Role } from '../domain/roles.ts';
import { sendProblem } from './problems.ts';
import { CSRF_HEADER, changesState, sameOrigin, sessionOf, sessionToken, tokensMatch, type WebSecurity } from '../web/session.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function installAuth(app: FastifyInstance, sql: Sql, web?: WebSecurity): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('webSession', undefined);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const roles = request.routeOptions.config.roles;
    if (!roles) return;
    const header = request.headers.authorization;
    const bearer = /^Bearer +(\S+)$/i.exec(header ?? '');
    let principal: Principal | null;
    if (!bearer?.[1] && header === undefined && web && sessionToken(request)) {
      const session = await sessionOf(request, web);
      if (!session) {
        return sendProblem(request, reply, 401, 'session-ended', 'Session terminée', 'Votre session a pris fin (déconnexion, inactivité ou compte désactivé) : reconnectez-vous.');
      }
      if (changesState(request) && (!sameOrigin(request) || !tokensMatch(session.csrfToken, request.headers[CSRF_HEADER]))) {
        return sendProblem(
          request,
          reply,
          403,
          'csrf-refused',
          'Requête refusée',
          `Une requête qui modifie quelque chose doit venir des pages de Passeport, avec l’en-tête ${CSRF_HEADER} de la session.`,
        );
      }
      principal = { organisationId: session.account.organisationId, role: session.account.role, keyId: `account:${session.account.id}` };
    } else {
      if (!bearer?.[1]) {
        reply.header('www-authenticate', 'Bearer');
        return sendProblem(request, reply, 401, 'unauthenticated', 'Authentification requise', 'Ajoutez votre clé d’API dans l’en-tête « Authorization: Bearer <clé> ».');
      }
      principal = await findPrincipalByApiKey(sql, bearer[1]);
      if (!principal) {
        reply.header('www-authenticate', 'Bearer error="invalid_token"');
        return sendProblem(request, reply, 401, 'invalid-api-key', 'Clé d’API refusée', 'Cette clé d’API est inconnue ou révoquée : vérifiez-la ou demandez-en une nouvelle.');
      }
    }
    if (!roles.includes(principal.role)) {
      return sendProblem(
        request,
        reply,
        403,
        'forbidden-role',
        'Accès refusé',
        `Cette opération est réservée au rôle ${roles.map((r) => ROLE_LABEL[r]).join(' ou ')} ; vous avez le rôle ${ROLE_LABEL[principal.role]}.`,
      );
    }
    request.principal = principal;
    request.log.info({ organisation: principal.organisationId, role: principal.role }, 'authenticated');
  });
}

/** The authenticated caller; only valid on routes that declare roles. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('principalOf called on a public route');
  return request.principal;
}
