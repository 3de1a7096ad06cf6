/**
 * Every error leaves the API as application/problem+json (RFC 9457) with a
 * French `detail` and, for validation errors, the failing field paths.
 * 400: the request cannot be read (malformed JSON, bad header, query or path);
 * 422: the body was read but breaks the schema or a business rule.
 * The modules' coded errors (docs/errors.md) become problems here, in `problemOfCode`:
 * routes let them through.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AccountError, IdempotencyConflictError } from '../db/errors.ts';
import { QuoteRefused } from '../domain/rents.ts';
import { isPasseportError, type PasseportError } from '../errors/index.ts';
import { PdfError } from '../pdf/errors.ts';
import { PkiError } from '../certs/errors.ts';
import { SignatureError, type SignatureErrorCode } from '../signature/errors.ts';
import { DecisionRefusedError, SigningRefusedError, type DecisionRefusal } from '../temporal/types.ts';
import type { SigningRefusal } from '../domain/ceremony.ts';
import { REFUSAL_CODES, VaultError } from '../vault/errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
const TYPE_BASE = 'https://passeport.example/problems/';

export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().describe('Explication en français'),
    instance: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .loose()
  .meta({ id: 'Problem' });

/** Thrown by handlers for an expected refusal; the error handler turns it into problem+json. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; [k: string]: unknown } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  slug: string,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  const body: Problem = { type: TYPE_BASE + slug, title, status, detail, instance: request.url, ...extra };
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(body);
}

interface ValidationIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params?: { keys?: unknown };
}

/**
 * '/company/siren' → 'company.siren'; unknown keys get one entry each, named by
 * their own path. One entry per path: the first failed check says what to fix
 * (a SIREN of 5 digits is not also reported for its check digit).
 */
export function fieldErrors(issues: ValidationIssue[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues) {
    const base = issue.instancePath.split('/').filter(Boolean).join('.');
    const join = (p: string) => [prefix, p].filter(Boolean).join('.');
    const keys = issue.params?.keys;
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
      for (const key of keys) {
        out.push({ path: join([base, String(key)].filter(Boolean).join('.')), message: `Champ inconnu : ${String(key)}` });
      }
      continue;
    }
    out.push({ path: join(base), message: issue.message ?? 'Valeur invalide' });
  }
  return out.filter((e, i) => out.findIndex((o) => o.path === e.path) === i);
}

const PART_LABEL: Record<string, string> = {
  body: 'le corps de la requête',
  querystring: 'les paramètres de la requête',
  params: "l'adresse",
  headers: 'les en-têtes',
};

const DECISION_REFUSAL: Record<DecisionRefusal, [number, string]> = {
  wrong_bank: [403, 'Dossier d’une autre banque'],
  not_pending: [409, 'Dossier non en attente'],
  unknown_dossier: [404, 'Dossier introuvable'],
  invalid_decision: [422, 'Décision invalide'],
};

const ACCOUNT_STATUS: Record<AccountError['code'], number> = {
  email_taken: 409,
  organisation_unknown: 422,
  organisation_kind: 422,
  password_too_short: 422,
  password_too_long: 422,
  siren_invalid: 422,
};

const VAULT_STATUS: Partial<Record<VaultError['code'], [number, string]>> = {
  INVALID_INPUT: [422, 'Données invalides'],
  NOT_FOUND: [404, 'Introuvable'],
  ACCESS_REFUSED: [403, 'Accès refusé'],
  NOT_YET_SEALED: [409, 'Pas encore scellé'],
  STORAGE_FAILURE: [503, 'Stockage indisponible'],
  CORRUPTED_COPY: [503, 'Stockage indisponible'],
  TIMESTAMP_FAILURE: [503, 'Horodatage indisponible'],
  JOURNAL_ALTERED: [503, 'Coffre-fort à auditer'],
};

/** The ceremony's refusals of a signing step (domain/ceremony.ts). */
const SIGNING_REFUSAL_STATUS: Record<SigningRefusal | 'no_ceremony', number> = {
  not_your_turn: 409,
  already_signed: 409,
  signature_in_progress: 409,
  ceremony_closed: 409,
  preparation_used: 409,
  document_changed: 409,
  offer_lapsed: 410,
  unknown_preparation: 404,
  no_ceremony: 404,
  wrong_party: 403,
  signatory_unknown: 422,
  name_mismatch: 422,
  siren_mismatch: 422,
  level_too_low: 422,
  certificate_expired: 422,
  certificate_not_yet_valid: 422,
  certificate_revoked: 422,
  certificate_untrusted: 422,
  certificate_unusable: 422,
  signature_invalid: 422,
  decline_reason_invalid: 422,
  seal_unavailable: 503,
};

const SIGNING_REFUSAL_TITLE: Record<number, string> = {
  403: 'Partie différente',
  404: 'Introuvable',
  409: 'Étape impossible maintenant',
  410: 'Offre expirée',
  422: 'Signature refusée',
  503: 'Service momentanément indisponible',
};

/** The signer's failures that are the outside world's (a TSA, a CRL server), not the request's. */
const SIGNATURE_UNAVAILABLE: ReadonlySet<SignatureErrorCode> = new Set(['SIGN_TIMESTAMP_FAILED', 'SIGN_FETCH_FAILED']);

