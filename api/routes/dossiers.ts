/** The reseller submits dossiers and reads them; a bank reads the dossiers addressed to it. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { FastifySchemaCompiler } from 'fastify';
import { z } from 'zod';
import { DossierSchema, dossierSchemaAt, totalAmountCents, type Dossier } from '../../domain/dossier.ts';
import { parisDateOf } from '../../domain/dates.ts';
import { DOSSIER_STATUSES } from '../../domain/codes.ts';
import { getDossier, insertDossierIdempotent, listDossiersForBank, listDossiersForReseller, toDossierView, type DossierRecord } from '../../db/repositories/dossiers.ts';
import type { Principal } from '../../db/repositories/apiKeys.ts';
import { listEvents } from '../../db/repositories/events.ts';
import { HttpProblem, ProblemSchema } from '../problems.ts';
import { principalOf } from '../auth.ts';
import { DossierDetailSchema, DossierIdParams, DossierSummarySchema, DossierViewSchema } from '../schemas.ts';
import { toDetail, toSummary } from '../views.ts';
import { workflowInputOf, type ApiContext } from '../context.ts';

const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string({ error: "L'en-tête Idempotency-Key est obligatoire (par exemple un UUID généré pour ce dossier)" })
    .min(8, "L'en-tête Idempotency-Key compte au moins 8 caractères")
    .max(200, "L'en-tête Idempotency-Key compte au plus 200 caractères")
    .regex(/^[\x21-\x7e]+$/, "L'en-tête Idempotency-Key ne contient que des caractères ASCII visibles"),
});

const ListQuery = z.strictObject({
  status: z.enum(DOSSIER_STATUSES, { error: `Statut inconnu : ${DOSSIER_STATUSES.join(', ')}` }).optional(),
  limit: z.coerce.number({ error: 'limit : nombre attendu' }).int().min(1, 'limit : au moins 1').max(500, 'limit : au plus 500').optional(),
});

/** Visible to its reseller and to its bank; anyone else gets 404, so ids leak nothing. */
export function canRead(principal: Principal, d: DossierRecord): boolean {
  if (principal.role === 'reseller') return d.resellerId === principal.organisationId;
  if (principal.role === 'bank') return d.bankId === principal.organisationId;
  return principal.role === 'admin';
}

export function dossierNotFound(id: string): HttpProblem {
  return new HttpProblem(404, 'dossier-not-found', 'Dossier introuvable', `Aucun dossier ${id} parmi ceux que vous pouvez consulter.`);
}

const TERMINAL = new Set(['ineligible', 'approved', 'declined']);

