/** The form's live preview: the rent schedule on the bank's tariff grid. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERIODICITIES, PRODUCTS } from '../../domain/financing.ts';
import { financingFields, refineFinancing } from '../../domain/dossier.ts';
import { quote } from '../../domain/rents.ts';
import { TariffGridSchema } from '../../domain/tariffs.ts';
import { addMonths, parisDateOf, isCalendarDate } from '../../domain/dates.ts';
import { getAnyActiveProtocolOfBank, getProtocol, isActiveReseller } from '../../db/repositories/protocols.ts';
import { HttpProblem, ProblemSchema } from '../problems.ts';
import { principalOf } from '../auth.ts';
import type { ApiContext } from '../context.ts';

/** A quote starts at most this many months from today (and not before today). */
const MAX_START_MONTHS_AHEAD = 12;

// The financing terms are the dossier's own schema (domain/dossier.ts): a quote never accepts what a dossier refuses.
const QuoteBody = z
  .strictObject({
    bankId: z.string({ error: 'Banque : texte attendu' }).min(1, 'Banque : à renseigner').max(40, 'Banque : 40 caractères au plus'),
    resellerId: z
      .string({ error: 'Revendeur : texte attendu' })
      .min(1)
      .max(40)
      .optional()
      .describe('Pour une banque ou un administrateur : le protocole à appliquer (sinon le premier protocole actif de la banque)'),
    amountCents: z
      .number({ error: 'Montant : nombre de centimes attendu' })
      .int('Montant : en centimes entiers')
      .positive('Montant : positif')
      .max(10_000_000_000, 'Montant trop élevé'),
    ...financingFields,
    startDate: z
      .string({ error: 'Date de début : AAAA-MM-JJ' })
      .refine(isCalendarDate, 'Date de début : date invalide (AAAA-MM-JJ)')
      .optional()
      .describe(`Entre aujourd'hui et ${MAX_START_MONTHS_AHEAD} mois (par défaut : aujourd'hui, heure de Paris)`),
  })
  .superRefine(refineFinancing);

const ScheduleLineSchema = z.object({
  index: z.number(),
  dueDate: z.string(),
  rentCents: z.number(),
  interestCents: z.number(),
  principalCents: z.number(),
  outstandingCents: z.number(),
});

const QuoteSchema = z
  .object({
    bankId: z.string(),
    amountCents: z.number(),
    product: z.enum(PRODUCTS),
    durationMonths: z.number(),
    periodicity: z.enum(PERIODICITIES),
    timing: z.enum(['advance', 'arrears']),
    rentCount: z.number(),
    rentCents: z.number(),
    firstRentCents: z.number(),
    lastRentCents: z.number(),
    firstRentIncreasePercent: z.number(),
    residualValuePercent: z.number(),
    residualValueCents: z.number(),
    periodicRate: z.number(),
    yearlyRateBasisPoints: z.number(),
    coefficientPpm: z.number().nullable(),
    totalCents: z.number(),
    totalWithResidualValueCents: z.number(),
    costCents: z.number(),
    schedule: z.array(ScheduleLineSchema),
  })
  .meta({ id: 'Quote' });

/** Which request field each refusal code is about. */
export const quoteRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  app.post(
    '/quotes',
    {
      config: { roles: ['reseller', 'bank', 'archivist', 'admin'] },
      schema: {
        summary: 'Échéancier de loyers selon la grille tarifaire de la banque (aperçu du formulaire)',
        tags: ['devis'],
        body: QuoteBody,
        response: { 200: QuoteSchema, 404: ProblemSchema, 422: ProblemSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const body = request.body;
      // A reseller that left the programme no longer reads the banks' grids.
      if (principal.role === 'reseller' && !(await isActiveReseller(ctx.sql, principal.organisationId))) {
        throw new HttpProblem(
          403,
          'reseller-not-active',
          'Revendeur inactif',
          `Le revendeur ${principal.organisationId} n'est plus actif (ou plus labellisé) dans le programme : les devis lui sont fermés.`,
        );
      }
      const today = parisDateOf(ctx.now());
      const startDate = body.startDate ?? today;
      if (startDate < today || startDate > addMonths(today, MAX_START_MONTHS_AHEAD)) {
        throw new HttpProblem(
          422,
          'validation-error',
          'Données invalides',
          `Un champ est invalide dans le corps de la requête : startDate — la date de début est comprise entre aujourd'hui et dans ${MAX_START_MONTHS_AHEAD} mois.`,
          { errors: [{ path: 'startDate', message: `Date de début : entre aujourd'hui (${today}) et ${addMonths(today, MAX_START_MONTHS_AHEAD)}` }] },
        );
      }
      const protocol =
        principal.role === 'reseller'
          ? await getProtocol(ctx.sql, principal.organisationId, body.bankId)
          : body.resellerId
            ? await getProtocol(ctx.sql, body.resellerId, body.bankId)
            : await getAnyActiveProtocolOfBank(ctx.sql, body.bankId);
      if (!protocol || !protocol.active) {
        throw new HttpProblem(422, 'no-active-protocol', 'Pas de protocole actif', `Aucun protocole actif avec la banque ${body.bankId} : ses tarifs ne sont pas disponibles.`, {
          errors: [{ path: 'bankId', message: 'Aucun protocole actif avec cette banque' }],
        });
      }
      const tariff = TariffGridSchema.parse(protocol.policy.tariff);
      // Terms outside the grid throw QuoteRefused: a 422 naming each term, in api/problems.ts.
      const result = quote({
        amountCents: body.amountCents,
        product: body.product,
        durationMonths: body.durationMonths,
        periodicity: body.periodicity,
        tariff,
        firstRentIncreasePercent: body.firstRentIncreasePercent,
        residualValuePercent: body.residualValuePercent,
        startDate,
      });
      return { bankId: body.bankId, ...result };
    },
  );
};
