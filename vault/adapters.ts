/**
 * The one file that wires today's PKI and PAdES implementations (certs/, signature/) to the
 * vault's ports (vault/ports.ts). When those modules change shape, only this file follows.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Sql } from '../db/connect.ts';
import { pemOrDerToDerList } from '../asn1/index.ts';
import { enginePkiServices } from '../certs/services.ts';
import { createInProcessTsaClient, createTsaClient } from '../certs/tsa/client.ts';
import type { Timestamper as CertsTimestamper } from '../certs/types.ts';
import { verifyTimestampToken } from '../certs/validation/index.ts';
import { pkiStore } from '../db/repositories/pki.ts';
import { inspectCms } from '../signature/cms/inspect.ts';
import { embeddedSignatures } from '../signature/embedded.ts';
import { httpValidationFetchers } from '../signature/fetchers.ts';
import { extendPdf } from '../signature/pades.ts';
import { openPdf } from '../pdf/index.ts';
import { verifyPdf } from '../signature/validation/index.ts';
import { locationsFromEnv, settingsFromEnv, type VaultEnv } from './config.ts';
import { FilesystemStore } from './storage/filesystem.ts';
import { Vault } from './vault.ts';
import type { NewestTimestamp, PdfExtender, SignatureVerifier, Timestamper, TimestampCheck, VaultPorts } from './ports.ts';

/** Anything that answers a DER TimeStampReq with a DER TimeStampResp, in this process (certs/tsa/authority.ts). */
export interface InProcessAuthority {
  respond(request: Uint8Array): Promise<Buffer>;
}

export interface PortOptions {
  /** DER roots the seals' timestamps and the signatures are checked against (a loader: read when first needed). */
  trustAnchors: Uint8Array[] | (() => Promise<Uint8Array[]>);
  /** The TSA: an RFC 3161 URL, or an authority running in this process. */
  tsa: { url: string } | { authority: InProcessAuthority };
  /** Fetch missing CRLs, OCSP answers and certificates from their URLs when extending (default true). */
  fetchValidationData?: boolean;
}

export function vaultPorts(options: PortOptions): VaultPorts {
  const tsa = options.tsa;
  const rfc3161: CertsTimestamper = 'url' in tsa ? createTsaClient(tsa.url) : inProcessTimestamper(tsa.authority);
  const source = options.trustAnchors;
  let loaded: Uint8Array[] | null = Array.isArray(source) ? source : null;
  // Read again until some are found: the engine may start before `pki init` has made its root.
  const trustAnchors = async (): Promise<Uint8Array[]> => {
    if (loaded) return loaded;
    const found = await (source as () => Promise<Uint8Array[]>)();
    if (found.length > 0) loaded = found;
    return found;
  };
  return {
    timestamper: timestamperPort(rfc3161, trustAnchors),
    verifier: verifierPort(trustAnchors),
    extender: extenderPort(rfc3161, trustAnchors, options.fetchValidationData ?? true),
  };
}

/**
 * The engine's own ports: trust anchors are the PKI's roots (`pki init`) and the files of
 * VAULT_TRUST_ANCHORS; the TSA is VAULT_TSA_URL, or the engine's TSA unit in this process.
 */
export function engineVaultPorts(sql: Sql, options: { dataDir: string; tsaUrl?: string | undefined; trustAnchorFiles?: string[] }): VaultPorts {
  const store = pkiStore(sql);
  const extra = (options.trustAnchorFiles ?? []).flatMap((file) => pemOrDerToDerList(fs.readFileSync(file)));
  return vaultPorts({
    trustAnchors: async () => [...(await store.listCas()).filter((ca) => ca.parent === null).map((ca) => new Uint8Array(ca.certificate)), ...extra],
    tsa: options.tsaUrl ? { url: options.tsaUrl } : { authority: enginePkiServices(store, { dataDir: options.dataDir }).tsa },
  });
}

/** The engine's vault: its storage locations, settings and ports from the environment (VAULT_*). */
export function openEngineVault(sql: Sql, env: VaultEnv & { DATA_DIR: string }): Vault {
  const ports = engineVaultPorts(sql, { dataDir: env.DATA_DIR, tsaUrl: env.VAULT_TSA_URL, trustAnchorFiles: env.VAULT_TRUST_ANCHORS });
  const stores = locationsFromEnv(env, env.DATA_DIR).map((dir) => new FilesystemStore(dir));
  return new Vault({ sql, stores, ports, settings: settingsFromEnv(env) });
}

