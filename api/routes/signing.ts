/**
 * The signing ceremony for its three parties: the créateur (role creator, the
 * company's SIREN as organisation), the revendeur and the bank. Each reads the
 * contract (the opening is journaled), asks for the data to sign for its
 * certificate, posts the signature value, or declines with a reason; the bank
 * countersigns with its server-side seal. The engine refuses precisely: wrong
 * party, not your turn, wrong person or SIREN, level too low, expired or
 * revoked certificate, a value that does not verify, a replay, a lapsed offer.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Principal } from '../../db/repositories/apiKeys.ts';
import { describeDocument, getArchiveDeposit, getCeremony, getDocument, listSignatures, type DocumentKind, type StoredDocument } from '../../db/repositories/ceremonies.ts';
import { getDossier, type DossierRecord } from '../../db/repositories/dossiers.ts';
import { recordEvent } from '../../db/repositories/events.ts';
import { DECLINE_REASON_MAX, PARTY_LABEL, SIGNING_ORDER, type Party } from '../../domain/ceremony.ts';
import type { ClientInfo } from '../../activities/ceremony-types.ts';
import { SigningRefusedError, type CeremonyEngine } from '../../temporal/types.ts';
import { isPasseportError } from '../../errors/index.ts';
import { principalOf } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { HttpProblem, ProblemSchema } from '../problems.ts';
import { DossierIdParams } from '../schemas.ts';
import { dossierNotFound } from './dossiers.ts';

/** The party a caller acts for on this dossier, or null when the dossier is none of its business. */
export function partyOf(principal: Principal, record: DossierRecord): Party | null {
  if (principal.role === 'creator' && principal.organisationId === record.siren) return 'createur';
  if (principal.role === 'reseller' && principal.organisationId === record.resellerId) return 'revendeur';
  if (principal.role === 'bank' && principal.organisationId === record.bankId) return 'banque';
  return null;
}

const SIGNING_ROLES = ['creator', 'reseller', 'bank'] as const;

const base64 = (what: string, max: number) =>
  z
    .string({ error: `${what} : texte base64 attendu` })
    .min(4, `${what} : vide`)
    .max(max, `${what} : ${max} caractères au plus`)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, `${what} : base64 attendu (A-Z, a-z, 0-9, +, /)`);

const PartyParams = DossierIdParams.extend({
  party: z.enum(SIGNING_ORDER, { error: 'Partie : createur, revendeur ou banque' }),
});

const DataToSignBody = z.strictObject({
  certificate: base64('Certificat (DER)', 16_384),
  chain: z.array(base64('Certificat de la chaîne (DER)', 16_384), { error: 'Chaîne : liste de certificats attendue' }).max(8, 'Chaîne : 8 certificats au plus').default([]),
});

const SignatureBody = z.strictObject({
  preparationId: z.uuid({ error: 'Identifiant de préparation : UUID attendu' }),
  signatureValue: base64('Valeur de signature', 2_048),
});

const DeclineBody = z.strictObject({
  reason: z
    .string({ error: 'Motif : texte attendu' })
    .trim()
    .min(1, 'Motif : dites en quelques mots pourquoi vous refusez de signer')
    .max(DECLINE_REASON_MAX, `Motif : ${DECLINE_REASON_MAX} caractères au plus`),
});

const FactsSchema = z
  .object({
    subject: z.string(),
    commonName: z.string(),
    siren: z.string(),
    issuer: z.string(),
    serial: z.string(),
    notBefore: z.string(),
    notAfter: z.string(),
    rgsLevel: z.number(),
    keyStore: z.enum(['token', 'software', 'unknown']),
    checkedAt: z.string(),
  })
  .describe('Ce que la plateforme a vérifié du certificat');

/** Who declined and why, or the lapse; the decliner's address stays in the evidence. */
const ClosingSchema = z.object({
  outcome: z.enum(['declined', 'lapsed']),
  party: z.enum(SIGNING_ORDER).optional(),
  reason: z.string().optional(),
  at: z.string(),
});

