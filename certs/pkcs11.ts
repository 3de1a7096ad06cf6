import crypto from 'node:crypto';
import fs from 'node:fs';
import pkcs11js from 'pkcs11js';
import { OID, ecdsaRawToDer, keyAlgorithmOf, nameAttribute, oid, parse, publicKeyOf } from '../asn1/index.ts';
import { readCertificate } from './certificates.ts';
import type { HashAlgorithm, Signer } from './types.ts';
import { KEY_SPECS, type KeyType, keyTypeOf } from './keys.ts';
import { nodeHashName } from './signers.ts';
import { PkiError } from './errors.ts';

/**
 * Keys kept inside a PKCS#11 token (SoftHSM2 in development, any module in production).
 * The private key is generated on the token, sensitive and never extractable; the engine
 * only ever reads the public half and asks the token to sign.
 */
export const DEFAULT_PKCS11_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export interface TokenOptions {
  /** Path of the PKCS#11 module (.so). Default: PKCS11_MODULE or SoftHSM2's. */
  modulePath?: string | undefined;
  tokenLabel: string;
  /** The user PIN: never logged, never put in an error message. */
  pin: string;
}

type Handle = Buffer;
const P = pkcs11js;

interface LoadedModule {
  pkcs11: pkcs11js.PKCS11;
  users: number;
}
const modules = new Map<string, LoadedModule>();
/** SHA-256 of the PIN that logged each token in, per module and token label. */
const loggedIn = new Map<string, string>();

