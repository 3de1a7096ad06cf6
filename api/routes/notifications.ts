/** Notifications queued for the caller's organisation: reminders to banks, answers to resellers, contracts to sign. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OUTBOX_KINDS, listOutboxForRecipient } from '../../db/repositories/outbox.ts';
import { principalOf } from '../auth.ts';
import type { ApiContext } from '../context.ts';

const Query = z.strictObject({
  after: z.coerce
    .number({ error: 'after : nombre attendu' })
    .int('after : entier attendu')
    .min(0, 'after : positif ou nul')
    .default(0)
    .describe('Le dernier identifiant déjà lu : seules les notifications suivantes sont rendues'),
  limit: z.coerce.number({ error: 'limit : nombre attendu' }).int().min(1, 'limit : au moins 1').max(500, 'limit : au plus 500').default(100),
});

const NotificationSchema = z
  .object({
    id: z.string(),
    dossierId: z.string(),
    kind: z.enum(OUTBOX_KINDS),
    offsetSeconds: z.number(),
    payload: z.unknown(),
    createdAt: z.string(),
  })
  .meta({ id: 'Notification' });

export const notificationRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  app.get(
    '/notifications',
    {
      config: { roles: ['reseller', 'bank', 'creator'] },
      schema: {
        summary: 'Notifications de votre organisation (rappels à la banque, réponses au revendeur, contrats à signer), des plus anciennes aux plus récentes',
        tags: ['notifications'],
        querystring: Query,
        response: { 200: z.object({ notifications: z.array(NotificationSchema) }) },
      },
    },
    async (request) => {
      const rows = await listOutboxForRecipient(ctx.sql, principalOf(request).organisationId, request.query.after, request.query.limit);
      return {
        notifications: rows.map((m) => ({
          id: m.id,
          dossierId: m.dossierId,
          kind: m.kind,
          offsetSeconds: m.offsetSeconds,
          payload: m.payload,
          createdAt: m.createdAt,
        })),
      };
    },
  );
};
