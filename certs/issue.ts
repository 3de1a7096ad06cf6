import crypto from 'node:crypto';
import type { RgsLevel } from './policies.ts';
import { type CaName, type CertificateProfile, type HolderProfileName, type ServiceProfileName, getProfile, isCaName } from './profiles.ts';
import { generateSoftwareKey, type KeyType, keyTypeOf, parseKeyType, spkiDer } from './keys.ts';
import { buildCertificate } from './build.ts';
import { nameAttribute, nameInEncodingOrder, OID } from '../asn1/index.ts';
import { type CaAccessOptions, loadCaIssuer } from './ca.ts';
import type { PkiStore } from './stores.ts';
import { checkRegistration, type RegistrationEvidence, type RegistrationRecord } from './registration.ts';
import { checkEmail, checkOrganisation, checkPersonName, checkSiren, engineName, holderName, type JsonName } from './subject.ts';
import { buildPkcs12 } from './pkcs12.ts';
import { generateTokenKey, storeCertificateOnToken, storeChainOnToken, type TokenOptions, TokenSession } from './pkcs11.ts';
import { resolveMasterSecret } from './secret.ts';
import { PkiError } from './errors.ts';

export interface SubjectRequest {
  /** "Prénom Nom" for a person; for a seal, the seal's name (default: the organisation). */
  name?: string;
  organisation?: string;
  siren?: string;
  email?: string;
}

export type KeyRequest =
  /** Generated here with node:crypto; delivered as PKCS#12 when a passphrase is given. */
  | { store: 'software'; type: KeyType | string; pkcs12Passphrase?: string; location?: string }
  /** Generated inside a PKCS#11 token; the certificate is written back next to it. */
  | { store: 'token'; type: KeyType | string; token: TokenOptions; keyLabel?: string }
  /** A public key whose private half lives elsewhere (e.g. a browser's WebCrypto key): SPKI DER. */
  | { store: 'public-key'; publicKey: Uint8Array; location?: string };

export interface IssueRequest {
  profile: HolderProfileName | ServiceProfileName;
  subject: SubjectRequest;
  key: KeyRequest;
  registration?: RegistrationEvidence;
  /** For the OCSP responder profile: the CA it answers for. */
  caName?: CaName;
  validityDays?: number;
  /** Master secret (sealed CA keys) or PIN (CA keys on a token). */
  secret?: CaAccessOptions;
}

export interface IssuedResult {
  serial: string;
  caName: CaName;
  profile: string;
  level: RgsLevel | null;
  /** In encoding order, as openssl prints it: « C=FR, O=…, OU=…, CN=… ». */
  subject: string;
  notBefore: Date;
  notAfter: Date;
  certificate: Uint8Array;
  /** The issuing CA first, then up to the root. */
  chain: Uint8Array[];
  keyType: KeyType;
  keyLocation: string;
  /** Software keys only: the private key (the caller delivers it, the engine does not keep it). */
  privateKey?: crypto.KeyObject;
  /** Software keys with a passphrase: the PKCS#12 file's bytes. */
  pkcs12?: Uint8Array;
  /** Token keys: where the key is. */
  token?: { label: string; keyLabel: string; keyId: string; uri: string };
  registration: RegistrationRecord | null;
}

const STORE_WORDS = { software: 'logicielle', token: 'sur jeton PKCS#11', 'public-key': 'externe' } as const;

/** Refuses a key store the profile does not allow (RGS *: software; ** and ***: token). */
function checkKeyStore(profile: CertificateProfile, store: KeyRequest['store']): void {
  const allowed = profile.keyStore === 'token' ? ['token'] : ['software', 'public-key'];
  if (!allowed.includes(store)) {
    const level = profile.level ? `le niveau RGS ${'*'.repeat(profile.level)}` : `le profil « ${profile.label} »`;
    throw new PkiError(
      'KEY_STORE_NOT_ALLOWED',
      profile.keyStore === 'token'
        ? `Émission refusée : ${level} exige une clé générée dans un support matériel (jeton PKCS#11), pas une clé ${STORE_WORDS[store]}.`
        : `Émission refusée : ${level} n’accepte pas une clé ${STORE_WORDS[store]}.`,
    );
  }
}

function subjectFor(profile: CertificateProfile, subject: SubjectRequest, caName: CaName): { name: JsonName; siren: string | null } {
  if (profile.subject === 'engine') {
    const cn = profile.name === 'tsa' ? 'Passeport Horodatage' : `Passeport Répondeur OCSP ${caName}`;
    return { name: engineName(subject.name?.trim() || cn), siren: null };
  }
  const siren = checkSiren(subject.siren ?? '');
  const organisation = checkOrganisation(subject.organisation);
  const commonName = profile.subject === 'person' ? checkPersonName(subject.name ?? '') : checkOrganisation(subject.name ?? organisation);
  return { name: holderName({ commonName, organisation, siren }), siren };
}

/**
 * Issues a certificate of a holder or service profile: checks the subject and the
 * registration evidence, generates the key where the profile requires it, has the
 * profile's CA sign, records certificate and evidence, delivers the key.
 */