function acquireModule(modulePath: string): pkcs11js.PKCS11 {
  const known = modules.get(modulePath);
  if (known) {
    known.users++;
    return known.pkcs11;
  }
  if (!fs.existsSync(modulePath)) throw new PkiError('PKCS11_MODULE_MISSING', `Module PKCS#11 introuvable : ${modulePath}.`);
  const pkcs11 = new P.PKCS11();
  try {
    pkcs11.load(modulePath);
    pkcs11.C_Initialize();
  } catch (cause) {
    if (!(cause instanceof P.Pkcs11Error && cause.code === P.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
      throw new PkiError('PKCS11_MODULE_FAILED', `Le module PKCS#11 ${modulePath} ne s’initialise pas (${describe(cause)}).`, { cause });
    }
  }
  modules.set(modulePath, { pkcs11, users: 1 });
  return pkcs11;
}

/** Finalizes the module when its last user leaves, so tokens created meanwhile are seen next time. */
function releaseModule(modulePath: string): void {
  const known = modules.get(modulePath);
  if (!known) return;
  if (--known.users > 0) return;
  modules.delete(modulePath);
  for (const key of [...loggedIn.keys()]) if (key.startsWith(`${modulePath}|`)) loggedIn.delete(key);
  try {
    known.pkcs11.C_Finalize();
  } catch {
    // already finalized: nothing to release
  }
}

function describe(cause: unknown): string {
  if (cause instanceof P.Pkcs11Error) return cause.message.split(/[\s:]/)[0] ?? 'erreur PKCS#11';
  return cause instanceof Error ? cause.message : String(cause);
}

export function isPkcs11Error(cause: unknown, code: number): boolean {
  return cause instanceof P.Pkcs11Error && cause.code === code;
}

/** A logged-in read/write session on one token. Close it when done. */
export class TokenSession {
  private closed = false;

  private constructor(
    readonly pkcs11: pkcs11js.PKCS11,
    readonly session: Handle,
    readonly modulePath: string,
    readonly tokenLabel: string,
  ) {}

  static open(options: TokenOptions): TokenSession {
    const modulePath = options.modulePath ?? process.env.PKCS11_MODULE ?? DEFAULT_PKCS11_MODULE;
    const label = options.tokenLabel.trim();
    if (label === '') throw new PkiError('TOKEN_LABEL_MISSING', 'Libellé du jeton PKCS#11 manquant.');
    const pkcs11 = acquireModule(modulePath);
    try {
      const slot = pkcs11.C_GetSlotList(true).find((s) => pkcs11.C_GetTokenInfo(s).label.trim() === label);
      if (!slot) throw new PkiError('TOKEN_NOT_FOUND', `Jeton PKCS#11 « ${label} » introuvable (module ${modulePath}).`);
      const session = pkcs11.C_OpenSession(slot, P.CKF_SERIAL_SESSION | P.CKF_RW_SESSION);
      const loginKey = `${modulePath}|${label}`;
      const pinHash = crypto.createHash('sha256').update(options.pin).digest('hex');
      try {
        pkcs11.C_Login(session, P.CKU_USER, options.pin);
        loggedIn.set(loginKey, pinHash);
      } catch (cause) {
        // Login state is shared by all sessions of the process: a PIN given while another
        // session is logged in is checked against the one that logged in.
        const alreadyIn = isPkcs11Error(cause, P.CKR_USER_ALREADY_LOGGED_IN);
        if (!alreadyIn || loggedIn.get(loginKey) !== pinHash) {
          pkcs11.C_CloseSession(session);
          throw alreadyIn ? loginError(new P.Pkcs11Error('CKR_PIN_INCORRECT', P.CKR_PIN_INCORRECT), label) : loginError(cause, label);
        }
      }
      return new TokenSession(pkcs11, session, modulePath, label);
    } catch (error) {
      releaseModule(modulePath);
      throw error;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.pkcs11.C_CloseSession(this.session);
    } finally {
      releaseModule(this.modulePath);
    }
  }

  find(template: pkcs11js.Template): Handle[] {
    this.pkcs11.C_FindObjectsInit(this.session, template);
    try {
      return this.pkcs11.C_FindObjects(this.session, 64);
    } finally {
      this.pkcs11.C_FindObjectsFinal(this.session);
    }
  }

  attribute(object: Handle, type: number): Buffer {
    const [result] = this.pkcs11.C_GetAttributeValue(this.session, object, [{ type }]);
    return result!.value;
  }
}

function loginError(cause: unknown, label: string): PkiError {
  if (isPkcs11Error(cause, P.CKR_PIN_INCORRECT)) return new PkiError('WRONG_PIN', `Code PIN incorrect pour le jeton « ${label} ».`);
  if (isPkcs11Error(cause, P.CKR_PIN_LOCKED))
    return new PkiError('PIN_LOCKED', `Le code PIN du jeton « ${label} » est bloqué : le débloquer avec le code administrateur (SO PIN).`);
  if (isPkcs11Error(cause, P.CKR_PIN_LEN_RANGE)) return new PkiError('WRONG_PIN', `Code PIN de longueur invalide pour le jeton « ${label} ».`);
  return new PkiError('TOKEN_LOGIN_FAILED', `Connexion au jeton « ${label} » impossible (${describe(cause)}).`, { cause });
}

const CURVE_PARAMS: Record<'P-256' | 'P-384', Buffer> = { 'P-256': oid(OID.prime256v1), 'P-384': oid(OID.secp384r1) };

export interface TokenKey {
  id: Buffer;
  label: string;
  keyType: KeyType;
  /** SubjectPublicKeyInfo DER of the public half. */
  publicKey: Uint8Array;
  /** RFC 7512 URI naming the key. */
  uri: string;
  /** Handle of the private key in the session that generated it. */
  privateHandle: Buffer;
}

export function tokenKeyUri(tokenLabel: string, keyLabel: string, id: Buffer): string {
  const enc = (s: string) => encodeURIComponent(s);
  return `pkcs11:token=${enc(tokenLabel)};object=${enc(keyLabel)};id=${[...id].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}`;
}

/** Generates a non-extractable signing key pair inside the token. */
export function generateTokenKey(token: TokenSession, keyType: KeyType, keyLabel?: string): TokenKey {
  const spec = KEY_SPECS[keyType];
  const id = crypto.randomBytes(16);
  const label = keyLabel?.trim() || `passeport-${id.toString('hex').slice(0, 12)}`;
  if (
    token.find([
      { type: P.CKA_CLASS, value: P.CKO_PRIVATE_KEY },
      { type: P.CKA_LABEL, value: label },
    ]).length > 0
  ) {
    throw new PkiError('KEY_LABEL_TAKEN', `Une clé « ${label} » existe déjà sur le jeton « ${token.tokenLabel} ».`);
  }
  const common = [
    { type: P.CKA_TOKEN, value: true },
    { type: P.CKA_ID, value: id },
    { type: P.CKA_LABEL, value: label },
  ];
  const publicTemplate: pkcs11js.Template = [...common, { type: P.CKA_CLASS, value: P.CKO_PUBLIC_KEY }, { type: P.CKA_PRIVATE, value: false }, { type: P.CKA_VERIFY, value: true }];
  const privateTemplate: pkcs11js.Template = [
    ...common,
    { type: P.CKA_CLASS, value: P.CKO_PRIVATE_KEY },
    { type: P.CKA_PRIVATE, value: true },
    { type: P.CKA_SENSITIVE, value: true },
    { type: P.CKA_EXTRACTABLE, value: false },
    { type: P.CKA_SIGN, value: true },
    { type: P.CKA_DECRYPT, value: false },
    { type: P.CKA_UNWRAP, value: false },
  ];
  let mechanism: pkcs11js.Mechanism;
  if (spec.kind === 'rsa') {
    mechanism = { mechanism: P.CKM_RSA_PKCS_KEY_PAIR_GEN };
    publicTemplate.push({ type: P.CKA_KEY_TYPE, value: P.CKK_RSA }, { type: P.CKA_MODULUS_BITS, value: spec.bits }, { type: P.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) });
    privateTemplate.push({ type: P.CKA_KEY_TYPE, value: P.CKK_RSA });
  } else {
    mechanism = { mechanism: P.CKM_EC_KEY_PAIR_GEN };
    publicTemplate.push({ type: P.CKA_KEY_TYPE, value: P.CKK_EC }, { type: P.CKA_EC_PARAMS, value: CURVE_PARAMS[spec.namedCurve!] });
    privateTemplate.push({ type: P.CKA_KEY_TYPE, value: P.CKK_EC });
  }
  let pair: pkcs11js.KeyPair;
  try {
    pair = token.pkcs11.C_GenerateKeyPair(token.session, mechanism, publicTemplate, privateTemplate);
  } catch (cause) {
    throw new PkiError('TOKEN_KEYGEN_FAILED', `Le jeton « ${token.tokenLabel} » n’a pas pu générer la clé ${keyType} (${describe(cause)}).`, { cause });
  }
  const publicKey = readPublicKey(token, pair.publicKey, keyType);
  return { id, label, keyType, publicKey, uri: tokenKeyUri(token.tokenLabel, label, id), privateHandle: pair.privateKey };
}

