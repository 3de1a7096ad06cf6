/** Liveness of the parts the engine needs: the database and Temporal. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Sql } from '../../db/connect.ts';

export interface HealthOptions {
  sql: Sql;
  /** Resolves when Temporal answers, rejects otherwise. */
  checkTemporal: () => Promise<void>;
  timeoutMs?: number;
}

const Part = z.object({ status: z.enum(['up', 'down']), detail: z.string().optional() });
const HealthSchema = z.object({ status: z.enum(['ok', 'degraded']), database: Part, temporal: Part }).meta({ id: 'Health' });

async function probe(check: () => Promise<unknown>, timeoutMs: number): Promise<z.infer<typeof Part>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`pas de réponse en ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: FastifyPluginAsyncZod<HealthOptions> = async (app, options) => {
  app.get(
    '/health',
    {
      logLevel: 'warn',
      schema: {
        summary: 'État du moteur : base de données et Temporal',
        tags: ['exploitation'],
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (_request, reply) => {
      const timeoutMs = options.timeoutMs ?? 2000;
      const [database, temporal] = await Promise.all([probe(() => options.sql`select 1`, timeoutMs), probe(options.checkTemporal, timeoutMs)]);
      const ok = database.status === 'up' && temporal.status === 'up';
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', database, temporal });
    },
  );
};