/** The one table from the modules' coded errors to HTTP; undefined leaves the error to the 500 path. */
export function problemOfCode(error: PasseportError): HttpProblem | undefined {
  if (error instanceof DecisionRefusedError) {
    const [status, title] = DECISION_REFUSAL[error.code];
    return new HttpProblem(status, error.code.replace('_', '-'), title, error.message);
  }
  if (error instanceof SigningRefusedError) {
    const status = SIGNING_REFUSAL_STATUS[error.code];
    return new HttpProblem(status, error.code.replace(/_/g, '-'), SIGNING_REFUSAL_TITLE[status]!, error.detail, { code: error.code });
  }
  if (error instanceof IdempotencyConflictError) {
    return new HttpProblem(422, 'idempotency-key-reused', 'Clé d’idempotence déjà utilisée', error.message, { dossierId: error.existingDossierId });
  }
  if (error instanceof AccountError) {
    return new HttpProblem(ACCOUNT_STATUS[error.code], error.code.replace(/_/g, '-'), 'Compte refusé', error.message, {
      errors: [{ path: error.field, message: error.message }],
    });
  }
  if (error instanceof QuoteRefused) {
    const errors: FieldError[] = error.terms().map((t) => ({ path: t.term, message: t.detail }));
    return new HttpProblem(422, 'outside-tariff-grid', 'Hors grille tarifaire', error.message, { errors });
  }
  if (error instanceof VaultError) {
    const [status, title] = VAULT_STATUS[error.code] ?? (REFUSAL_CODES.has(error.code) ? [409, 'Opération refusée'] : [500, 'Erreur interne']);
    return new HttpProblem(status, `vault-${error.code.toLowerCase().replace(/_/g, '-')}`, title, error.message, { code: error.code });
  }
  if (error instanceof PkiError && (error.code === 'UNKNOWN_CA' || error.code === 'PKI_NOT_INITIALISED')) {
    return new HttpProblem(404, 'not-found', 'Introuvable', error.message);
  }
  if (error instanceof SignatureError) {
    if (SIGNATURE_UNAVAILABLE.has(error.code))
      return new HttpProblem(503, 'signature-service-unavailable', 'Service de signature indisponible', error.message, { code: error.code });
    if (error.code === 'SIGN_INTERNAL' || error.code === 'SIGN_RESERVE_TOO_SMALL') return undefined;
    return new HttpProblem(422, 'signature-refused', 'Signature refusée', error.message, { code: error.code });
  }
  if (error instanceof PdfError) {
    return new HttpProblem(422, 'unreadable-pdf', 'PDF illisible', error.message, { code: error.code });
  }
  return undefined;
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const mapped = isPasseportError(error) ? problemOfCode(error) : undefined;
  const problem = error instanceof HttpProblem ? error : mapped;
  if (problem) {
    return sendProblem(request, reply, problem.status, problem.slug, problem.title, problem.detail, problem.extra);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const part = error.validationContext ?? 'body';
    const errors = fieldErrors(error.validation as ValidationIssue[], part === 'headers' ? '' : '');
    const status = part === 'body' ? 422 : 400;
    const first = errors[0];
    const detail =
      errors.length === 1 && first
        ? `Un champ est invalide dans ${PART_LABEL[part] ?? 'la requête'} : ${first.path ? `${first.path} — ` : ''}${first.message}.`
        : `${errors.length} champs sont invalides dans ${PART_LABEL[part] ?? 'la requête'} : voir la liste « errors ».`;
    return sendProblem(request, reply, status, status === 422 ? 'validation-error' : 'invalid-request', status === 422 ? 'Données invalides' : 'Requête invalide', detail, {
      errors,
    });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return sendProblem(
        request,
        reply,
        400,
        'malformed-json',
        'JSON illisible',
        "Le corps de la requête n'est pas un JSON valide : vérifiez les guillemets, virgules et accolades.",
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return sendProblem(
        request,
        reply,
        413,
        'body-too-large',
        'Requête trop volumineuse',
        'Le corps de la requête dépasse la taille autorisée (64 Kio). Un dossier tient sur une page.',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return sendProblem(
        request,
        reply,
        415,
        'unsupported-media-type',
        'Format non pris en charge',
        'Envoyez le corps en JSON encodé en UTF-8, avec l’en-tête « Content-Type: application/json ».',
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return sendProblem(request, reply, 400, 'invalid-content-length', 'Longueur incorrecte', 'La longueur annoncée (Content-Length) ne correspond pas au corps envoyé.');
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return sendProblem(request, reply, status, 'bad-request', 'Requête refusée', 'La requête ne peut pas être traitée telle quelle : vérifiez son format.');
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(
    request,
    reply,
    500,
    'internal-error',
    'Erreur interne',
    "Une erreur inattendue s'est produite. Réessayez ; si elle persiste, contactez l'opérateur du programme avec l'identifiant de requête.",
    { requestId: request.id },
  );
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(request, reply, 404, 'not-found', 'Introuvable', `Aucune ressource à l'adresse ${request.method} ${request.url}.`);
}
