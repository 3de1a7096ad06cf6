/**
 * The operator creates, lists and disables the accounts people sign in with
 * (web pages). A generated password is returned once, never stored or logged.
 * Disabling an account ends its sessions at once.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, createAccount, disableAccount, generatePassword, listAccounts } from '../../db/repositories/accounts.ts';
import { ROLES } from '../../domain/roles.ts';
import { HttpProblem, ProblemSchema } from '../problems.ts';
import type { ApiContext } from '../context.ts';

export const AccountSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    displayName: z.string(),
    role: z.enum(ROLES),
    organisationId: z.string(),
    organisationName: z.string(),
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
  })
  .meta({ id: 'Account' });

const NewAccountBody = z.strictObject({
  email: z.email({ error: 'Adresse e-mail invalide' }).max(254, 'Adresse e-mail trop longue'),
  displayName: z.string({ error: 'Nom : texte attendu' }).trim().min(1, 'Nom : à renseigner').max(120, 'Nom : 120 caractères au plus'),
  role: z.enum(ROLES, { error: `Rôle : ${ROLES.join(', ')}` }),
  organisationId: z
    .string({ error: 'Organisation : texte attendu' })
    .min(1, 'Organisation : à renseigner')
    .max(40, 'Organisation : 40 caractères au plus')
    .describe('Code banque, numéro de label du revendeur, « programme », ou le SIREN de l’entreprise d’un créateur'),
  companyName: z.string().trim().max(120).optional().describe('Créateur : nom de son entreprise, si elle n’est pas encore enregistrée'),
  password: z
    .string({ error: 'Mot de passe : texte attendu' })
    .min(MIN_PASSWORD_LENGTH, `Mot de passe : ${MIN_PASSWORD_LENGTH} caractères au moins`)
    .max(MAX_PASSWORD_LENGTH, `Mot de passe : ${MAX_PASSWORD_LENGTH} caractères au plus`)
    .optional()
    .describe('Absent : un mot de passe est généré et renvoyé une seule fois'),
});

export const accountRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  const admin = { roles: ['admin'] as const };
  const tags = ['comptes'];

  app.post(
    '/admin/accounts',
    {
      config: admin,
      schema: {
        summary: 'Créer le compte d’une personne (rôle et organisation)',
        tags,
        body: NewAccountBody,
        response: { 201: z.object({ account: AccountSchema, password: z.string().optional() }), 409: ProblemSchema, 422: ProblemSchema },
      },
    },
    async (request, reply) => {
      const generated = request.body.password === undefined ? generatePassword() : undefined;
      // An AccountError becomes its problem (409 or 422, the field named) in api/problems.ts.
      const account = await createAccount(ctx.sql, { ...request.body, password: request.body.password ?? generated! });
      return reply.code(201).send({ account, ...(generated ? { password: generated } : {}) });
    },
  );

  app.get(
    '/admin/accounts',
    {
      config: admin,
      schema: {
        summary: 'Lister les comptes',
        tags,
        querystring: z.strictObject({ organisationId: z.string().max(40).optional() }),
        response: { 200: z.object({ accounts: z.array(AccountSchema) }) },
      },
    },
    async (request) => ({ accounts: await listAccounts(ctx.sql, request.query) }),
  );

  app.post(
    '/admin/accounts/:id/disable',
    {
      config: admin,
      schema: {
        summary: 'Désactiver un compte (ses sessions prennent fin aussitôt)',
        tags,
        params: z.object({ id: z.uuid({ error: "L'identifiant du compte est un UUID" }) }),
        response: { 200: z.object({ account: AccountSchema }), 404: ProblemSchema },
      },
    },
    async (request) => {
      const account = await disableAccount(ctx.sql, request.params.id);
      if (!account) throw new HttpProblem(404, 'account-not-found', 'Compte introuvable', `Aucun compte ${request.params.id}.`);
      return { account };
    },
  );
};
