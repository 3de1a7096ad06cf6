import { parse, parseCertificate } from '../asn1/index.ts';
import { buildOcspRequest } from '../certs/validation/index.ts';
import type { ValidationFetchers } from './validation-data.ts';
import { SignatureError } from './errors.ts';
import { sizeText } from '../pdf/limits.ts';

export interface HttpFetcherOptions {
  timeoutMs?: number;
  maxBytes?: number;
}

/** 1500 → « 1,5 s », 482 → « 0,48 s ». */
export const secondsText = (ms: number): string => `${String(Math.round(ms / 10) / 100).replace('.', ',')} s`;

/**
 * GET or POST over plain HTTP, bounded in time and size: an answer announced or streamed past
 * `maxBytes` is abandoned as it arrives, never read whole. The message names the URL, never a secret.
 */
export async function fetchBytes(url: string, timeoutMs: number, maxBytes: number, init?: RequestInit): Promise<Uint8Array> {
  if (!/^https?:\/\//i.test(url)) throw new SignatureError('SIGN_FETCH_FAILED', `adresse non prise en charge : ${url}`);
  const signal = AbortSignal.timeout(timeoutMs);
  const tooLarge = () => new SignatureError('SIGN_FETCH_FAILED', `${url} : réponse de plus de ${sizeText(maxBytes)}, abandonnée`);
  try {
    const response = await fetch(url, { ...init, signal });
    if (!response.ok) throw new SignatureError('SIGN_FETCH_FAILED', `${url} a répondu HTTP ${response.status}`);
    if (Number(response.headers.get('content-length') ?? NaN) > maxBytes) throw tooLarge();
    if (!response.body) return new Uint8Array(0);
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
    return new Uint8Array(Buffer.concat(chunks));
  } catch (error) {
    if (error instanceof SignatureError) throw error;
    if (signal.aborted) throw new SignatureError('SIGN_FETCH_FAILED', `${url} n’a pas répondu en ${secondsText(timeoutMs)}`, { cause: error });
    throw new SignatureError('SIGN_FETCH_FAILED', `${url} injoignable (${(error as Error).message})`, { cause: error });
  }
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
