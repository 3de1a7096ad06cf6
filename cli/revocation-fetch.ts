import type { RevocationFetcher } from '../certs/validation/types.ts';
import { fetchBytes, secondsText as seconds } from '../signature/fetchers.ts';

/** Bounds of `verify --fetch`, as pyHanko's --allow-fetch: each download, and the whole run. */
export interface FetchBounds {
  /** Longest wait for one CRL or OCSP answer, in milliseconds. */
  perFetchMs: number;
  /** Largest answer read, in bytes: the download stops past it. */
  maxBytes: number;
  /** Time for all the downloads of one command together, in milliseconds. */
  totalMs: number;
  /** Most downloads in one command (a hostile file may name any number of addresses). */
  maxFetches: number;
}

export const DEFAULT_FETCH_BOUNDS: Readonly<FetchBounds> = {
  perFetchMs: 10_000,
  maxBytes: 8 * 1024 * 1024,
  totalMs: 60_000,
  maxFetches: 64,
};

/**
 * Fetches CRLs (GET) and OCSP responses (POST) over http(s) for the verifier, within the
 * bounds; an answer already fetched in this command (the same CRL for every signature) is
 * reused. A failure is thrown with its reason in French: the verifier notes it in the report.
 */
export function boundedRevocationFetcher(bounds: FetchBounds = DEFAULT_FETCH_BOUNDS): RevocationFetcher {
  const deadline = Date.now() + bounds.totalMs;
  const answers = new Map<string, Promise<Uint8Array>>();
  let fetches = 0;
  return (url, kind, request) => {
    const key = `${kind} ${url} ${request ? Buffer.from(request).toString('base64') : ''}`;
    let answer = answers.get(key);
    if (!answer) {
      if (!/^https?:\/\//i.test(url)) return Promise.reject(new Error(`adresse non prise en charge : ${url}`));
      const left = deadline - Date.now();
      if (left <= 0) return Promise.reject(new Error(`temps total de téléchargement épuisé (${seconds(bounds.totalMs)})`));
      if (++fetches > bounds.maxFetches) return Promise.reject(new Error(`plus de ${bounds.maxFetches} téléchargements : les suivants ne sont pas faits`));
      answer = download(url, kind, request, Math.min(bounds.perFetchMs, left), bounds.maxBytes);
      answers.set(key, answer);
    }
    return answer;
  };
}

function download(url: string, kind: 'crl' | 'ocsp', request: Uint8Array | undefined, timeoutMs: number, maxBytes: number): Promise<Uint8Array> {
  const init: RequestInit | undefined =
    kind === 'ocsp' && request ? { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: new Uint8Array(request) } : undefined;
  return fetchBytes(url, timeoutMs, maxBytes, init);
}
