import crypto from 'node:crypto';
import type { Signer } from './types.ts';
import { CA_COMMON_NAMES, CA_NAMES, CA_PROFILES, type CaName, getProfile, isCaName } from './profiles.ts';
import { generateSoftwareKey, type KeyType, parseKeyType, spkiDer } from './keys.ts';
import { buildCertificate, type CertificateIssuer } from './build.ts';
import { engineName } from './subject.ts';
import { resolveMasterSecret, sealPrivateKey, type SecretOptions, unsealPrivateKey } from './secret.ts';
import type { PkiStore } from './stores.ts';
import { nameInEncodingOrder, parseCertificate } from '../asn1/index.ts';
import { softwareSigner } from './signers.ts';
import { generateTokenKey, openTokenSigner, parseTokenKeyUri, storeCertificateOnToken, tokenKeySign, type TokenSigner, TokenSession } from './pkcs11.ts';
import { PkiError } from './errors.ts';

/** How to reach CA keys: the master secret for sealed keys, a PIN for keys kept on a token. */
export interface CaAccessOptions extends SecretOptions {
  /** PIN of the token holding the CA keys, when they are on a token (default PASSEPORT_CA_PIN). */
  caTokenPin?: string;
  /** PKCS#11 module for token-kept CA keys (default PKCS11_MODULE, then SoftHSM2's). */
  pkcs11Module?: string;
}

export interface InitPkiOptions extends CaAccessOptions {
  /** Generate the CA keys inside this PKCS#11 token instead of sealing them in the database. */
  caToken?: { tokenLabel: string; pin?: string; modulePath?: string };
  /** Base of the URLs written into certificates (CRL, OCSP, CA certificates). Default: PUBLIC_URL or http://127.0.0.1:3000. */
  publicBaseUrl?: string;
  /** Key type of the CA keys. Default rsa3072. */
  caKeyType?: KeyType;
}

export interface InitPkiResult {
  created: CaName[];
  existing: CaName[];
  /** A French sentence saying what happened. */
  message: string;
}

export function defaultPublicBaseUrl(): string {
  return process.env.PUBLIC_URL || 'http://127.0.0.1:3000';
}

/** Creates the root and the issuing CAs that do not exist yet; a second run changes nothing. */
export async function initPki(store: PkiStore, options: InitPkiOptions = {}): Promise<InitPkiResult> {
  const keyType = parseKeyType(options.caKeyType ?? 'rsa3072');
  if (keyType === 'rsa2048') throw new PkiError('WEAK_CA_KEY', 'Une AC utilise une clé RSA 3072 ou ECDSA P-256/P-384 au moins.');
  const base = options.publicBaseUrl ?? defaultPublicBaseUrl();
  checkBaseUrl(base);
  const created: CaName[] = [];
  const existing: CaName[] = [];
  await store.transaction(async (tx) => {
    await tx.lockInitialisation();
    const todo: CaName[] = [];
    for (const name of CA_NAMES) {
      if (await tx.findCa(name)) existing.push(name);
      else todo.push(name);
    }
    if (todo.length === 0) return;
    const secret = resolveMasterSecret(options, true);
    const access: CaAccessOptions = options.caToken
      ? { ...options, caTokenPin: options.caToken.pin ?? options.caTokenPin ?? process.env.PASSEPORT_CA_PIN, pkcs11Module: options.caToken.modulePath ?? options.pkcs11Module }
      : options;
    const token = options.caToken ? TokenSession.open({ tokenLabel: options.caToken.tokenLabel, pin: access.caTokenPin ?? '', modulePath: access.pkcs11Module }) : null;
    try {
      for (const name of todo) {
        await createCa(tx, name, keyType, base, secret, access, token);
        created.push(name);
      }
    } finally {
      token?.close();
    }
  });
  const message =
    created.length === 0
      ? 'PKI déjà initialisée : rien n’a changé.'
      : `PKI initialisée : ${created.length} AC créée(s) (${created.join(', ')})${existing.length ? `, ${existing.length} déjà présente(s)` : ''}.`;
  return { created, existing, message };
}