function b64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** Builds the SubjectPublicKeyInfo from the token's public key attributes. */
function readPublicKey(token: TokenSession, handle: Handle, keyType: KeyType): Uint8Array {
  const spec = KEY_SPECS[keyType];
  let jwk: crypto.JsonWebKey;
  if (spec.kind === 'rsa') {
    jwk = { kty: 'RSA', n: b64url(token.attribute(handle, P.CKA_MODULUS)), e: b64url(token.attribute(handle, P.CKA_PUBLIC_EXPONENT)) };
  } else {
    const point = unwrapOctetString(token.attribute(handle, P.CKA_EC_POINT));
    const size = (point.length - 1) / 2;
    if (point[0] !== 0x04 || !Number.isInteger(size)) throw new PkiError('TOKEN_BAD_PUBLIC_KEY', 'Point EC du jeton illisible (forme non compressée attendue).');
    jwk = { kty: 'EC', crv: spec.namedCurve!, x: b64url(point.subarray(1, 1 + size)), y: b64url(point.subarray(1 + size)) };
  }
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }));
}

/** CKA_EC_POINT is a DER OCTET STRING around the point (some modules give the raw point). */
function unwrapOctetString(value: Buffer): Buffer {
  if (value[0] !== 0x04) return value;
  try {
    return Buffer.from(parse(value).octets());
  } catch {
    return value;
  }
}

