import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { PkiError } from './errors.ts';
import type { Sql } from '../db/connect.ts';
import type { SecretOptions } from './secret.ts';
import type { KeyType } from './keys.ts';
import { loadServiceSigner } from './service-keys.ts';
import { createTimestampAuthority, type TimestampAuthority } from './tsa/authority.ts';
import { createSerialAllocator } from './tsa/serials.ts';
import { rejectionResponse } from './tsa/response.ts';
import { createRevocationService, type RevocationService } from './revocation/service.ts';
import { engineCaLoader } from './revocation/issuing-ca.ts';

export interface PkiRoutesOptions {
  /** Serves POST /tsa when given. */
  tsa?: Pick<TimestampAuthority, 'respond'>;
  /** Serves /pki/crl, /pki/ca and /pki/ocsp when given. */
  revocation?: RevocationService;
  /** Largest accepted request body (default 64 KiB): a timestamp or OCSP query is a few hundred bytes. */
  bodyLimit?: number;
}

const TSA_QUERY = 'application/timestamp-query';
const OCSP_REQUEST = 'application/ocsp-request';

/**
 * The PKI's public endpoints as a fastify plugin. Register it without
 * fastify-plugin: its binary content-type parsers and error handler stay inside.
 */
export const pkiRoutes: FastifyPluginAsync<PkiRoutesOptions> = async (app: FastifyInstance, options: PkiRoutesOptions) => {
  const bodyLimit = options.bodyLimit ?? 64 * 1024;
  // Every body arrives as bytes here, whatever its declared type, so a wrong type gets a clean 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'PKI route failed');
    const detail =
      status === 413 ? `Requête trop volumineuse (limite ${bodyLimit} octets).`
      : status === 415 ? 'Type de contenu non pris en charge pour cette adresse.'
      : status === 500 ? 'Erreur interne du service PKI.'
      : 'Requête invalide.';
    return problem(reply, status, detail);
  });

  /** The body as bytes when its declared type is `expected` (an empty body is bytes too), else a 415. */
  const bodyOf = (request: FastifyRequest, reply: FastifyReply, expected: string): Buffer | null => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === expected) return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    void problem(reply, 415, `Type de contenu « ${type || 'absent'} » refusé : ${expected} attendu.`);
    return null;
  };

  const tsa = options.tsa;
  if (tsa) {
    app.post('/tsa', { bodyLimit }, async (request, reply) => {
      const body = bodyOf(request, reply, TSA_QUERY);
      if (!body) return reply;
      // RFC 3161 §3.4: rejections travel in the TimeStampResp with HTTP 200.
      return reply.type('application/timestamp-reply').send(await tsa.respond(body));
    });
  }

  const revocation = options.revocation;
  if (revocation) {
    app.get<{ Params: { file: string } }>('/pki/crl/:file', async (request, reply) => {
      const ca = caFromFile(request.params.file, 'crl');
      if (!ca) return problem(reply, 404, 'Adresse de CRL inconnue : /pki/crl/<ac>.crl attendu.');
      const crl = await withKnownCa(reply, () => revocation.crl(ca));
      if (!crl) return reply;
      const maxAge = Math.max(0, Math.floor((crl.nextUpdate.getTime() - Date.now()) / 1000));
      return reply
        .type('application/pkix-crl')
        .header('cache-control', `public, max-age=${Math.min(maxAge, 3600)}`)
        .header('last-modified', crl.thisUpdate.toUTCString())
        .send(Buffer.from(crl.der));
    });

    app.get<{ Params: { file: string } }>('/pki/ca/:file', async (request, reply) => {
      const ca = caFromFile(request.params.file, 'cer');
      if (!ca) return problem(reply, 404, 'Adresse de certificat inconnue : /pki/ca/<ac>.cer attendu.');
      const der = await withKnownCa(reply, () => revocation.caCertificate(ca));
      if (!der) return reply;
      return reply.type('application/pkix-cert').send(Buffer.from(der));
    });

    app.post('/pki/ocsp', { bodyLimit }, async (request, reply) => {
      const body = bodyOf(request, reply, OCSP_REQUEST);
      if (!body) return reply;
      return reply.type('application/ocsp-response').send(await revocation.ocsp(body));
    });

    // RFC 6960 appendix A.1: GET with the base64 DER request, URL-encoded, as the last path segment.
    app.get<{ Params: { '*': string } }>('/pki/ocsp/*', async (request, reply) => {
      const encoded = decodeURIComponent(request.params['*']);
      const der = /^[A-Za-z0-9+/=_-]+$/.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
      return reply.type('application/ocsp-response').send(await revocation.ocsp(der));
    });
  }
};

