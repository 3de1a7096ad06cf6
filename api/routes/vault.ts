/**
 * The coffre-fort over HTTP (vault/, docs/vault.md): archivists deposit, list, search, read,
 * verify, export, hold and dispose; each party (reseller, bank) reads its own documents;
 * archivists upload any PDF for the verifier's report. Every role may call every route so
 * that the vault itself refuses — and journals the refusal — whatever it does not allow.
 * Register it under /v1: `app.register(vaultRoutes, { vault, operatorOrganisation })`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyError } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Principal } from '../../db/repositories/apiKeys.ts';
import { DepositPackageSchema } from '../../vault/deposit.ts';
import { OBJECT_ID } from '../../vault/ids.ts';
import { PARTY_ROLES, type Actor, type ObjectRecord, type SearchFilter } from '../../vault/types.ts';
import type { Vault } from '../../vault/vault.ts';
import { principalOf } from '../auth.ts';
import { errorHandler, ProblemSchema, sendProblem } from '../problems.ts';

export interface VaultRouteOptions {
  vault: Vault;
  /** The organisation running the vault: its archivists see the whole vault, others' their own documents. */
  operatorOrganisation?: string;
  /** Largest deposit (JSON with base64 contents) and uploaded PDF; default 64 MiB. */
  bodyLimitBytes?: number;
  /** Where exports are assembled before being sent (default the system's temporary folder). */
  workDir?: string;
}

const ALL_ROLES = ['archivist', 'reseller', 'bank', 'creator', 'admin'] as const;

/** The vault's actor for an API key. */
export function actorOf(principal: Principal, operatorOrganisation?: string): Actor {
  switch (principal.role) {
    case 'archivist':
      return principal.organisationId === operatorOrganisation
        ? { kind: 'archivist', name: `${principal.organisationId}/${principal.keyId}` }
        : { kind: 'archivist', name: principal.keyId, organisation: principal.organisationId };
    case 'reseller':
      return { kind: 'party', role: 'revendeur', id: principal.organisationId };
    case 'bank':
      return { kind: 'party', role: 'banque', id: principal.organisationId };
    case 'creator':
      // A créateur's organisation is their company, known by its SIREN.
      return { kind: 'party', role: 'createur', id: principal.organisationId };
    default:
      return { kind: 'other', name: `${principal.role}:${principal.organisationId}` };
  }
}

const ObjectIdParams = z.strictObject({ id: z.string().regex(OBJECT_ID, "Identifiant d'objet attendu (CF-…-01)") });
const isoDate = (field: string) => z.iso.datetime({ offset: true, error: `${field} : date ISO 8601 attendue` }).or(z.iso.date({ error: `${field} : date ISO 8601 attendue` }));

const SearchQuery = z.strictObject({
  dossier: z.string().min(1).max(100).optional(),
  siren: z
    .string()
    .regex(/^\d{9}$/, 'siren : 9 chiffres')
    .optional(),
  class: z.string().min(2).max(40).optional(),
  from: isoDate('from').optional(),
  to: isoDate('to').optional(),
  disposed: z.enum(['true', 'false'], { error: 'disposed : true ou false' }).optional(),
  limit: z.coerce.number({ error: 'limit : nombre attendu' }).int().min(1).max(1000).optional(),
  offset: z.coerce.number({ error: 'offset : nombre attendu' }).int().min(0).optional(),
});

function filterOf(q: z.infer<typeof SearchQuery>): SearchFilter {
  return {
    ...(q.dossier ? { dossierId: q.dossier } : {}),
    ...(q.siren ? { siren: q.siren } : {}),
    ...(q.class ? { documentClass: q.class } : {}),
    ...(q.from ? { from: new Date(q.from).toISOString() } : {}),
    ...(q.to ? { to: new Date(q.to).toISOString() } : {}),
    ...(q.disposed === 'true' ? { includeDisposed: true } : {}),
    ...(q.limit ? { limit: q.limit } : {}),
    ...(q.offset ? { offset: q.offset } : {}),
  };
}

const ReasonBody = z.strictObject({
  reason: z.string({ error: 'reason : motif attendu' }).trim().min(3, 'reason : 3 caractères au moins').max(1000, 'reason : 1000 caractères au plus'),
});