const PreparedSchema = z
  .object({
    preparationId: z.string(),
    dataToSign: z.string().describe('Attributs signés (DER, base64) : à signer avec l’algorithme annoncé, après hachage SHA-256'),
    digestToSign: z.string().describe('Leur empreinte SHA-256 (base64), pour un dispositif qui signe une empreinte'),
    hash: z.literal('SHA-256'),
    signatureAlgorithm: z.object({ name: z.string(), modulusLength: z.number().optional(), saltLength: z.number().optional(), namedCurve: z.string().optional() }),
    fieldName: z.string(),
    facts: FactsSchema,
  })
  .meta({ id: 'DataToSign' });

const SignatureSummarySchema = z.object({
  party: z.enum(SIGNING_ORDER),
  signer: z.string(),
  rgsLevel: z.number(),
  signedAt: z.string(),
  sha256Before: z.string(),
  sha256After: z.string(),
});

const CeremonyViewSchema = z
  .object({
    dossierId: z.string(),
    stage: z.string(),
    turn: z.enum(SIGNING_ORDER).nullable(),
    offerExpiresOn: z.string(),
    lapsesAt: z.string(),
    requiredLevels: z.record(z.string(), z.number()).nullable(),
    signatures: z.array(SignatureSummarySchema.extend({ preparationId: z.string() })),
    closing: ClosingSchema.nullable(),
  })
  .meta({ id: 'CeremonyView' });

const ContractStatusSchema = z
  .object({
    dossierId: z.string(),
    party: z.enum(SIGNING_ORDER).nullable().describe('La partie pour laquelle vous agissez'),
    status: z.string(),
    contractNumber: z.string().nullable(),
    offerExpiresAt: z.string().nullable(),
    requiredLevels: z.record(z.string(), z.number()).nullable(),
    turn: z.enum(SIGNING_ORDER).nullable(),
    signatures: z.array(SignatureSummarySchema),
    closing: ClosingSchema.nullable(),
    contract: z.object({ version: z.number(), sha256: z.string(), label: z.string() }).nullable(),
    decisionLetter: z.object({ sha256: z.string() }).nullable(),
    archive: z.object({ packageId: z.string(), location: z.string() }).nullable(),
  })
  .meta({ id: 'ContractStatus' });

/** Where the request came from, for the evidence: the socket's address and the announced software. */
function clientOf(request: FastifyRequest): ClientInfo {
  const agent = request.headers['user-agent'];
  // eslint-disable-next-line no-control-regex
  return { ip: request.ip ?? null, userAgent: typeof agent === 'string' ? agent.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 400) : null };
}

const PDF_NAMES: Record<'contract' | 'decision_letter' | 'evidence', string> = {
  contract: 'contrat',
  decision_letter: 'lettre-de-decision',
  evidence: 'dossier-de-preuve',
};