function caFromFile(file: string, extension: string): string | null {
  const match = /^([a-z0-9-]{1,32})\.([a-z]+)$/.exec(file);
  return match && match[2] === extension ? match[1]! : null;
}

async function withKnownCa<T>(reply: FastifyReply, load: () => Promise<T>): Promise<T | null> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof PkiError && (error.code === 'UNKNOWN_CA' || error.code === 'PKI_NOT_INITIALISED')) {
      await problem(reply, 404, error.message);
      return null;
    }
    throw error;
  }
}

function problem(reply: FastifyReply, status: number, detail: string): FastifyReply {
  const titles: Record<number, string> = { 404: 'Introuvable', 413: 'Requête trop volumineuse', 415: 'Type de contenu non pris en charge', 500: 'Erreur interne' };
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title: titles[status] ?? 'Requête invalide', status, detail });
}

export interface EnginePkiOptions extends SecretOptions {
  /** nextUpdate − thisUpdate of the CRLs (default 24 h). */
  crlPeriodSeconds?: number;
  /** nextUpdate − thisUpdate of OCSP answers (default 1 h). */
  ocspValiditySeconds?: number;
  /** TSA serials reserved per database round trip (default 1000). */
  tsaSerialBlock?: number;
  /** Key type of the TSA unit and OCSP responder keys when first created (default rsa2048). */
  serviceKeyType?: KeyType;
  /** Sign OCSP answers with a delegated responder per CA (default) or with the CA key itself. */
  delegatedOcsp?: boolean;
  onError?: (error: unknown) => void;
}

/**
 * The PKI services over the engine's database: CAs, revocations, the TSA unit
 * and the OCSP responders from `passeport pki init` (service keys are issued on
 * first use). Nothing is loaded before the first request, so the server starts
 * even before the PKI is initialised.
 */
export function enginePkiServices(
  sql: Sql,
  options: EnginePkiOptions = {},
): Required<Pick<PkiRoutesOptions, 'tsa' | 'revocation'>> & { warmUp(): Promise<void> } {
  const secret: SecretOptions = { ...(options.secret ? { secret: options.secret } : {}), ...(options.dataDir ? { dataDir: options.dataDir } : {}) };
  const serviceOptions = { ...secret, ...(options.serviceKeyType ? { keyType: options.serviceKeyType } : {}) };
  const revocation = createRevocationService(sql, {
    loadCa: engineCaLoader(sql, secret),
    ...(options.delegatedOcsp === false
      ? {}
      : { loadResponder: async (caName: string) => (caName === 'root' ? undefined : loadServiceSigner(sql, `ocsp-${caName}` as 'ocsp-rgs1', serviceOptions)) }),
    ...(options.crlPeriodSeconds ? { crlPeriodSeconds: options.crlPeriodSeconds } : {}),
    ...(options.ocspValiditySeconds ? { ocspValiditySeconds: options.ocspValiditySeconds } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  let authority: Promise<TimestampAuthority> | null = null;
  const loadAuthority = (): Promise<TimestampAuthority> =>
    (authority ??= loadServiceSigner(sql, 'tsa', serviceOptions).then((signer) =>
      createTimestampAuthority({
        signer,
        serials: createSerialAllocator(sql, { blockSize: options.tsaSerialBlock ?? 1000 }),
        ...(options.onError ? { onError: options.onError } : {}),
      }),
    ));
  const tsa = {
    async respond(request: Uint8Array): Promise<Buffer> {
      try {
        return await (await loadAuthority()).respond(request);
      } catch (error) {
        authority = null;
        options.onError?.(error);
        return rejectionResponse('systemFailure', "Service d'horodatage indisponible : PKI non initialisée ou clé inaccessible");
      }
    },
  };
  async function warmUp(): Promise<void> {
    try {
      await loadAuthority();
    } catch (error) {
      authority = null;
      throw error;
    }
    await revocation.warmUp();
  }
  return { tsa, revocation, warmUp };
}
