import { randomBytes } from 'node:crypto';
import type { HashAlgorithm, Timestamper } from '../certs/types.ts';
import { digestAlgorithmId } from './cms/algorithms.ts';
import { children, readElement, slice } from './cms/der.ts';
import { octets, seq, tlv, int } from './cms/der.ts';

export interface HttpTimestamperOptions {
  timeoutMs?: number;
  /** Largest response accepted, in bytes. */
  maxBytes?: number;
}

/**
 * A minimal RFC 3161 client over HTTP POST (application/timestamp-query):
 * nonce, certReq, and the PKIStatus checked before the token is handed back.
 */
export function httpTimestamper(url: string, o: HttpTimestamperOptions = {}): Timestamper {
  const timeoutMs = o.timeoutMs ?? 15_000;
  const maxBytes = o.maxBytes ?? 1 << 20;
  return {
    async timestamp(imprint: Uint8Array, hash: HashAlgorithm): Promise<Uint8Array> {
      const nonce = randomBytes(8);
      nonce[0]! &= 0x7f;
      const request = seq(int(1), seq(digestAlgorithmId(hash), octets(imprint)), tlv(0x02, nonce), Buffer.from([0x01, 0x01, 0xff]));
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/timestamp-query' },
          body: new Uint8Array(request),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (e) {
        const cause = (e as { cause?: { code?: string } }).cause?.code;
        throw new Error(`l’autorité d’horodatage ${url} ne répond pas${cause ? ` (${cause})` : ''}`);
      }
      if (!res.ok) throw new Error(`l’autorité d’horodatage a répondu HTTP ${res.status}`);
      const body = new Uint8Array(await res.arrayBuffer());
      if (body.length > maxBytes) throw new Error('réponse d’horodatage trop volumineuse');
      return tokenFromResponse(body);
    },
  };
}

const STATUS_TEXT: Record<number, string> = { 2: 'demande rejetée', 3: 'attente', 4: 'révocation imminente', 5: 'certificat révoqué' };

/** TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken OPTIONAL } */
export function tokenFromResponse(der: Uint8Array): Uint8Array {
  let status = -1;
  let token: Uint8Array | undefined;
  try {
    const [statusInfo, tokenEl] = children(der, readElement(der, 0));
    const s = statusInfo && children(der, statusInfo)[0];
    if (s) status = der[s.contentStart]!;
    if (tokenEl) token = slice(der, tokenEl);
  } catch {
    throw new Error('réponse d’horodatage illisible');
  }
  if (status !== 0 && status !== 1) throw new Error(`l’autorité d’horodatage a refusé la demande (${STATUS_TEXT[status] ?? `statut ${status}`})`);
  if (!token) throw new Error('réponse d’horodatage sans jeton');
  return token;
}