/** Writes a certificate onto the token, next to the key with the same CKA_ID. */
export function storeCertificateOnToken(token: TokenSession, der: Uint8Array, id: Buffer, label: string, authority = false): void {
  const cert = readCertificate(der);
  try {
    token.pkcs11.C_CreateObject(token.session, [
      { type: P.CKA_CLASS, value: P.CKO_CERTIFICATE },
      { type: P.CKA_CERTIFICATE_TYPE, value: P.CKC_X_509 },
      { type: P.CKA_TOKEN, value: true },
      { type: P.CKA_PRIVATE, value: false },
      { type: P.CKA_ID, value: id },
      { type: P.CKA_LABEL, value: label },
      { type: P.CKA_SUBJECT, value: Buffer.from(cert.subjectDer) },
      { type: P.CKA_ISSUER, value: Buffer.from(cert.issuerDer) },
      { type: P.CKA_CERTIFICATE_CATEGORY, value: authority ? 2 : 1 },
      { type: P.CKA_VALUE, value: Buffer.from(der) },
    ]);
  } catch (cause) {
    throw new PkiError('TOKEN_WRITE_FAILED', `Le certificat n’a pas pu être écrit sur le jeton « ${token.tokenLabel} » (${describe(cause)}).`, { cause });
  }
}

/** Writes the CA certificates the token does not hold yet (so the token carries its chain). */
export function storeChainOnToken(token: TokenSession, chain: Uint8Array[]): void {
  for (const der of chain) {
    const present = token.find([
      { type: P.CKA_CLASS, value: P.CKO_CERTIFICATE },
      { type: P.CKA_VALUE, value: Buffer.from(der) },
    ]);
    if (present.length > 0) continue;
    const cert = readCertificate(der);
    const id = Buffer.from(cert.subjectKeyId ?? '', 'hex');
    storeCertificateOnToken(token, der, id, nameAttribute(cert.subjectName, OID.commonName) ?? 'AC', true);
  }
}

export interface OpenTokenSignerOptions extends TokenOptions {
  /** Label of the private key; optional when the token holds exactly one signing key. */
  keyLabel?: string | undefined;
  /** Issuer chain, nearest first; default: the authority certificates found on the token. */
  chain?: Uint8Array[];
}

export interface TokenSigner extends Signer {
  readonly keyLabel: string;
  readonly keyId: string;
  close(): void;
}

const RSA_MECHANISMS: Record<HashAlgorithm, number> = {
  'SHA-256': P.CKM_SHA256_RSA_PKCS,
  'SHA-384': P.CKM_SHA384_RSA_PKCS,
  'SHA-512': P.CKM_SHA512_RSA_PKCS,
};

/** A Signer over a key that stays inside a PKCS#11 token. Call `close()` when done. */
export function openTokenSigner(options: OpenTokenSignerOptions): TokenSigner {
  const token = TokenSession.open(options);
  try {
    const template: pkcs11js.Template = [
      { type: P.CKA_CLASS, value: P.CKO_PRIVATE_KEY },
      { type: P.CKA_SIGN, value: true },
    ];
    if (options.keyLabel) template.push({ type: P.CKA_LABEL, value: options.keyLabel });
    const keys = token.find(template);
    if (keys.length === 0) {
      throw new PkiError(
        'KEY_NOT_FOUND',
        options.keyLabel ? `Clé « ${options.keyLabel} » introuvable sur le jeton « ${token.tokenLabel} ».` : `Aucune clé de signature sur le jeton « ${token.tokenLabel} ».`,
      );
    }
    if (keys.length > 1) throw new PkiError('KEY_AMBIGUOUS', `Plusieurs clés sur le jeton « ${token.tokenLabel} » : préciser le libellé de la clé.`);
    const key = keys[0]!;
    const id = token.attribute(key, P.CKA_ID);
    const keyLabel = token.attribute(key, P.CKA_LABEL).toString('utf8');
    const certs = token.find([
      { type: P.CKA_CLASS, value: P.CKO_CERTIFICATE },
      { type: P.CKA_ID, value: id },
    ]);
    if (certs.length === 0) throw new PkiError('CERTIFICATE_NOT_ON_TOKEN', `Aucun certificat associé à la clé « ${keyLabel} » sur le jeton « ${token.tokenLabel} ».`);
    const certificate = new Uint8Array(token.attribute(certs[0]!, P.CKA_VALUE));
    const publicKey = publicKeyOf(readCertificate(certificate));
    const keyType = keyTypeOf(publicKey);
    const chain = options.chain ?? authorityChain(token, certificate);
    return {
      certificate,
      chain,
      keyAlgorithm: keyAlgorithmOf(publicKey),
      keyLabel,
      keyId: id.toString('hex'),
      close: () => token.close(),
      sign: tokenKeySign(token, key, keyType),
    };
  } catch (error) {
    token.close();
    throw error;
  }
}