export async function issueCertificate(store: PkiStore, request: IssueRequest): Promise<IssuedResult> {
  const profile = getProfile(request.profile);
  if (profile.kind === 'ca') throw new PkiError('UNKNOWN_PROFILE', `Le profil « ${profile.name} » est celui d’une AC : utiliser « passeport pki init ».`);
  const caName = profile.issuer ?? request.caName;
  if (!caName || !isCaName(caName) || caName === 'root') {
    throw new PkiError('UNKNOWN_CA', 'Le profil répondeur OCSP demande l’AC pour laquelle il répond (rgs1, rgs2, rgs3, seal ou tsa).');
  }
  checkKeyStore(profile, request.key.store);
  const keyType = request.key.store === 'public-key' ? keyTypeOfSpki(request.key.publicKey) : parseKeyType(request.key.type);
  if (!profile.keyTypes.includes(keyType)) throw new PkiError('UNKNOWN_KEY_TYPE', `Type de clé ${keyType} non autorisé pour le profil « ${profile.label} ».`);
  const subject = subjectFor(profile, request.subject, caName);
  const email = request.subject.email ? checkEmail(request.subject.email) : undefined;
  const registration = profile.identityCheck ? checkRegistration(profile, request.registration) : null;
  if (request.key.store === 'software' && request.key.pkcs12Passphrase !== undefined && request.key.pkcs12Passphrase.length < 8) {
    throw new PkiError('WEAK_PASSPHRASE', 'La phrase secret du fichier PKCS#12 doit compter au moins 8 caractères.');
  }

  const { issuer, fullChain } = await issuingContext(store, caName, request.secret);

  let token: TokenSession | null = null;
  try {
    let publicKey: Uint8Array;
    let privateKey: crypto.KeyObject | undefined;
    let tokenKey: ReturnType<typeof generateTokenKey> | undefined;
    if (request.key.store === 'software') {
      const pair = await generateSoftwareKey(keyType);
      privateKey = pair.privateKey;
      publicKey = spkiDer(pair.publicKey);
    } else if (request.key.store === 'token') {
      token = TokenSession.open(request.key.token);
      tokenKey = generateTokenKey(token, keyType, request.key.keyLabel);
      publicKey = tokenKey.publicKey;
    } else {
      publicKey = request.key.publicKey;
    }

    const cert = await buildCertificate({
      profile,
      subject: subject.name,
      publicKey,
      issuer,
      publicBaseUrl: issuer.publicBaseUrl,
      email,
      ...(request.validityDays !== undefined ? { validityDays: request.validityDays } : {}),
    });
    const der = cert.der;
    const serial = cert.serialNumber;
    const subjectText = nameInEncodingOrder(cert.subjectName);
    const keyLocation = keyLocationOf(request.key, tokenKey?.uri);

    await store.transaction(async (tx) => {
      await tx.insertIssued({
        serial,
        caName,
        subject: subjectText,
        profile: profile.name,
        level: profile.level,
        keyType,
        keyLocation,
        siren: subject.siren,
        notBefore: cert.notBefore,
        notAfter: cert.notAfter,
        der,
      });
      if (registration) await tx.recordRegistration(caName, serial, registration);
      // Written inside the transaction: if the token refuses, nothing is recorded.
      if (token && tokenKey) {
        storeCertificateOnToken(token, der, tokenKey.id, tokenKey.label);
        storeChainOnToken(token, fullChain);
      }
    });

    const result: IssuedResult = {
      serial,
      caName,
      profile: profile.name,
      level: profile.level,
      subject: subjectText,
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
      certificate: der,
      chain: fullChain,
      keyType,
      keyLocation,
      registration,
    };
    if (privateKey) {
      result.privateKey = privateKey;
      if (request.key.store === 'software' && request.key.pkcs12Passphrase !== undefined) {
        result.pkcs12 = buildPkcs12(privateKey, der, fullChain, request.key.pkcs12Passphrase, { friendlyName: nameAttribute(cert.subjectName, OID.commonName) ?? serial });
      }
    }
    if (tokenKey && token) result.token = { label: token.tokenLabel, keyLabel: tokenKey.label, keyId: tokenKey.id.toString('hex'), uri: tokenKey.uri };
    return result;
  } finally {
    token?.close();
  }
}

type IssuingContext = { issuer: Awaited<ReturnType<typeof loadCaIssuer>>; fullChain: Uint8Array[] };
const contexts = new WeakMap<PkiStore, Map<string, Promise<IssuingContext>>>();

/**
 * The CA's unsealed key and chain, kept per store: CA rows never change once
 * created, and the cache key includes the master secret, so a wrong secret still fails.
 */
function issuingContext(store: PkiStore, caName: CaName, options: CaAccessOptions = {}): Promise<IssuingContext> {
  const secret = resolveMasterSecret(options);
  const key = `${caName}:${crypto
    .createHash('sha256')
    .update(`${secret}\0${options.caTokenPin ?? ''}`)
    .digest('hex')}`;
  let perStore = contexts.get(store);
  if (!perStore) contexts.set(store, (perStore = new Map()));
  let context = perStore.get(key);
  if (!context) {
    context = (async () => {
      const issuer = await loadCaIssuer(store, caName, { ...options, secret });
      return { issuer, fullChain: [issuer.certificate!.der, ...issuer.chain] };
    })();
    perStore.set(key, context);
    context.catch(() => perStore.delete(key));
  }
  return context;
}

function keyTypeOfSpki(spki: Uint8Array): KeyType {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new PkiError('MALFORMED_KEY', 'Clé publique illisible : SubjectPublicKeyInfo DER attendu.', { cause });
  }
  return keyTypeOf(key);
}

function keyLocationOf(key: KeyRequest, tokenUri: string | undefined): string {
  if (key.store === 'token') return tokenUri!;
  if (key.store === 'software') return key.location ?? (key.pkcs12Passphrase !== undefined ? 'pkcs12' : 'software');
  return key.location ?? 'external';
}
