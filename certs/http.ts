import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { PkiError } from './errors.ts';
import type { TimestampAuthority } from './tsa/authority.ts';
import type { RevocationService } from './revocation/service.ts';

export interface PkiRoutesOptions {
  /** Serves POST /tsa when given. */
  tsa?: TimestampAuthority;
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

  const requireType = (request: FastifyRequest, reply: FastifyReply, expected: string): boolean => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === expected && Buffer.isBuffer(request.body)) return true;
    void problem(reply, 415, `Type de contenu « ${type || 'absent'} » refusé : ${expected} attendu.`);
    return false;
  };

  const tsa = options.tsa;
  if (tsa) {
    app.post('/tsa', { bodyLimit }, async (request, reply) => {
      if (!requireType(request, reply, TSA_QUERY)) return reply;
      // RFC 3161 §3.4: rejections travel in the TimeStampResp with HTTP 200.
      return reply.type('application/timestamp-reply').send(await tsa.respond(request.body as Buffer));
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
      if (!requireType(request, reply, OCSP_REQUEST)) return reply;
      return reply.type('application/ocsp-response').send(await revocation.ocsp(request.body as Buffer));
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
