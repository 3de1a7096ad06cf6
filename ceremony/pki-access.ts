/**
 * What the ceremony needs from the PKI, in one place: the engine's CAs as
 * trust anchors and intermediates, their current CRLs, the timestamp
 * authority, revocation and validation data for certificates of other CAs
 * (fetched from the URLs they name, bounded), and where a key lives. The
 * engine's own services answer in this process, from its store: a CRL is
 * regenerated as soon as a revocation marks it stale, so a certificate
 * revoked a second ago is already refused.
 */
import { parseCertificate, type ParsedCertificate } from '../asn1/index.ts';
import type { PolicyLevelMap } from '../certs/policies.ts';
import { enginePkiServices } from '../certs/services.ts';
import type { CaRecord, PkiStore } from '../certs/stores.ts';
import { createInProcessTsaClient, createTsaClient } from '../certs/tsa/client.ts';
import type { Timestamper } from '../certs/types.ts';
import type { RevocationFetcher } from '../certs/validation/index.ts';
import type { ValidationFetchers } from '../signature/validation-data.ts';
import type { KeyStore, TrustContext } from './signer-check.ts';
import { PkiError } from '../certs/errors.ts';
import { fetchBytes } from '../signature/fetchers.ts';

export interface EnginePki {
  trust: TrustContext;
  /** The engine's root certificate(s): what a verifier of its contracts trusts. */
  trustAnchors: Uint8Array[];
  timestamper: Timestamper;
  /** CRLs and CA certificates for B-LT. */
  validationFetchers: ValidationFetchers;
}

export interface EnginePkiOptions {
  /** Where the CA secret lives (DATA_DIR), for the engine's TSA and CRLs in this process. */
  dataDir: string;
  /** Another RFC 3161 service instead of the engine's own TSA unit. */
  tsaUrl?: string | undefined;
  policyMap?: PolicyLevelMap;
  timeoutMs?: number;
}

const MAX_BYTES = 10 << 20;

/** « …/pki/crl/rgs1.crl » → rgs1, when the URL is one of the engine's own. */
function ownResource(url: string, bases: readonly string[], kind: 'crl' | 'ca'): string | null {
  const base = bases.find((b) => url.startsWith(`${b}/pki/${kind}/`));
  if (!base) return null;
  return new RegExp(`^/pki/${kind}/([a-z0-9-]{1,32})\\.${kind === 'crl' ? 'crl' : 'cer'}$`).exec(url.slice(base.length))?.[1] ?? null;
}

/** The engine's PKI as the ceremony sees it; the CA certificates are read once. */
export async function loadEnginePki(store: PkiStore, options: EnginePkiOptions): Promise<EnginePki> {
  const cas = await store.listCas();
  const root = cas.find((ca) => ca.name === 'root');
  if (!root) throw new PkiError('PKI_NOT_INITIALISED', 'La PKI du moteur n’est pas initialisée (« passeport pki init ») : aucune racine de confiance.');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const services = enginePkiServices(store, { dataDir: options.dataDir });
  const bases = [...new Set(cas.map((ca) => ca.publicBaseUrl.replace(/\/+$/, '')))];
  const crl = async (url: string): Promise<Uint8Array> => {
    const ca = ownResource(url, bases, 'crl');
    return ca ? (await services.revocation.crl(ca)).der : fetchBytes(url, timeoutMs, MAX_BYTES);
  };
  const certificate = async (url: string): Promise<Uint8Array> => {
    const ca = ownResource(url, bases, 'ca');
    return ca ? services.revocation.caCertificate(ca) : fetchBytes(url, timeoutMs, MAX_BYTES);
  };
  const fetchRevocation: RevocationFetcher = async (url, kind, request) => {
    if (kind === 'crl') return crl(url);
    if (bases.some((b) => url === `${b}/pki/ocsp`)) return request ? services.revocation.ocsp(request) : null;
    return fetchBytes(url, timeoutMs, MAX_BYTES, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: request ? new Uint8Array(request) : null });
  };
  const trustAnchors = [root.certificate];
  return {
    trustAnchors,
    timestamper: options.tsaUrl ? createTsaClient(options.tsaUrl, { timeoutMs }) : createInProcessTsaClient(async (query) => new Uint8Array(await services.tsa.respond(query))),
    validationFetchers: { certificate, crl },
    trust: {
      trustAnchors,
      intermediates: cas.filter((ca) => ca.name !== 'root').map((ca) => ca.certificate),
      // Every CA's current CRL: a chain of the engine's is settled without fetching anything.
      currentCrls: async () => Promise.all(cas.map(async (ca) => (await services.revocation.crl(ca.name)).der)),
      fetchRevocation,
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
