import type { RevocationFetcher } from '../certs/validation/types.ts';

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

async function download(url: string, kind: 'crl' | 'ocsp', request: Uint8Array | undefined, timeoutMs: number, maxBytes: number): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(timeoutMs);
  const init: RequestInit =
    kind === 'ocsp' && request ? { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: new Uint8Array(request), signal } : { signal };
  try {
    const response = await fetch(url, init);
    if (!response.ok) throw new Error(`${url} a répondu HTTP ${response.status}`);
    const announced = Number(response.headers.get('content-length') ?? NaN);
    if (announced > maxBytes) throw tooLarge(url, maxBytes);
    return await readBounded(response, url, maxBytes);
  } catch (error) {
    if (signal.aborted) throw new Error(`${url} n’a pas répondu en ${seconds(timeoutMs)}`, { cause: error });
    if (error instanceof FetchRefusal) throw error;
    throw new Error(`${url} injoignable (${(error as Error).message})`, { cause: error });
  }
}

class FetchRefusal extends Error {}

/** 1500 → « 1,5 s », 482 → « 0,48 s ». */
const seconds = (ms: number): string => `${String(Math.round(ms / 10) / 100).replace('.', ',')} s`;

const tooLarge = (url: string, maxBytes: number): FetchRefusal => new FetchRefusal(`${url} : réponse de plus de ${maxBytes / (1024 * 1024)} Mio, abandonnée`);

async function readBounded(response: Response, url: string, maxBytes: number): Promise<Uint8Array> {
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
      throw tooLarge(url, maxBytes);
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
