/** The programme operator keeps the registries: banks, resellers, protocols, passports, excluded persons. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BankPolicySchema } from '../../domain/policy.ts';
import { isValidSiren } from '../../domain/siren.ts';
import { isCalendarDate } from '../../domain/dates.ts';
import { deleteExcludedPerson, organisationKind, upsertBank, upsertExcludedPerson, upsertPassport, upsertProtocol, upsertReseller } from '../../db/repositories/admin.ts';
import { HttpProblem, ProblemSchema } from '../problems.ts';
import type { ApiContext } from '../context.ts';

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
const id = (label: string) => z.string().regex(ID, `${label} : 1 à 40 lettres, chiffres, points, tirets`);
const name = z.string({ error: 'Nom : texte attendu' }).trim().min(1, 'Nom : à renseigner').max(120, 'Nom : 120 caractères au plus');
const date = (label: string) => z.string({ error: `${label} : date attendue` }).refine(isCalendarDate, `${label} : date invalide (AAAA-MM-JJ)`);
const admin = { roles: ['admin'] as const };
const Done = z.object({ ok: z.literal(true) });
const tags = ['administration'];

export const adminRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  async function mustBe(kind: 'bank' | 'reseller', orgId: string, path: string) {
    const found = await organisationKind(ctx.sql, orgId);
    if (found === kind) return;
    throw new HttpProblem(
      found ? 409 : 404,
      found ? 'wrong-organisation-kind' : 'organisation-not-found',
      found ? "Mauvais type d'organisation" : 'Organisation inconnue',
      found ? `${orgId} n'est pas ${kind === 'bank' ? 'une banque' : 'un revendeur'}.` : `Aucune organisation ${orgId}.`,
      { errors: [{ path, message: found ? 'Mauvais type' : 'Inconnue' }] },
    );
  }

  app.put(
    '/admin/banks/:bankId',
    {
      config: admin,
      schema: {
        summary: 'Créer ou modifier une banque',
        tags,
        params: z.object({ bankId: id('Banque') }),
        body: z.strictObject({ name, kind: z.enum(['bank', 'leasing'], { error: 'Type : bank ou leasing' }), active: z.boolean({ error: 'active : vrai ou faux' }) }),
        response: { 200: Done, 409: ProblemSchema },
      },
    },
    async (request) => {
      const kind = await organisationKind(ctx.sql, request.params.bankId);
      if (kind && kind !== 'bank') await mustBe('bank', request.params.bankId, 'bankId');
      await upsertBank(ctx.sql, request.params.bankId, request.body);
      return { ok: true as const };
    },
  );

  app.put(
    '/admin/resellers/:resellerId',
    {
      config: admin,
      schema: {
        summary: 'Créer ou modifier un revendeur (numéro de label, charte, activité)',
        tags,
        params: z.object({ resellerId: id('Numéro de label') }),
        body: z.strictObject({
          name,
          labelled: z.boolean({ error: 'labelled : vrai ou faux' }),
          charterSignedOn: date('Date de signature de la charte').nullable(),
          active: z.boolean({ error: 'active : vrai ou faux' }),
          postcode: z
            .string()
            .regex(/^\d{5}$/, 'Le code postal compte 5 chiffres')
            .optional(),
          city: z.string().trim().min(1).max(80).optional(),
        }),
        response: { 200: Done, 409: ProblemSchema },
      },
    },
    async (request) => {
      const kind = await organisationKind(ctx.sql, request.params.resellerId);
      if (kind && kind !== 'reseller') await mustBe('reseller', request.params.resellerId, 'resellerId');
      await upsertReseller(ctx.sql, request.params.resellerId, request.body);
      return { ok: true as const };
    },
  );

  app.put(
    '/admin/protocols/:resellerId/:bankId',
    {
      config: admin,
      schema: {
        summary: 'Créer ou modifier le protocole revendeur–banque et la politique de la banque',
        tags,
        params: z.object({ resellerId: id('Numéro de label'), bankId: id('Banque') }),
        body: z.strictObject({ active: z.boolean({ error: 'active : vrai ou faux' }), policy: BankPolicySchema }),
        response: { 200: Done, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request) => {
      await mustBe('reseller', request.params.resellerId, 'resellerId');
      await mustBe('bank', request.params.bankId, 'bankId');
      await upsertProtocol(ctx.sql, request.params.resellerId, request.params.bankId, request.body.active, request.body.policy);
      return { ok: true as const };
    },
  );

  app.put(
    '/admin/passports/:number',
    {
      config: admin,
      schema: {
        summary: 'Délivrer, modifier ou retirer un Passeport',
        tags,
        params: z.object({ number: id('Numéro de Passeport') }),
        body: z.strictObject({
          siren: z
            .string({ error: 'SIREN : texte attendu' })
            .regex(/^\d{9}$/, 'Le SIREN compte 9 chiffres')
            .refine(isValidSiren, 'SIREN invalide (clé de contrôle)'),
          status: z.enum(['issued', 'revoked'], { error: 'Statut : issued ou revoked' }),
          validatedModules: z.array(z.string().trim().min(1).max(60), { error: 'Liste des modules attendue' }).max(20, '20 modules au plus'),
        }),
        response: { 200: Done },
      },
    },
    async (request) => {
      await upsertPassport(ctx.sql, request.params.number, request.body);
      return { ok: true as const };
    },
  );

  app.post(
    '/admin/excluded-persons',
    {
      config: admin,
      schema: {
        summary: 'Inscrire une personne au registre des personnes exclues (interdiction de gérer, faillite personnelle, indicateur 060)',
        tags,
        body: z.strictObject({
          lastName: name,
          firstName: name,
          birthDate: date('Date de naissance'),
          kind: z.enum(['court_ban', 'personal_bankruptcy', 'dirigeant_060'], { error: 'Type : court_ban, personal_bankruptcy ou dirigeant_060' }),
          source: z.string({ error: 'Source : texte attendu' }).trim().min(1, 'Source : à renseigner').max(300),
          until: date('Date de fin').nullable().default(null),
        }),
        response: { 200: z.object({ id: z.string() }) },
      },
    },
    async (request) => ({ id: await upsertExcludedPerson(ctx.sql, request.body) }),
  );

  app.delete(
    '/admin/excluded-persons/:id',
    {
      config: admin,
      schema: {
        summary: 'Retirer une inscription du registre des personnes exclues',
        tags,
        params: z.object({ id: z.string().regex(/^\d{1,18}$/, "L'identifiant est un nombre") }),
        response: { 200: Done, 404: ProblemSchema },
      },
    },
    async (request) => {
      if (!(await deleteExcludedPerson(ctx.sql, request.params.id))) {
        throw new HttpProblem(404, 'not-found', 'Inscription introuvable', `Aucune inscription ${request.params.id} au registre.`);
      }
      return { ok: true as const };
    },
  );
};