/** An RFC 3161 request answered by an authority in this process, with the client's checks. */
export function inProcessTimestamper(authority: InProcessAuthority): CertsTimestamper {
  return createInProcessTsaClient(async (query) => new Uint8Array(await authority.respond(query)));
}

function tsaSummary(der: Uint8Array | undefined): TimestampCheck['tsa'] {
  if (!der) return null;
  const cert = new crypto.X509Certificate(der);
  return { subject: cert.subject.replace(/\n/g, ', '), serialNumber: cert.serialNumber.toLowerCase(), notAfter: new Date(cert.validTo) };
}

type Anchors = () => Promise<Uint8Array[]>;

function timestamperPort(rfc3161: CertsTimestamper, trustAnchors: Anchors): Timestamper {
  return {
    timestamp: (imprint) => rfc3161.timestamp(imprint, 'SHA-512'),
    async verify(token, imprint) {
      // Seals are checked for years: the TSA's chain at genTime, without asking for revocation data nobody kept.
      const v = await verifyTimestampToken(token, { imprint, trustAnchors: await trustAnchors(), revocationRequired: false });
      return { ok: v.ok, reasons: v.reasons, genTime: v.genTime ?? null, tsa: tsaSummary(v.tsaCertificate), certificates: v.certificates };
    },
  };
}

function verifierPort(trustAnchors: Anchors): SignatureVerifier {
  return {
    trustAnchors,
    async verify(pdf, { time, evidence }) {
      const r = await verifyPdf(pdf, {
        trustAnchors: await trustAnchors(),
        intermediates: evidence.certificates,
        crls: evidence.crls,
        ocspResponses: evidence.ocspResponses,
        time,
      });
      return {
        signed: r.signatures.length > 0,
        indication: r.indication,
        subIndication: r.subIndication,
        reasons: r.reasons,
        signatures: r.signatures.map((s) => ({
          kind: s.type,
          signer: s.signer?.subject ?? null,
          indication: s.indication,
          subIndication: s.subIndication,
          level: s.padesLevel,
          time: s.timestampTime,
        })),
      };
    },
  };
}

function keyDescription(cert: crypto.X509Certificate): string {
  const key = cert.publicKey;
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') return `RSA-${d.modulusLength ?? 0}`;
  if (key.asymmetricKeyType === 'ec') return `EC-${({ prime256v1: 'P256', secp384r1: 'P384', secp521r1: 'P521' } as Record<string, string>)[d.namedCurve ?? ''] ?? d.namedCurve}`;
  return String(key.asymmetricKeyType).toUpperCase();
}

function extenderPort(rfc3161: CertsTimestamper, trustAnchors: Anchors, fetch: boolean): PdfExtender {
  return {
    async inspect(pdf) {
      const anchors = await trustAnchors();
      const found = embeddedSignatures(openPdf(pdf));
      const tokens = found.flatMap((s) => (s.kind === 'document-timestamp' ? [s.cms] : inspectCms(s.cms).timestampTokens));
      let newest: NewestTimestamp | null = null;
      for (const token of tokens) {
        const v = await verifyTimestampToken(token, { trustAnchors: anchors, revocationRequired: false });
        if (!v.genTime || !v.tsaCertificate) continue;
        if (newest && newest.genTime >= v.genTime) continue;
        const cert = new crypto.X509Certificate(v.tsaCertificate);
        newest = { genTime: v.genTime, tsaCertificateNotAfter: new Date(cert.validTo), hashAlgorithm: v.hashAlgorithm ?? 'inconnu', keyAlgorithm: keyDescription(cert) };
      }
      return { signatures: found.length, newestTimestamp: newest };
    },
    async extend(pdf, { hash }) {
      // The roots end the chains: the DSS carries them like every other certificate of the paths.
      return extendPdf(pdf, {
        level: 'B-LTA',
        hash,
        timestamper: rfc3161,
        material: { certificates: await trustAnchors() },
        ...(fetch ? { fetchers: httpValidationFetchers() } : {}),
      });
    },
  };
}