const PartySchema = z.object({ role: z.enum(PARTY_ROLES), id: z.string(), name: z.string().optional() });
const HoldSchema = z.object({ id: z.number().int(), reason: z.string(), setBy: z.string(), setAt: z.string() });

export const VaultObjectSchema = z
  .object({
    id: z.string(),
    packageId: z.string(),
    position: z.number().int(),
    name: z.string(),
    mediaType: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    sha512: z.string(),
    documentClass: z.string(),
    retentionEnd: z.string().nullable(),
    depositor: z.string(),
    depositedAt: z.string(),
    dossierId: z.string().nullable(),
    siren: z.string().nullable(),
    parties: z.array(PartySchema),
    derivedFrom: z.string().nullable(),
    disposedAt: z.string().nullable(),
    disposedBy: z.string().nullable(),
    disposalReason: z.string().nullable(),
    holds: z.array(HoldSchema),
  })
  .meta({ id: 'VaultObject' });

const VerdictSchema = z
  .object({
    signed: z.boolean(),
    indication: z.enum(['TOTAL_PASSED', 'TOTAL_FAILED', 'INDETERMINATE']),
    subIndication: z.string().nullable(),
    reasons: z.array(z.string()),
    signatures: z.array(
      z.object({
        kind: z.enum(['signature', 'document-timestamp']),
        signer: z.string().nullable(),
        indication: z.string(),
        subIndication: z.string().nullable(),
        level: z.string().nullable(),
        time: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'SignatureVerdict' });

const DepositBody = z.strictObject({
  documentClass: z.string(),
  dossierId: z.string().optional(),
  siren: z.string().optional(),
  parties: z.array(z.strictObject({ role: z.enum(PARTY_ROLES, { error: `rôle : ${PARTY_ROLES.join(', ')}` }), id: z.string(), name: z.string().optional() })).optional(),
  objects: z
    .array(
      z.strictObject({
        name: z.string(),
        mediaType: z.string(),
        contentBase64: z.base64({ error: 'contentBase64 : contenu en base64 attendu' }),
        documentClass: z.string().optional(),
      }),
    )
    .min(1, 'objects : au moins un objet'),
});

const ExportBody = z
  .strictObject({
    objectIds: z.array(z.string().regex(OBJECT_ID, "Identifiant d'objet attendu (CF-…-01)")).min(1).max(1000).optional(),
    dossier: z.string().min(1).max(100).optional(),
    siren: z
      .string()
      .regex(/^\d{9}$/, 'siren : 9 chiffres')
      .optional(),
    class: z.string().min(2).max(40).optional(),
    from: isoDate('from').optional(),
    to: isoDate('to').optional(),
  })
  .refine((b) => b.objectIds || b.dossier || b.siren || b.class || b.from || b.to, 'Indiquez objectIds ou un critère (dossier, siren, class, from, to).');

const objectResponse = { 200: VaultObjectSchema, 403: ProblemSchema, 404: ProblemSchema };

export const vaultRoutes: FastifyPluginAsyncZod<VaultRouteOptions> = async (app, options) => {
  const { vault } = options;
  const bodyLimit = options.bodyLimitBytes ?? 64 * 1024 * 1024;
  const actor = (request: Parameters<typeof principalOf>[0]): Actor => actorOf(principalOf(request), options.operatorOrganisation);

  // PDFs arrive as bytes; only in this plugin.
  app.addContentTypeParser('application/pdf', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendProblem(
        request,
        reply,
        413,
        'body-too-large',
        'Requête trop volumineuse',
        `Le corps de la requête dépasse la taille autorisée (${Math.floor(bodyLimit / 1048576)} Mio).`,
      );
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendProblem(
        request,
        reply,
        415,
        'unsupported-media-type',
        'Format non pris en charge',
        'Envoyez du JSON (Content-Type: application/json), ou un PDF (application/pdf) pour la vérification.',
      );
    }
    return errorHandler(error, request, reply);
  });

  app.post(
    '/vault/packages',
    {
      bodyLimit,
      config: { roles: ALL_ROLES },
      schema: {
        summary: 'Déposer un paquet (archiviste) ; le même paquet redonne le même identifiant',
        tags: ['coffre-fort'],
        body: DepositBody,
        response: {
          200: z.object({ packageId: z.string(), created: z.boolean(), objects: z.array(VaultObjectSchema) }),
          201: z.object({ packageId: z.string(), created: z.boolean(), objects: z.array(VaultObjectSchema) }),
          403: ProblemSchema,
          422: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const pkg: z.input<typeof DepositPackageSchema> = {
        ...body,
        objects: body.objects.map(({ contentBase64, ...o }) => ({ ...o, content: new Uint8Array(Buffer.from(contentBase64, 'base64')) })),
      };
      const result = await vault.deposit(actor(request), pkg);
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );

  app.get(
    '/vault/objects',
    {
      config: { roles: ALL_ROLES },
      schema: {
        summary: 'Lister et rechercher les objets (dossier, SIREN, classe, dates)',
        tags: ['coffre-fort'],
        querystring: SearchQuery,
        response: { 200: z.object({ objects: z.array(VaultObjectSchema) }), 403: ProblemSchema },
      },
    },
    async (request) => ({ objects: await vault.list(actor(request), filterOf(request.query)) }),
  );

  app.get(
    '/vault/objects/count',
    {
      config: { roles: ALL_ROLES },
      schema: {
        summary: 'Compter les objets et leur volume',
        tags: ['coffre-fort'],
        querystring: SearchQuery,
        response: { 200: z.object({ count: z.number().int(), bytes: z.number().int() }), 403: ProblemSchema },
      },
    },
    async (request) => vault.count(actor(request), filterOf(request.query)),
  );

  app.get(
    '/vault/objects/:id',
    { config: { roles: ALL_ROLES }, schema: { summary: "Métadonnées techniques d'un objet", tags: ['coffre-fort'], params: ObjectIdParams, response: objectResponse } },
    async (request) => vault.metadata(actor(request), request.params.id),
  );

  app.get(
    '/vault/objects/:id/content',
    { config: { roles: ALL_ROLES }, schema: { summary: "Lire le contenu d'un objet", tags: ['coffre-fort'], params: ObjectIdParams } },
    async (request, reply) => {
      const { object, content } = await vault.read(actor(request), request.params.id);
      return reply
        .type(object.mediaType)
        .header('content-disposition', attachment(object))
        .header('digest', `sha-512=${Buffer.from(object.sha512, 'hex').toString('base64')}`)
        .send(content);
    },
  );

  app.post(
    '/vault/objects/:id/verify',
    {
      config: { roles: ALL_ROLES },
      schema: {
        summary: 'Contrôler un objet : copies, entrée de dépôt, sceau et signatures',
        tags: ['coffre-fort'],
        params: ObjectIdParams,
        response: {
          200: z.object({
            ok: z.boolean(),
            problems: z.array(z.string()),
            object: VaultObjectSchema,
            copies: z.array(z.object({ location: z.string(), present: z.boolean(), intact: z.boolean() })),
            depositEntry: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
            seal: z.object({ id: z.string(), merkleRootMatches: z.boolean(), timestampOk: z.boolean(), tokenTime: z.string().nullable() }).nullable(),
            signatures: VerdictSchema.nullable(),
          }),
          403: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    async (request) => {
      const c = await vault.verify(actor(request), request.params.id);
      return {
        ...c,
        seal: c.seal
          ? { id: c.seal.id, merkleRootMatches: c.seal.merkleRootMatches, timestampOk: c.seal.timestamp.ok, tokenTime: c.seal.timestamp.genTime?.toISOString() ?? null }
          : null,
      };
    },
  );

  app.get(
    '/vault/objects/:id/statement',
    { config: { roles: ALL_ROLES }, schema: { summary: 'Attestation de valeur probante (PDF)', tags: ['coffre-fort'], params: ObjectIdParams } },
    async (request, reply) => {
      const pdf = await vault.statement(actor(request), request.params.id);
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="attestation-${request.params.id}.pdf"`).send(Buffer.from(pdf));
    },
  );

  app.post(
    '/vault/objects/:id/holds',
    {
      config: { roles: ALL_ROLES },
      schema: {
        summary: 'Poser un gel juridique (archiviste)',
        tags: ['coffre-fort'],
        params: ObjectIdParams,
        body: ReasonBody,
        response: { 201: HoldSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await vault.hold(actor(request), request.params.id, request.body.reason)),
  );

  app.post(
    '/vault/objects/:id/release',
    {
      config: { roles: ALL_ROLES },
      schema: {
        summary: 'Lever les gels juridiques (archiviste)',
        tags: ['coffre-fort'],
        params: ObjectIdParams,
        body: ReasonBody,
        response: { 200: z.object({ lifted: z.array(z.number().int()) }), 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request) => ({ lifted: await vault.release(actor(request), request.params.id, request.body.reason) }),
  );

  app.post(
    '/vault/objects/:id/disposal',
    {
      config: { roles: ALL_ROLES },
      schema: {
        summary: 'Détruire un objet dont la conservation est échue et sans gel (archiviste)',
        tags: ['coffre-fort'],
        params: ObjectIdParams,
        body: ReasonBody,
        response: { ...objectResponse, 409: ProblemSchema },
      },
    },
    async (request) => vault.dispose(actor(request), request.params.id, request.body.reason),
  );

  app.get(
    '/vault/journal',
    {
      config: { roles: ALL_ROLES },
      schema: {
        summary: 'Lire le journal (archiviste du coffre-fort)',
        tags: ['coffre-fort'],
        querystring: z.strictObject({
          after: z.coerce.number({ error: 'after : nombre attendu' }).int().min(0).optional(),
          object: z.string().max(100).optional(),
          limit: z.coerce.number({ error: 'limit : nombre attendu' }).int().min(1).max(1000).optional(),
        }),
        response: {
          200: z.object({
            entries: z.array(
              z.object({
                seq: z.number().int(),
                time: z.string(),
                operation: z.string(),
                actor: z.string(),
                object: z.string().nullable(),
                outcome: z.string(),
                details: z.record(z.string(), z.unknown()),
                previous: z.string(),
                hash: z.string(),
                body: z.string(),
              }),
            ),
          }),
          403: ProblemSchema,
        },
      },
    },
    async (request) => ({
      entries: await vault.readJournal(actor(request), {
        afterSeq: request.query.after ?? 0,
        limit: request.query.limit ?? 100,
        ...(request.query.object ? { objectId: request.query.object } : {}),
      }),
    }),
  );

  app.post(
    '/vault/exports',
    { config: { roles: ALL_ROLES }, schema: { summary: 'Exporter un paquet autonome (tar), vérifiable hors ligne avec openssl', tags: ['coffre-fort'], body: ExportBody } },
    async (request, reply) => {
      const b = request.body;
      const work = fs.mkdtempSync(path.join(options.workDir ?? os.tmpdir(), 'passeport-export-'));
      const tarFile = path.join(work, 'export.tar');
      const cleanup = (): void => fs.rmSync(work, { recursive: true, force: true });
      try {
        const filter = filterOf({
          ...(b.dossier ? { dossier: b.dossier } : {}),
          ...(b.siren ? { siren: b.siren } : {}),
          ...(b.class ? { class: b.class } : {}),
          ...(b.from ? { from: b.from } : {}),
          ...(b.to ? { to: b.to } : {}),
        });
        const result = await vault.export(actor(request), { ...(b.objectIds ? { objectIds: b.objectIds } : { filter }), outDir: path.join(work, 'export'), tarFile });
        const stream = fs.createReadStream(tarFile);
        stream.on('close', cleanup);
        return reply
          .type('application/x-tar')
          .header('content-disposition', 'attachment; filename="export-coffre-fort.tar"')
          .header('x-export-sha512', result.tarSha512 ?? '')
          .send(stream);
      } catch (error) {
        cleanup();
        throw error;
      }
    },
  );

  app.post(
    '/vault/verify-pdf',
    {
      bodyLimit,
      config: { roles: ALL_ROLES },
      schema: {
        summary: 'Vérifier les signatures de tout PDF envoyé (archiviste) : rien n’est conservé',
        tags: ['coffre-fort'],
        response: { 200: VerdictSchema, 403: ProblemSchema, 415: ProblemSchema },
      },
    },
    async (request, reply) => {
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/pdf' || !Buffer.isBuffer(request.body)) {
        return sendProblem(
          request,
          reply,
          415,
          'unsupported-media-type',
          'Format non pris en charge',
          'Envoyez le PDF tel quel, avec l’en-tête « Content-Type: application/pdf ».',
        );
      }
      const name = String(request.headers['x-file-name'] ?? 'document.pdf').slice(0, 200);
      return vault.verifyPdf(actor(request), request.body as Buffer, name);
    },
  );
};

function attachment(o: ObjectRecord): string {
  const ascii = o.name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(o.name)}`;
}