export const dossierRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  // The body is validated against today's Paris date (no future creation or birth date).
  const todayAwareCompiler: FastifySchemaCompiler<unknown> = (route) =>
    route.httpPart === 'body' ? (data: unknown) => validatorCompiler({ ...route, schema: dossierSchemaAt(parisDateOf(ctx.now())) })(data) : validatorCompiler(route as never);

  app.post(
    '/dossiers',
    {
      config: { roles: ['reseller'] },
      validatorCompiler: todayAwareCompiler as never,
      schema: {
        summary: 'Soumettre un dossier (revendeur)',
        tags: ['dossiers'],
        headers: IdempotencyHeaders,
        body: DossierSchema,
        response: { 200: DossierViewSchema, 201: DossierViewSchema, 403: ProblemSchema, 422: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const dossier: Dossier = request.body;
      if (dossier.resellerId !== principal.organisationId) {
        throw new HttpProblem(
          403,
          'reseller-mismatch',
          'Revendeur différent',
          `Le dossier est au nom du revendeur ${dossier.resellerId}, mais votre clé est celle du revendeur ${principal.organisationId}.`,
          { errors: [{ path: 'resellerId', message: 'Doit être votre propre numéro de label' }] },
        );
      }
      let stored;
      try {
        stored = await insertDossierIdempotent(ctx.sql, {
          resellerId: dossier.resellerId,
          bankId: dossier.bankId,
          idempotencyKey: request.headers['idempotency-key'],
          siren: dossier.company.siren,
          totalAmountCents: totalAmountCents(dossier),
          body: dossier,
        });
      } catch (error) {
        // IdempotencyConflictError becomes its 422 in api/problems.ts.
        const pgError = error as { code?: string; constraint_name?: string };
        if (pgError.code === '23503' && pgError.constraint_name === 'dossiers_bank_id_fkey') {
          throw new HttpProblem(422, 'unknown-bank', 'Banque inconnue', `La banque ${dossier.bankId} ne figure pas au registre du programme.`, {
            errors: [{ path: 'bankId', message: 'Banque inconnue' }],
          });
        }
        if (pgError.code === '23503') {
          throw new HttpProblem(403, 'reseller-not-registered', 'Revendeur non inscrit', `Le revendeur ${dossier.resellerId} ne figure pas au registre des revendeurs agréés.`);
        }
        throw error;
      }
      const { dossier: record, created } = stored;
      reply.header('location', `/v1/dossiers/${record.id}`);
      if (!created && TERMINAL.has(record.status)) return reply.code(200).send(toDossierView(record));
      let view;
      try {
        view = await ctx.engine.start(workflowInputOf(record, ctx.config), ctx.config.startWaitMs);
      } catch (error) {
        request.log.error({ err: error, dossierId: record.id }, 'engine start failed');
        throw new HttpProblem(
          503,
          'engine-unavailable',
          'Moteur indisponible',
          `Le dossier ${record.id} est enregistré mais son instruction n'a pas pu démarrer. Renvoyez la même requête avec la même clé Idempotency-Key dans quelques instants.`,
          { dossierId: record.id },
        );
      }
      return reply.code(created ? 201 : 200).send(view);
    },
  );

  app.get(
    '/dossiers',
    {
      config: { roles: ['reseller', 'bank'] },
      schema: {
        summary: 'Lister ses dossiers (revendeur : les siens ; banque : ceux qui lui sont adressés)',
        tags: ['dossiers'],
        querystring: ListQuery,
        response: { 200: z.object({ dossiers: z.array(DossierSummarySchema) }) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const options = { status: request.query.status, limit: request.query.limit };
      const rows =
        principal.role === 'reseller'
          ? await listDossiersForReseller(ctx.sql, principal.organisationId, options)
          : await listDossiersForBank(ctx.sql, principal.organisationId, options);
      return { dossiers: rows.map(toSummary) };
    },
  );

  app.get(
    '/dossiers/:id',
    {
      config: { roles: ['reseller', 'bank'] },
      schema: {
        summary: 'Lire un dossier, son statut et sa décision',
        tags: ['dossiers'],
        params: DossierIdParams,
        response: { 200: DossierDetailSchema, 404: ProblemSchema },
      },
    },
    async (request) => {
      const record = await getDossier(ctx.sql, request.params.id);
      if (!record || !canRead(principalOf(request), record)) throw dossierNotFound(request.params.id);
      return toDetail(record);
    },
  );

  app.get(
    '/dossiers/:id/events',
    {
      config: { roles: ['reseller', 'bank'] },
      schema: {
        summary: "Historique d'un dossier : contrôles, garantie, attente de la banque, rappels, décision",
        tags: ['dossiers'],
        params: DossierIdParams,
        response: {
          200: z.object({ events: z.array(z.object({ seq: z.number(), type: z.string(), payload: z.unknown(), at: z.string() })) }),
          404: ProblemSchema,
        },
      },
    },
    async (request) => {
      const record = await getDossier(ctx.sql, request.params.id);
      if (!record || !canRead(principalOf(request), record)) throw dossierNotFound(request.params.id);
      return { events: await listEvents(ctx.sql, record.id) };
    },
  );
};
