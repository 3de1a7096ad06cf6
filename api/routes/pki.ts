/**
 * The PKI's public endpoints: POST /tsa (RFC 3161), POST and GET /pki/ocsp (RFC 6960),
 * GET /pki/crl/<ac>.crl and GET /pki/ca/<ac>.cer. No authentication: relying parties
 * anywhere fetch them. Register without fastify-plugin: the binary content-type parser
 * and the error translation stay inside; errors leave as the API's problem+json.
 */
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { PkiServices } from '../../certs/services.ts';
import { HttpProblem, errorHandler } from '../problems.ts';

export interface PkiRoutesOptions extends PkiServices {
  /** Largest accepted request body (default 64 KiB): a timestamp or OCSP query is a few hundred bytes. */
  bodyLimit?: number;
}

const TSA_QUERY = 'application/timestamp-query';
const OCSP_REQUEST = 'application/ocsp-request';

export const pkiRoutes: FastifyPluginAsync<PkiRoutesOptions> = async (app: FastifyInstance, options: PkiRoutesOptions) => {
  const bodyLimit = options.bodyLimit ?? 64 * 1024;
  // Every body arrives as bytes here, whatever its declared type, so a wrong type gets a clean 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

  // The API's one handler writes every error (here too when mounted on a bare server by `pki serve`);
  // only the body-size refusal is worded for this family.
  const tooLarge = Object.assign(new HttpProblem(413, 'body-too-large', 'Requête trop volumineuse', `Requête trop volumineuse (limite ${bodyLimit} octets).`), {
    code: 'PKI_BODY_TOO_LARGE',
  });
  app.setErrorHandler((error: FastifyError, request, reply) => errorHandler(error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? tooLarge : error, request, reply));

  /** The body as bytes when its declared type is `expected` (an empty body is bytes too). */
  const bodyOf = (request: FastifyRequest, expected: string): Buffer => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== expected) {
      throw new HttpProblem(415, 'unsupported-media-type', 'Type de contenu non pris en charge', `Type de contenu « ${type || 'absent'} » refusé : ${expected} attendu.`);
    }
    return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  };

  const tsa = options.tsa;
  if (tsa) {
    app.post('/tsa', { bodyLimit }, async (request, reply) => {
      const body = bodyOf(request, TSA_QUERY);
      // RFC 3161 §3.4: rejections travel in the TimeStampResp with HTTP 200.
      return reply.type('application/timestamp-reply').send(await tsa.respond(body));
    });
  }

  const revocation = options.revocation;
  if (revocation) {
    app.get<{ Params: { file: string } }>('/pki/crl/:file', async (request, reply) => {
      const ca = caFromFile(request.params.file, 'crl', 'Adresse de CRL inconnue : /pki/crl/<ac>.crl attendu.');
      // An unknown CA (or none yet) is a 404 with the PKI's own reason, in api/problems.ts.
      const crl = await revocation.crl(ca);
      const maxAge = Math.max(0, Math.floor((crl.nextUpdate.getTime() - Date.now()) / 1000));
      return reply
        .type('application/pkix-crl')
        .header('cache-control', `public, max-age=${Math.min(maxAge, 3600)}`)
        .header('last-modified', crl.thisUpdate.toUTCString())
        .send(Buffer.from(crl.der));
    });

    app.get<{ Params: { file: string } }>('/pki/ca/:file', async (request, reply) => {
      const ca = caFromFile(request.params.file, 'cer', 'Adresse de certificat inconnue : /pki/ca/<ac>.cer attendu.');
      const der = await revocation.caCertificate(ca);
      return reply.type('application/pkix-cert').send(Buffer.from(der));
    });

    app.post('/pki/ocsp', { bodyLimit }, async (request, reply) => {
      const body = bodyOf(request, OCSP_REQUEST);
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

function caFromFile(file: string, extension: string, unknown: string): string {
  const match = /^([a-z0-9-]{1,32})\.([a-z]+)$/.exec(file);
  if (!match || match[2] !== extension) throw new HttpProblem(404, 'not-found', 'Introuvable', unknown);
  return match[1]!;
}
