/**
 * The HTTP API: fastify with zod schemas (validation, types and OpenAPI from
 * one source), authentication declared once, every error as problem+json.
 */
import crypto from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Sql } from '../db/connect.ts';
import type { CeremonyEngine, DossierEngine } from '../temporal/types.ts';
import { installAuth } from './auth.ts';
import { installMetrics } from './metrics.ts';
import { HttpProblem, errorHandler, notFoundHandler } from './problems.ts';
import { installJsonBodyParser } from './json-body.ts';
import { unstorableTextPaths } from '../domain/text.ts';
import { DEFAULT_API_CONFIG, type ApiConfig, type ApiContext } from './context.ts';
import { dossierRoutes } from './routes/dossiers.ts';
import { bankRoutes } from './routes/bank.ts';
import { quoteRoutes } from './routes/quotes.ts';
import { healthRoutes } from './routes/health.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { adminRoutes } from './routes/admin.ts';
import { signingRoutes } from './routes/signing.ts';
import { vaultRoutes, type VaultRouteOptions } from './routes/vault.ts';
import { vaultAuditRoutes } from './routes/vault-audits.ts';
import { accountRoutes } from './routes/accounts.ts';
import { barometerRoutes } from './routes/barometers.ts';
import { createWebContext, pageNotFound, wantsPage, webRoutes, webSecurity, type WebOptions } from '../web/index.ts';

export interface ServerOptions {
  sql: Sql;
  engine: DossierEngine;
  /** The signing ceremonies; without it the signing routes answer 503. */
  ceremony?: CeremonyEngine;
  /** A pino logger; omitted = silent (tests). */
  logger?: Logger;
  config?: Partial<ApiConfig>;
  /** For GET /health: resolves when Temporal answers. */
  checkTemporal?: () => Promise<void>;
  /** Extra route families mounted under /v1, with the same auth and errors. */
  plugins?: FastifyPluginAsync[];
  /** The coffre-fort's routes (/v1/vault/…), when this API serves a vault. */
  vault?: VaultRouteOptions;
  /** Route families with their own options and prefix ('' = the root), e.g. the PKI's public endpoints. */
  mounts?: MountedPlugin[];
  now?: () => Date;
  /** The web pages (web/): their settings, or false for the API alone. */
  web?: WebOptions | false;
  /** Behind a reverse proxy: whom to trust for X-Forwarded-For/-Proto (true, or the proxies' addresses and CIDR ranges). */
  trustProxy?: boolean | string[];
}

export interface MountedPlugin {
  // The options type is the plugin's own; this file only passes it through.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  plugin: FastifyPluginAsync<any>;
  options?: object;
  prefix?: string;
}

/** Headers and fields that must never reach the logs. */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'];

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const config: ApiConfig = { ...DEFAULT_API_CONFIG, ...options.config };
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger.child({}, { redact: REDACT }) as FastifyBaseLogger } : { logger: false }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: options.trustProxy ?? false,
    genReqId: () => crypto.randomUUID(),
    // Unknown fields are an error (strict schemas), never silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const now = options.now ?? (() => new Date());
  const web = options.web === false ? null : webSecurity(options.sql, options.web);
  const webContext = web ? await createWebContext({ sql: options.sql, security: web, options: options.web || {}, now, server: app }) : null;
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => (webContext && wantsPage(request) ? pageNotFound(webContext, request, reply) : notFoundHandler(request, reply)));
  await app.register(cookie);
  installJsonBodyParser(app);
  // Text the database cannot store (U+0000, a lone UTF-16 surrogate) is refused here, naming each field.
  app.addHook('preValidation', async (request) => {
    const bad = unstorableTextPaths(request.body);
    if (bad.length > 0) {
      const first = bad[0]!;
      throw new HttpProblem(
        422,
        'validation-error',
        'Données invalides',
        bad.length === 1
          ? `Un champ est invalide dans le corps de la requête : ${first.path || 'le corps'} — ${first.message}.`
          : `${bad.length} champs contiennent du texte impossible à enregistrer : voir la liste « errors ».`,
        { errors: bad },
      );
    }
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Passeport API',
        description:
          "Pré-accord de financement des TPE titulaires d'un Passeport pour l'Économie Numérique. " +
          'Authentification : `Authorization: Bearer <clé>`. Erreurs : application/problem+json (RFC 9457).',
        version: '1.0.0',
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: "Clé d'API de l'organisation" } },
      },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  installAuth(app, options.sql, web ?? undefined);
  installMetrics(app, options.sql);

  const ctx: ApiContext = { sql: options.sql, engine: options.engine, ...(options.ceremony ? { ceremony: options.ceremony } : {}), config, now };
  await app.register(
    async (v1) => {
      await v1.register(dossierRoutes, ctx);
      await v1.register(bankRoutes, ctx);
      await v1.register(quoteRoutes, ctx);
      await v1.register(notificationRoutes, ctx);
      await v1.register(adminRoutes, ctx);
      await v1.register(signingRoutes, ctx);
      if (options.vault) {
        await v1.register(vaultRoutes, options.vault);
        await v1.register(vaultAuditRoutes, options.vault);
      }
      await v1.register(accountRoutes, ctx);
      await v1.register(barometerRoutes, ctx);
      for (const plugin of options.plugins ?? []) await v1.register(plugin);
    },
    { prefix: '/v1' },
  );
  for (const mount of options.mounts ?? []) {
    await app.register(mount.plugin, { ...mount.options, prefix: mount.prefix ?? '' });
  }
  if (webContext) await app.register(webRoutes, webContext);
  await app.register(healthRoutes, {
    sql: options.sql,
    checkTemporal:
      options.checkTemporal ??
      (async () => {
        throw new Error('aucune vérification Temporal configurée');
      }),
  });
  return app;
}
