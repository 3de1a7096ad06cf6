import { parse, parseCertificate } from '../asn1/index.ts';
import { buildOcspRequest } from '../certs/validation/index.ts';
import type { ValidationFetchers } from './validation-data.ts';
import { SignatureError } from './errors.ts';

export interface HttpFetcherOptions {
  timeoutMs?: number;
  maxBytes?: number;
}

/** GET or POST over plain HTTP, bounded in time and size; the message names the URL, never a secret. */
export async function fetchBytes(url: string, timeoutMs: number, maxBytes: number, init?: RequestInit): Promise<Uint8Array> {
  if (!/^https?:\/\//i.test(url)) throw new SignatureError('SIGN_FETCH_FAILED', `adresse non prise en charge : ${url}`);
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new SignatureError('SIGN_FETCH_FAILED', `${url} ne répond pas`, { cause: error });
  }
  if (!res.ok) throw new SignatureError('SIGN_FETCH_FAILED', `${url} a répondu HTTP ${res.status}`);
  const body = new Uint8Array(await res.arrayBuffer());
  if (body.length > maxBytes) throw new SignatureError('SIGN_FETCH_FAILED', `${url} : réponse trop volumineuse`);
  return body;
}

/**
 * Fetchers over plain HTTP for CDP and AIA URLs (CRLs, OCSP, issuer
 * certificates), bounded in time and size. Only what the caller opts into.
 */
export function httpValidationFetchers(o: HttpFetcherOptions = {}): ValidationFetchers {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const maxBytes = o.maxBytes ?? 10 << 20;
  const get = (url: string, init?: RequestInit): Promise<Uint8Array> => fetchBytes(url, timeoutMs, maxBytes, init);
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
        throw new SignatureError('SIGN_FETCH_FAILED', `le répondeur OCSP ${url} a répondu par une structure illisible (${(error as Error).message})`, { cause: error });
      }
      if (status !== 0) throw new SignatureError('SIGN_FETCH_FAILED', `le répondeur OCSP ${url} a répondu avec le statut ${status}`);
      return body;
    },
  };
}