export const signingRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  /** The dossier and the caller's party; a dossier of someone else is a 404, as everywhere. */
  async function dossierFor(request: FastifyRequest, id: string): Promise<{ record: DossierRecord; party: Party | null }> {
    const principal = principalOf(request);
    const record = await getDossier(ctx.sql, id);
    const party = record ? partyOf(principal, record) : null;
    if (!record || (!party && principal.role !== 'admin')) throw dossierNotFound(id);
    return { record, party };
  }

  /** The caller must act for the party named in the address. */
  async function asParty(request: FastifyRequest, id: string, party: Party): Promise<DossierRecord> {
    const { record, party: own } = await dossierFor(request, id);
    if (own !== party) {
      throw new HttpProblem(
        403,
        'wrong-party',
        'Partie différente',
        `Vous agissez pour ${own ? PARTY_LABEL[own] : 'aucune partie'} de ce contrat, pas pour ${PARTY_LABEL[party]} : vous ne pouvez signer que pour vous-même.`,
        { code: 'wrong_party' },
      );
    }
    return record;
  }

  function engine(): CeremonyEngine {
    if (!ctx.ceremony) {
      throw new HttpProblem(503, 'engine-unavailable', 'Moteur indisponible', 'La signature des contrats n’est pas active sur ce serveur.');
    }
    return ctx.ceremony;
  }

  async function step<T>(request: FastifyRequest, dossierId: string, run: (e: CeremonyEngine) => Promise<T>, party?: Party): Promise<T> {
    try {
      return await run(engine());
    } catch (error) {
      // The previous signature is stored (the ceremony row says it is this party's turn) but the
      // workflow has not taken it in yet — a worker or Temporal restarting: ask to retry, not « not your turn ».
      if (party && error instanceof SigningRefusedError && error.code === 'not_your_turn' && (await getCeremony(ctx.sql, dossierId))?.status === `awaiting_${party}`) {
        throw new HttpProblem(
          503,
          'engine-unavailable',
          'Moteur indisponible',
          `Le moteur enregistre encore la signature précédente du dossier ${dossierId}. Réessayez dans quelques instants.`,
          { dossierId },
        );
      }
      // Refusals (SigningRefusedError) become their problem in api/problems.ts.
      if (error instanceof HttpProblem || isPasseportError(error)) throw error;
      request.log.warn({ err: error, dossierId }, 'ceremony step failed');
      throw new HttpProblem(
        503,
        'engine-unavailable',
        'Moteur indisponible',
        `L’étape n’a pas pu être transmise au moteur pour le dossier ${dossierId}. Réessayez dans quelques instants : si elle a abouti entre-temps, la réponse le dira.`,
        { dossierId },
      );
    }
  }

  async function sendPdf(reply: FastifyReply, dossierId: string, kind: keyof typeof PDF_NAMES, found?: StoredDocument | null): Promise<FastifyReply> {
    const doc = found === undefined ? await getDocument(ctx.sql, dossierId, kind as DocumentKind) : found;
    if (!doc) throw new HttpProblem(404, 'document-not-found', 'Document introuvable', `Ce document n’existe pas (encore) pour le dossier ${dossierId}.`);
    return reply
      .type(doc.mediaType)
      .header('content-disposition', `inline; filename="${PDF_NAMES[kind]}-${dossierId}${kind === 'contract' ? `-v${doc.version}` : ''}.pdf"`)
      .header('x-document-version', String(doc.version))
      .header('x-document-sha256', doc.sha256)
      .send(doc.content);
  }

  app.get(
    '/dossiers/:id/contract',
    {
      config: { roles: [...SIGNING_ROLES, 'admin'] },
      schema: {
        summary: 'État de la signature du contrat : à qui le tour, signatures faites, niveaux exigés, documents',
        tags: ['signature'],
        params: DossierIdParams,
        response: { 200: ContractStatusSchema, 404: ProblemSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { party } = await dossierFor(request, id);
      const ceremony = await getCeremony(ctx.sql, id);
      if (!ceremony) throw new HttpProblem(404, 'no-ceremony', 'Pas de contrat', `Le dossier ${id} n’a pas (encore) de lettre de décision ni de contrat.`, { code: 'no_ceremony' });
      const contract = await describeDocument(ctx.sql, id, 'contract');
      const letter = await describeDocument(ctx.sql, id, 'decision_letter');
      const archive = await getArchiveDeposit(ctx.sql, id);
      const signatures = await listSignatures<{ commonName: string; rgsLevel: number }>(ctx.sql, id);
      const turn = ceremony.status.startsWith('awaiting_') ? (ceremony.status.slice('awaiting_'.length) as Party) : null;
      return {
        dossierId: id,
        party,
        status: ceremony.status,
        contractNumber: ceremony.contractNumber,
        offerExpiresAt: ceremony.offerExpiresAt,
        requiredLevels: ceremony.requiredLevels,
        turn,
        signatures: signatures.map((s) => ({
          party: s.party,
          signer: s.facts.commonName,
          rgsLevel: s.facts.rgsLevel,
          signedAt: s.signedAt,
          sha256Before: s.sha256Before,
          sha256After: s.sha256After,
        })),
        closing: ceremony.closing,
        contract: contract ? { version: contract.version, sha256: contract.sha256, label: contract.label } : null,
        decisionLetter: letter ? { sha256: letter.sha256 } : null,
        archive: archive ? { packageId: archive.packageId, location: archive.location } : null,
      };
    },
  );

  app.get(
    '/dossiers/:id/contract/document',
    {
      config: { roles: [...SIGNING_ROLES, 'admin'] },
      schema: {
        summary: 'Le contrat à lire (sa dernière version, signée à la fin) ; l’ouverture est inscrite au dossier de preuve',
        tags: ['signature'],
        params: DossierIdParams,
        querystring: z.strictObject({ version: z.coerce.number({ error: 'version : entier attendu' }).int().min(0).optional() }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { party } = await dossierFor(request, id);
      const doc = await getDocument(ctx.sql, id, 'contract', request.query.version);
      if (doc && party) {
        await recordEvent(ctx.sql, id, 'contract_opened', { party, version: doc.version, sha256: doc.sha256, ...clientOf(request) }, `${id}:contract_opened:${request.id}`);
      }
      return sendPdf(reply, id, 'contract', doc);
    },
  );

  for (const [path, kind, summary] of [
    ['/dossiers/:id/decision-letter', 'decision_letter', 'La lettre de décision (accord ou refus), scellée par la banque'],
    ['/dossiers/:id/contract/evidence', 'evidence', 'Le dossier de preuve de la signature, scellé par la plateforme'],
  ] as const) {
    app.get(path, { config: { roles: [...SIGNING_ROLES, 'admin'] }, schema: { summary, tags: ['signature'], params: DossierIdParams } }, async (request, reply) => {
      await dossierFor(request, request.params.id);
      return sendPdf(reply, request.params.id, kind);
    });
  }

  app.get(
    '/dossiers/:id/contract/validation-report',
    {
      config: { roles: [...SIGNING_ROLES, 'admin'] },
      schema: { summary: 'Le rapport de validation du contrat signé (ETSI EN 319 102-1)', tags: ['signature'], params: DossierIdParams },
    },
    async (request, reply) => {
      await dossierFor(request, request.params.id);
      const doc = await getDocument(ctx.sql, request.params.id, 'validation_report');
      if (!doc)
        throw new HttpProblem(
          404,
          'document-not-found',
          'Document introuvable',
          'Le contrat n’a pas encore de rapport de validation : il n’est pas encore signé par les trois parties.',
        );
      return reply.type('application/json; charset=utf-8').send(doc.content);
    },
  );

  app.post(
    '/dossiers/:id/contract/:party/data-to-sign',
    {
      config: { roles: SIGNING_ROLES },
      schema: {
        summary: 'Les données à signer pour votre certificat (signature différée) : le certificat est vérifié d’abord',
        tags: ['signature'],
        params: PartyParams,
        body: DataToSignBody,
        response: { 200: PreparedSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 410: ProblemSchema, 422: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request) => {
      const { id, party } = request.params;
      await asParty(request, id, party);
      const body = request.body;
      return step(request, id, (e) => e.prepare(id, { party, certificate: body.certificate, chain: body.chain, client: clientOf(request) }), party);
    },
  );

  app.post(
    '/dossiers/:id/contract/:party/signature',
    {
      config: { roles: SIGNING_ROLES },
      schema: {
        summary: 'La valeur de signature pour une préparation : complétée, horodatée et vérifiée avant d’être acceptée',
        tags: ['signature'],
        params: PartyParams,
        body: SignatureBody,
        response: { 200: CeremonyViewSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 410: ProblemSchema, 422: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request) => {
      const { id, party } = request.params;
      await asParty(request, id, party);
      const { preparationId, signatureValue } = request.body;
      return step(request, id, (e) => e.sign(id, { party, preparationId, signatureValue, client: clientOf(request) }), party);
    },
  );

  app.post(
    '/dossiers/:id/contract/banque/countersignature',
    {
      config: { roles: ['bank'] },
      schema: {
        summary: 'La contresignature de la banque avec son cachet, faite par le serveur (clé sur le jeton du moteur)',
        tags: ['signature'],
        params: DossierIdParams,
        response: { 200: CeremonyViewSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 410: ProblemSchema, 422: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      await asParty(request, id, 'banque');
      return step(request, id, (e) => e.countersign(id, { client: clientOf(request) }), 'banque');
    },
  );

  app.post(
    '/dossiers/:id/contract/:party/decline',
    {
      config: { roles: SIGNING_ROLES },
      schema: {
        summary: 'Refuser de signer, avec un motif : la signature s’arrête pour tous, les autres parties sont prévenues',
        tags: ['signature'],
        params: PartyParams,
        body: DeclineBody,
        response: { 200: CeremonyViewSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 410: ProblemSchema, 422: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request) => {
      const { id, party } = request.params;
      await asParty(request, id, party);
      return step(request, id, (e) => e.decline(id, { party, reason: request.body.reason, client: clientOf(request) }));
    },
  );
};
