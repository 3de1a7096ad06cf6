/**
 * Authentication, declared once: `Authorization: Bearer <key>` → the caller's
 * organisation and role. Routes list the roles they accept in `config.roles`;
 * routes without roles (health, documentation) are public.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Sql } from '../db/connect.ts';
import { findPrincipalByApiKey, type Principal } from '../db/repositories/apiKeys.ts';
import { ROLE_LABEL, type Role } from '../domain/roles.ts';
import { sendProblem } from './problems.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function installAuth(app: FastifyInstance, sql: Sql): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const roles = request.routeOptions.config.roles;
    if (!roles) return;
    const header = request.headers.authorization;
    const bearer = /^Bearer +(\S+)$/i.exec(header ?? '');
    if (!bearer?.[1]) {
      reply.header('www-authenticate', 'Bearer');
      return sendProblem(request, reply, 401, 'unauthenticated', 'Authentification requise',
        'Ajoutez votre clé d’API dans l’en-tête « Authorization: Bearer <clé> ».');
    }
    const principal = await findPrincipalByApiKey(sql, bearer[1]);
    if (!principal) {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      return sendProblem(request, reply, 401, 'invalid-api-key', 'Clé d’API refusée',
        'Cette clé d’API est inconnue ou révoquée : vérifiez-la ou demandez-en une nouvelle.');
    }
    if (!roles.includes(principal.role)) {
      return sendProblem(request, reply, 403, 'forbidden-role', 'Accès refusé',
        `Cette opération est réservée au rôle ${roles.map((r) => ROLE_LABEL[r]).join(' ou ')} ; votre clé a le rôle ${ROLE_LABEL[principal.role]}.`);
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
