import crypto from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { ValidationFetchers } from './validation-data.ts';

pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: crypto.webcrypto as Crypto }));

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
      const req = new pkijs.OCSPRequest();
      await req.createForCertificate(pkijsCert(certificate), { hashAlgorithm: 'SHA-1', issuerCertificate: pkijsCert(issuer) });
      const body = await get(url, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request' },
        body: new Uint8Array(req.toSchema(true).toBER()),
      });
      const resp = pkijs.OCSPResponse.fromBER(new Uint8Array(body));
      const status = resp.responseStatus.valueBlock.valueDec;
      if (status !== 0) throw new Error(`le répondeur OCSP ${url} a répondu avec le statut ${status}`);
      return body;
    },
  };
}

function pkijsCert(der: Uint8Array): pkijs.Certificate {
  return new pkijs.Certificate({ schema: asn1js.fromBER(new Uint8Array(der)).result });
}
