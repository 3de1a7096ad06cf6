/**
 * What the ceremony needs from the PKI, in one place: the engine's CAs as
 * trust anchors and intermediates, revocation data fetched from the URLs the
 * certificates name (the engine's own CRLs and OCSP are served by its API),
 * the timestamp authority, and where a certificate's key lives.
 */
import { parseCertificate, type ParsedCertificate } from '../asn1/index.ts';
import type { PolicyLevelMap } from '../certs/policies.ts';
import type { CaRecord, PkiStore } from '../certs/stores.ts';
import { createTsaClient } from '../certs/tsa/client.ts';
import type { Timestamper } from '../certs/types.ts';
import type { RevocationFetcher } from '../certs/validation/index.ts';
import type { ValidationFetchers } from '../signature/validation-data.ts';
import type { KeyStore, TrustContext } from './signer-check.ts';

export interface EnginePki {
  trust: TrustContext;
  /** The engine's root certificate(s): what a verifier of its contracts trusts. */
  trustAnchors: Uint8Array[];
  timestamper: Timestamper;
  /** CRLs and CA certificates for B-LT, fetched from the URLs the certificates name. */
  validationFetchers: ValidationFetchers;
}

export interface EnginePkiOptions {
  /** The RFC 3161 service, e.g. the API's own POST /tsa. */
  tsaUrl: string;
  policyMap?: PolicyLevelMap;
  timeoutMs?: number;
}

const MAX_BYTES = 10 << 20;

/** GET or POST with a time and size bound; the message names the URL, never a secret. */
async function fetchBytes(url: string, timeoutMs: number, init?: RequestInit): Promise<Uint8Array> {
  if (!/^https?:\/\//i.test(url)) throw new Error(`adresse non prise en charge : ${url}`);
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    throw new Error(`${url} ne répond pas`);
  }
  if (!response.ok) throw new Error(`${url} a répondu HTTP ${response.status}`);
  const body = new Uint8Array(await response.arrayBuffer());
  if (body.length > MAX_BYTES) throw new Error(`${url} : réponse trop volumineuse`);
  return body;
}

export function httpRevocationFetcher(timeoutMs = 10_000): RevocationFetcher {
  return async (url, kind, request) =>
    kind === 'crl'
      ? fetchBytes(url, timeoutMs)
      : fetchBytes(url, timeoutMs, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: request ? new Uint8Array(request) : null });
}

/** The engine's PKI as the ceremony sees it; the CA certificates are read once. */
export async function loadEnginePki(store: PkiStore, options: EnginePkiOptions): Promise<EnginePki> {
  const cas = await store.listCas();
  const root = cas.find((ca) => ca.name === 'root');
  if (!root) throw new Error('La PKI du moteur n’est pas initialisée (« passeport pki init ») : aucune racine de confiance.');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const trustAnchors = [root.certificate];
  return {
    trustAnchors,
    timestamper: createTsaClient(options.tsaUrl, { timeoutMs }),
    validationFetchers: {
      certificate: (url) => fetchBytes(url, timeoutMs),
      crl: (url) => fetchBytes(url, timeoutMs),
    },
    trust: {
      trustAnchors,
      intermediates: cas.filter((ca) => ca.name !== 'root').map((ca) => ca.certificate),
      fetchRevocation: httpRevocationFetcher(timeoutMs),
      ...(options.policyMap ? { policyMap: options.policyMap } : {}),
      keyStoreOf: (cert) => keyStoreOf(store, cas, cert),
    },
  };
}

/** From the engine's issuance records: a key generated on a PKCS#11 token, or a software key. */
async function keyStoreOf(store: PkiStore, cas: CaRecord[], cert: ParsedCertificate): Promise<KeyStore> {
  const issuer = cas.find((ca) => parseCertificate(ca.certificate).subjectKey === cert.issuerKey);
  const issued = issuer ? await store.findIssuedCertificate(issuer.name, cert.serialNumber) : null;
  if (!issued || !Buffer.from(issued.der).equals(Buffer.from(cert.der))) return 'unknown';
  return issued.keyLocation.startsWith('pkcs11:') ? 'token' : 'software';
}