/** Signs with a private key object of an open session; ECDSA comes back as DER. */
export function tokenKeySign(token: TokenSession, key: Handle, keyType: KeyType): (data: Uint8Array, hash: HashAlgorithm) => Promise<Uint8Array> {
  const spec = KEY_SPECS[keyType];
  return async (data, hash) => {
    const hashName = nodeHashName(hash);
    try {
      if (spec.kind === 'rsa') {
        token.pkcs11.C_SignInit(token.session, { mechanism: RSA_MECHANISMS[hash] }, key);
        return new Uint8Array(token.pkcs11.C_Sign(token.session, Buffer.from(data), Buffer.alloc(spec.bits / 8)));
      }
      const digest = crypto.createHash(hashName).update(data).digest();
      token.pkcs11.C_SignInit(token.session, { mechanism: P.CKM_ECDSA }, key);
      const raw = token.pkcs11.C_Sign(token.session, digest, Buffer.alloc(2 * Math.ceil(spec.bits / 8)));
      return ecdsaRawToDer(new Uint8Array(raw));
    } catch (cause) {
      throw new PkiError('TOKEN_SIGN_FAILED', `Le jeton « ${token.tokenLabel} » a refusé de signer (${describe(cause)}).`, { cause });
    }
  };
}

/** Parses the token and object labels of an RFC 7512 URI written by `tokenKeyUri`. */
export function parseTokenKeyUri(uri: string): { tokenLabel: string; keyLabel: string } {
  const fields = new Map(
    uri
      .replace(/^pkcs11:/, '')
      .split(';')
      .map((part) => {
        const at = part.indexOf('=');
        return [part.slice(0, at), part.slice(at + 1)] as const;
      }),
  );
  const decode = (value: string | undefined): string | undefined => {
    try {
      return value === undefined ? undefined : decodeURIComponent(value);
    } catch {
      return undefined;
    }
  };
  const tokenLabel = decode(fields.get('token'));
  const keyLabel = decode(fields.get('object'));
  if (!uri.startsWith('pkcs11:') || !tokenLabel || !keyLabel) throw new PkiError('MALFORMED_KEY_URI', `Adresse de clé PKCS#11 invalide « ${uri} ».`);
  return { tokenLabel, keyLabel };
}

/** The authority certificates on the token, ordered from the signer's issuer upwards. */
function authorityChain(token: TokenSession, leaf: Uint8Array): Uint8Array[] {
  const all = token
    .find([
      { type: P.CKA_CLASS, value: P.CKO_CERTIFICATE },
      { type: P.CKA_CERTIFICATE_CATEGORY, value: 2 },
    ])
    .map((h) => new Uint8Array(token.attribute(h, P.CKA_VALUE)))
    .map((der) => ({ der, cert: readCertificate(der) }));
  const chain: Uint8Array[] = [];
  let current = readCertificate(leaf);
  for (let i = 0; i < 8; i++) {
    if (current.selfIssued) break;
    const issuer = all.find((c) => c.cert.subjectKey === current.issuerKey);
    if (!issuer) break;
    chain.push(issuer.der);
    current = issuer.cert;
  }
  return chain;
}