function checkBaseUrl(base: string): void {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new PkiError('INVALID_BASE_URL', `URL publique invalide « ${base} ».`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PkiError('INVALID_BASE_URL', `URL publique invalide « ${base} » : http ou https attendu.`);
}

async function createCa(store: PkiStore, name: CaName, keyType: KeyType, base: string, secret: string, options: CaAccessOptions, token: TokenSession | null): Promise<void> {
  const profile = getProfile(CA_PROFILES[name]);
  let publicKey: Uint8Array;
  let own: Pick<CertificateIssuer, 'privateKey' | 'signer'>;
  let tokenKey: ReturnType<typeof generateTokenKey> | null = null;
  if (token) {
    tokenKey = generateTokenKey(token, keyType, `passeport-ca-${name}`);
    publicKey = tokenKey.publicKey;
    own = { signer: { sign: tokenKeySign(token, tokenKey.privateHandle, keyType) } };
  } else {
    const keys = await generateSoftwareKey(keyType);
    publicKey = spkiDer(keys.publicKey);
    own = { privateKey: keys.privateKey };
  }
  const issuer: CertificateIssuer = profile.issuer === null ? { caName: name, certificate: null, keyType, ...own } : await loadCaIssuer(store, profile.issuer, options);
  const cert = await buildCertificate({
    profile,
    subject: engineName(CA_COMMON_NAMES[name]),
    publicKey,
    issuer,
    publicBaseUrl: base,
  });
  const der = cert.der;
  const subject = nameInEncodingOrder(cert.subjectName);
  if (token && tokenKey) storeCertificateOnToken(token, der, tokenKey.id, tokenKey.label, true);
  await store.insertCa({
    name,
    parent: profile.issuer,
    profile: profile.name,
    subject,
    serial: cert.serialNumber,
    certificate: der,
    keyType,
    keyLocation: tokenKey ? tokenKey.uri : 'encrypted',
    sealedKey: own.privateKey ? await sealPrivateKey(own.privateKey, secret, `ca:${name}`) : null,
    publicBaseUrl: base,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  });
  // Every certificate a CA signs is recorded, the issuing CAs' own ones too (so the root's CRL can list them).
  await store.insertIssued({
    serial: cert.serialNumber,
    caName: profile.issuer ?? name,
    subject,
    profile: profile.name,
    level: null,
    keyType,
    keyLocation: tokenKey ? tokenKey.uri : `ca:${name}`,
    siren: null,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    der,
  });
}

export interface LoadedCa {
  name: CaName;
  /** DER of the CA's certificate. */
  certificate: Uint8Array;
  /** DER certificates above it, nearest first, up to the root (empty for the root). */
  chain: Uint8Array[];
  /** Signs with the CA's key (native node:crypto). */
  signer: Signer;
  keyType: KeyType;
  publicBaseUrl: string;
}

/** Loads a CA of the hierarchy, its chain and a signer over its (unsealed) private key. */
export async function loadCa(store: PkiStore, name: CaName, options: CaAccessOptions = {}): Promise<LoadedCa> {
  const issuer = await loadCaIssuer(store, name, options);
  const record = (await store.findCa(name))!;
  return {
    name,
    certificate: record.certificate,
    chain: issuer.chain,
    keyType: record.keyType,
    publicBaseUrl: record.publicBaseUrl,
    signer: issuer.caSigner,
  };
}

/** The DER certificates above the CA `name`, nearest first. */
export async function caChain(store: PkiStore, name: CaName): Promise<Uint8Array[]> {
  const chain: Uint8Array[] = [];
  let current = await requireCa(store, name);
  while (current.parent) {
    current = await requireCa(store, current.parent);
    chain.push(current.certificate);
  }
  return chain;
}

/** The CA certificate `name` plus everything above it, nearest first. */
export async function caCertificateWithChain(store: PkiStore, name: CaName): Promise<Uint8Array[]> {
  const record = await requireCa(store, name);
  return [record.certificate, ...(await caChain(store, name))];
}

async function requireCa(store: PkiStore, name: string) {
  if (!isCaName(name)) throw new PkiError('UNKNOWN_CA', `AC inconnue « ${name} » : ${CA_NAMES.join(', ')}.`);
  const record = await store.findCa(name);
  if (!record) throw new PkiError('PKI_NOT_INITIALISED', `L’AC « ${name} » n’existe pas : lancer d’abord « passeport pki init ».`);
  return record;
}

/** Token-kept CA keys: one open session per key (and PIN) for the life of the process. */
const tokenSigners = new Map<string, TokenSigner>();

/** Internal: the CA with its key (a KeyObject, or a signer on a token), for issuance. */
export async function loadCaIssuer(
  store: PkiStore,
  name: CaName,
  options: CaAccessOptions = {},
): Promise<CertificateIssuer & { publicBaseUrl: string; caSigner: Signer; chain: Uint8Array[] }> {
  const record = await requireCa(store, name);
  const certificate = parseCertificate(record.certificate);
  const chain = await caChain(store, name);
  const base = { caName: name, certificate, keyType: record.keyType, publicBaseUrl: record.publicBaseUrl, chain };
  if (record.keyLocation.startsWith('pkcs11:')) {
    const { tokenLabel, keyLabel } = parseTokenKeyUri(record.keyLocation);
    const pin = options.caTokenPin ?? process.env.PASSEPORT_CA_PIN;
    if (!pin) throw new PkiError('CA_PIN_MISSING', `La clé de l’AC « ${name} » est sur le jeton « ${tokenLabel} » : fournir son code PIN (PASSEPORT_CA_PIN).`);
    const modulePath = options.pkcs11Module ?? process.env.PKCS11_MODULE;
    const cacheKey = [modulePath ?? '', record.keyLocation, crypto.createHash('sha256').update(pin).digest('hex')].join('|');
    let signer = tokenSigners.get(cacheKey);
    if (!signer) {
      signer = openTokenSigner({ modulePath, tokenLabel, keyLabel, pin, chain });
      tokenSigners.set(cacheKey, signer);
    }
    return { ...base, signer, caSigner: signer };
  }
  if (record.keyLocation !== 'encrypted' || !record.sealedKey) {
    throw new PkiError('CA_KEY_UNAVAILABLE', `La clé de l’AC « ${name} » n’est pas disponible sur ce serveur.`);
  }
  const privateKey: crypto.KeyObject = await unsealPrivateKey(record.sealedKey, resolveMasterSecret(options), `ca:${name}`);
  return { ...base, privateKey, caSigner: softwareSigner(privateKey, record.certificate, chain) };
}
