/** The bank's analysts: the queue of hard cases and the decision on each. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DECLINE_CODES, type DeclineCode } from '../../domain/codes.ts';
import { getDossier, listPendingForBank } from '../../db/repositories/dossiers.ts';
import { isPasseportError } from '../../errors/index.ts';
import type { AnalystDecision } from '../../domain/outcomes.ts';
import { HttpProblem, ProblemSchema } from '../problems.ts';
import { principalOf } from '../auth.ts';
import { DossierDetailSchema, DossierIdParams, DossierViewSchema } from '../schemas.ts';
import { toDetail } from '../views.ts';
import { dossierNotFound } from './dossiers.ts';
import type { ApiContext } from '../context.ts';

/** Codes an analyst may choose; the other two are set by the engine itself. */
export const ANALYST_DECLINE_CODES = DECLINE_CODES.filter((c) => c !== 'deadline_expired' && c !== 'automatic_exclusion') as [DeclineCode, ...DeclineCode[]];

const analyst = z.string({ error: "Nom de l'analyste : texte attendu" }).trim().min(1, "Nom de l'analyste : à renseigner").max(120, "Nom de l'analyste : 120 caractères au plus");

const DecisionBody = z.discriminatedUnion(
  'decision',
  [
    z.strictObject({
      decision: z.literal('approve'),
      analyst,
      conditions: z
        .strictObject({
          amountCents: z.number({ error: 'Montant : nombre de centimes attendu' }).int().positive('Montant : positif').optional(),
          durationMonths: z.literal([24, 36, 48], { error: 'Durée réduite : 24, 36 ou 48 mois' }).optional(),
          depositCents: z.number({ error: 'Dépôt : nombre de centimes attendu' }).int().min(0, 'Dépôt : positif ou nul').optional(),
          text: z.string({ error: 'Texte attendu' }).max(1000, '1000 caractères au plus').optional(),
        })
        .optional(),
    }),
    z.strictObject({
      decision: z.literal('decline'),
      analyst,
      reasonCode: z.enum(ANALYST_DECLINE_CODES, { error: `Motif de refus inconnu : ${ANALYST_DECLINE_CODES.join(', ')}` }),
      text: z.string({ error: 'Motif : texte attendu' }).trim().min(1, 'Motif : à renseigner').max(1000, '1000 caractères au plus'),
    }),
  ],
  { error: 'decision : « approve » (accord) ou « decline » (refus)' },
);

const QueueQuery = z.strictObject({
  status: z.literal('awaiting_analyst', { error: 'Seul le statut awaiting_analyst est disponible ici' }).default('awaiting_analyst'),
});

export const bankRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  app.get(
    '/bank/dossiers',
    {
      config: { roles: ['bank'] },
      schema: {
        summary: "Dossiers en attente d'analyse de la banque, les plus urgents d'abord",
        tags: ['banque'],
        querystring: QueueQuery,
        response: { 200: z.object({ dossiers: z.array(DossierDetailSchema) }) },
      },
    },
    async (request) => {
      const rows = await listPendingForBank(ctx.sql, principalOf(request).organisationId);
      return { dossiers: rows.map(toDetail) };
    },
  );

  app.post(
    '/bank/dossiers/:id/decision',
    {
      config: { roles: ['bank'] },
      schema: {
        summary: "Décision de l'analyste : accord (avec conditions éventuelles) ou refus motivé",
        tags: ['banque'],
        params: DossierIdParams,
        body: DecisionBody,
        response: { 200: DossierViewSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema },
      },
    },
    async (request) => {
      const bankId = principalOf(request).organisationId;
      const { id } = request.params;
      const record = await getDossier(ctx.sql, id);
      if (!record) throw dossierNotFound(id);
      // Checked here as well as in the workflow's Update validator, so refusals need no running workflow.
      if (record.bankId !== bankId) {
        throw new HttpProblem(403, 'wrong-bank', 'Dossier d’une autre banque', 'Ce dossier est adressé à une autre banque : vous ne pouvez pas le décider.');
      }
      if (record.status !== 'awaiting_analyst') {
        throw new HttpProblem(409, 'not-pending', 'Dossier non en attente', `Ce dossier n'attend pas de décision (statut : ${record.status}).`, { dossierStatus: record.status });
      }
      const body = request.body;
      const decision: AnalystDecision =
        body.decision === 'approve'
          ? { decision: 'approve', analyst: body.analyst, ...(body.conditions ? { conditions: body.conditions } : {}) }
          : { decision: 'decline', analyst: body.analyst, reasonCode: body.reasonCode, text: body.text };
      try {
        return await ctx.engine.decide(id, bankId, decision);
      } catch (error) {
        // Refusals (DecisionRefusedError) become problems in api/problems.ts.
        if (isPasseportError(error)) throw error;
        // Temporal unreachable or restarting: the decision may or may not have been taken; asking again is safe
        // (a second decision for a decided dossier is refused with 409).
        request.log.warn({ err: error, dossierId: id }, 'engine decide failed');
        throw new HttpProblem(
          503,
          'engine-unavailable',
          'Moteur indisponible',
          `La décision sur le dossier ${id} n'a pas pu être transmise au moteur. Renvoyez-la dans quelques instants : si elle a été prise entre-temps, la réponse sera 409.`,
          { dossierId: id },
        );
      }
    },
  );
};
