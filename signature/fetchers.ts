import { parse, parseCertificate } from '../asn1/index.ts';
import { buildOcspRequest } from '../certs/validation/index.ts';
import type { ValidationFetchers } from './validation-data.ts';

export interface HttpFetcherOptions {
  timeoutMs?: number;
  maxBytes?: number;
}

/**
 * Fetchers over plain HTTP for CDP and AIA URLs (CRLs, OCSP, issuer
 * certificates), bounded in time and size. Only what the caller opts into.
 */
export function httpValidationFetchers(o: HttpFetcherOptions = {}): ValidationFetchers {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const maxBytes = o.maxBytes ?? 10 << 20;
  const get = async (url: string, init?: RequestInit): Promise<Uint8Array> => {
    if (!/^https?:\/\//i.test(url)) throw new Error(`adresse non prise en charge : ${url}`);
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch {
      throw new Error(`${url} ne répond pas`);
    }
    if (!res.ok) throw new Error(`${url} a répondu HTTP ${res.status}`);
    const body = new Uint8Array(await res.arrayBuffer());
    if (body.length > maxBytes) throw new Error(`${url} : réponse trop volumineuse`);
    return body;
  };
  return {
    certificate: (url) => get(url),
    crl: (url) => get(url),
    async ocsp(url, certificate, issuer) {
      const body = await get(url, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request' },
        body: new Uint8Array(buildOcspRequest(parseCertificate(certificate), parseCertificate(issuer))),
      });
      let status: number;
      try {
        status = parse(body).child(0, 'responseStatus').expect(0x0a, 'responseStatus').smallInteger('responseStatus');
      } catch (error) {
        throw new Error(`le répondeur OCSP ${url} a répondu par une structure illisible (${(error as Error).message})`, { cause: error });
      }
      if (status !== 0) throw new Error(`le répondeur OCSP ${url} a répondu avec le statut ${status}`);
      return body;
    },
  };
}
