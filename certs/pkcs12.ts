import crypto from 'node:crypto';
import forge from 'node-forge';
import type { Signer } from './types.ts';
import { OID, sameBytes } from '../asn1/index.ts';
import { readCertificate } from './certificates.ts';
import { spkiDer } from './keys.ts';
import { softwareSigner, type SoftwareSignerOptions } from './signers.ts';
import { PkiError } from './errors.ts';

/**
 * PKCS#12 files, written and read with node-forge's ASN.1 and PBE code (its own
 * pkcs12 helpers only know SHA-1 MACs and RSA keys). Written: the key in a
 * pkcs8ShroudedKeyBag under PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), the
 * certificates in a plain SafeContents (they are public), a SHA-256 MAC.
 */
const { asn1 } = forge;

const KEY_ITERATIONS = 100_000;
const MAC_ITERATIONS = 2048;

type Asn1 = forge.asn1.Asn1;
const U = asn1.Class.UNIVERSAL;
const C = asn1.Class.CONTEXT_SPECIFIC;
const T = asn1.Type;

const DER_OPTIONS = { strict: true, parseAllBytes: true, decodeBitStrings: false };
// The published typings lag behind forge 1.x: fromDer takes an options object, pki.pbe exists.
const fromDer = asn1.fromDer as unknown as (bytes: string, options: typeof DER_OPTIONS) => Asn1;
const pbe = (forge.pki as unknown as { pbe: { getCipher(oid: string, params: Asn1, password: string): forge.cipher.BlockCipher } }).pbe;
const bin = (bytes: Uint8Array): string => Buffer.from(bytes).toString('binary');
const fromBin = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'binary'));
const seq = (...items: Asn1[]): Asn1 => asn1.create(U, T.SEQUENCE, true, items);
const oid = (value: string): Asn1 => asn1.create(U, T.OID, false, asn1.oidToDer(value).getBytes());
const octets = (bytes: string): Asn1 => asn1.create(U, T.OCTETSTRING, false, bytes);
const explicit0 = (inner: Asn1): Asn1 => asn1.create(C, 0, true, [inner]);
const der = (node: Asn1): string => asn1.toDer(node).getBytes();

function bmpString(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    out += String.fromCharCode(code >> 8, code & 0xff);
  }
  return out;
}

const PRF: Record<string, string> = {
  [OID.hmacWithSha1]: 'sha1',
  [OID.hmacWithSha256]: 'sha256',
  [OID.hmacWithSha384]: 'sha384',
  [OID.hmacWithSha512]: 'sha512',
};
const AES_CBC: Record<string, { cipher: string; keyLength: number }> = {
  [OID.aes128Cbc]: { cipher: 'aes-128-cbc', keyLength: 16 },
  [OID.aes192Cbc]: { cipher: 'aes-192-cbc', keyLength: 24 },
  [OID.aes256Cbc]: { cipher: 'aes-256-cbc', keyLength: 32 },
};
const integer = (n: number): Asn1 => asn1.create(U, T.INTEGER, false, asn1.integerToDer(n).getBytes());

/**
 * PBES2 with native PBKDF2 and AES (forge's own PBKDF2 falls back to pure JavaScript
 * for SHA-256, a second per 100,000 iterations). Returns SEQUENCE { AlgorithmIdentifier, OCTET STRING }.
 */
function encryptPbes2(plain: Buffer, passphrase: string): Asn1 {
  const salt = crypto.randomBytes(16);
  const iv = crypto.randomBytes(16);
  const key = crypto.pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, KEY_ITERATIONS, 32, 'sha256');
  const cipher = crypto.createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  plain.fill(0);
  const algorithm = seq(
    oid(OID.pbes2),
    seq(
      seq(oid(OID.pbkdf2), seq(octets(bin(salt)), integer(KEY_ITERATIONS), integer(32), seq(oid(OID.hmacWithSha256), asn1.create(U, T.NULL, false, '')))),
      seq(oid(OID.aes256Cbc), octets(bin(iv))),
    ),
  );
  return seq(algorithm, octets(bin(encrypted)));
}

/** Native PBES2 decryption; null when the algorithm is another one (left to forge). */
function decryptPbes2(algorithm: Asn1, encrypted: string, passphrase: string): Buffer | null {
  const [algOid, params] = children(algorithm, 'AlgorithmIdentifier');
  if (asn1.derToOid(primitive(algOid, 'algorithme')) !== OID.pbes2) return null;
  const [kdf, scheme] = children(params, 'PBES2-params');
  const [kdfOid, kdfParams] = children(kdf, 'keyDerivationFunc');
  const [schemeOid, ivNode] = children(scheme, 'encryptionScheme');
  const aes = AES_CBC[asn1.derToOid(primitive(schemeOid, 'algorithme'))];
  if (asn1.derToOid(primitive(kdfOid, 'algorithme')) !== OID.pbkdf2 || !aes) return null;
  const [salt, count, ...rest] = children(kdfParams, 'PBKDF2-params');
  const prfNode = rest.find((node) => Array.isArray(node.value));
  const prf = prfNode ? PRF[asn1.derToOid(primitive(children(prfNode, 'prf')[0], 'prf'))] : 'sha1';
  if (!prf) throw malformed('fonction PRF de PBKDF2 non prise en charge');
  const iterations = asn1.derToInteger(primitive(count, 'itérations'));
  if (!(iterations >= 1 && iterations <= 10_000_000)) throw malformed('nombre d’itérations PBKDF2 hors limites');
  const key = crypto.pbkdf2Sync(Buffer.from(passphrase, 'utf8'), Buffer.from(primitive(salt, 'sel'), 'binary'), iterations, aes.keyLength, prf);
  const decipher = crypto.createDecipheriv(aes.cipher, key, Buffer.from(primitive(ivNode, 'IV'), 'binary'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(encrypted, 'binary')), decipher.final()]);
  } catch {
    throw new PkiError('WRONG_PASSPHRASE', 'Phrase secret du fichier PKCS#12 incorrecte (ou fichier altéré).');
  }
}

export interface Pkcs12Options {
  friendlyName?: string;
}

/** Builds a PKCS#12 file holding the private key, its certificate and the chain. */
export function buildPkcs12(privateKey: crypto.KeyObject, certificate: Uint8Array, chain: Uint8Array[], passphrase: string, options: Pkcs12Options = {}): Uint8Array {
  if (passphrase.length < 8) throw new PkiError('WEAK_PASSPHRASE', 'La phrase secret du fichier PKCS#12 doit compter au moins 8 caractères.');
  const localKeyId = crypto.createHash('sha1').update(certificate).digest('binary');
  const attributes = [
    seq(oid(OID.localKeyId), asn1.create(U, T.SET, true, [octets(localKeyId)])),
    ...(options.friendlyName ? [seq(oid(OID.friendlyName), asn1.create(U, T.SET, true, [asn1.create(U, T.BMPSTRING, false, bmpString(options.friendlyName))]))] : []),
  ];
  const shrouded = encryptPbes2(privateKey.export({ format: 'der', type: 'pkcs8' }), passphrase);
  const keyBag = seq(oid(OID.shroudedKeyBag), explicit0(shrouded), asn1.create(U, T.SET, true, attributes));
  const certBag = (certDer: Uint8Array, attrs: Asn1[] | null): Asn1 =>
    seq(oid(OID.certBag), explicit0(seq(oid(OID.x509Certificate), explicit0(octets(bin(certDer))))), ...(attrs ? [asn1.create(U, T.SET, true, attrs)] : []));
  const certContents = seq(certBag(certificate, attributes), ...chain.map((c) => certBag(c, null)));
  const keyContents = seq(keyBag);
  const dataInfo = (contents: Asn1): Asn1 => seq(oid(OID.data), explicit0(octets(der(contents))));
  const authSafe = der(seq(dataInfo(certContents), dataInfo(keyContents)));

  const macSalt = crypto.randomBytes(16);
  const macKey = forge.pkcs12.generateKey(passphrase, forge.util.createBuffer(bin(macSalt)), 3, MAC_ITERATIONS, 32, forge.md.sha256.create());
  const mac = crypto.createHmac('sha256', Buffer.from(macKey.getBytes(), 'binary')).update(Buffer.from(authSafe, 'binary')).digest('binary');
  const pfx = seq(
    asn1.create(U, T.INTEGER, false, asn1.integerToDer(3).getBytes()),
    seq(oid(OID.data), explicit0(octets(authSafe))),
    seq(
      seq(seq(oid(OID.sha256), asn1.create(U, T.NULL, false, '')), octets(mac)),
      octets(bin(macSalt)),
      asn1.create(U, T.INTEGER, false, asn1.integerToDer(MAC_ITERATIONS).getBytes()),
    ),
  );
  return fromBin(der(pfx));
}

export interface Pkcs12Contents {
  privateKey: crypto.KeyObject;
  /** DER of the certificate matching the key. */
  certificate: Uint8Array;
  /** The other certificates, the issuer first when it is present. */
  chain: Uint8Array[];
}

const MAC_HASHES: Record<string, { node: string; forge: () => forge.md.MessageDigest }> = {
  [OID.sha1]: { node: 'sha1', forge: () => forge.md.sha1.create() },
  [OID.sha256]: { node: 'sha256', forge: () => forge.md.sha256.create() },
  [OID.sha384]: { node: 'sha384', forge: () => forge.md.sha384.create() },
  [OID.sha512]: { node: 'sha512', forge: () => forge.md.sha512.create() },
};

function malformed(detail: string, cause?: unknown): PkiError {
  return new PkiError('MALFORMED_PKCS12', `Fichier PKCS#12 illisible : ${detail}.`, cause === undefined ? undefined : { cause });
}

function children(node: Asn1 | undefined, what: string): Asn1[] {
  if (!node || !Array.isArray(node.value)) throw malformed(`structure ${what} inattendue`);
  return node.value as Asn1[];
}

function primitive(node: Asn1 | undefined, what: string): string {
  if (!node || typeof node.value !== 'string') throw malformed(`valeur ${what} inattendue`);
  return node.value;
}

/** Reads a PKCS#12 file (ours or openssl's): checks the MAC, decrypts the key and the certificates. */
export function readPkcs12(p12: Uint8Array, passphrase: string): Pkcs12Contents {
  let pfx: Asn1;
  try {
    pfx = fromDer(bin(p12), DER_OPTIONS);
  } catch (cause) {
    throw malformed('DER invalide ou tronqué', cause);
  }
  const [version, authSafeInfo, macData] = children(pfx, 'PFX');
  if (asn1.derToInteger(primitive(version, 'version')) !== 3) throw malformed('version PFX différente de 3');
  const [contentType, content] = children(authSafeInfo, 'authSafe');
  if (asn1.derToOid(primitive(contentType, 'type')) !== OID.data) throw malformed('authSafe non « data » (signature à clé publique non prise en charge)');
  const authSafe = octetContent(children(content, 'authSafe')[0]);
  if (!macData) throw malformed('pas de MAC d’intégrité');
  verifyMac(macData, authSafe, passphrase);

  const keys: crypto.KeyObject[] = [];
  const certs: Uint8Array[] = [];
  for (const info of children(parse(authSafe, 'AuthenticatedSafe'), 'AuthenticatedSafe')) {
    const [type, value] = children(info, 'ContentInfo');
    const kind = asn1.derToOid(primitive(type, 'type'));
    let safeContents: string;
    if (kind === OID.data) safeContents = octetContent(children(value, 'data')[0]);
    else if (kind === OID.encryptedData) safeContents = decryptData(children(value, 'encryptedData')[0], passphrase);
    else throw malformed(`contenu de type ${kind} non pris en charge`);
    for (const bag of children(parse(safeContents, 'SafeContents'), 'SafeContents')) readBag(bag, passphrase, keys, certs);
  }
  if (keys.length !== 1) throw malformed(keys.length === 0 ? 'aucune clé privée' : 'plusieurs clés privées');
  const privateKey = keys[0]!;
  const spki = Buffer.from(spkiDer(privateKey));
  const own = certs.find((c) => sameBytes(readCertificate(c).spki, spki));
  if (!own) throw malformed('aucun certificat ne correspond à la clé privée');
  return {
    privateKey,
    certificate: own,
    chain: orderChain(
      own,
      certs.filter((c) => c !== own),
    ),
  };
}

function parse(bytes: string, what: string): Asn1 {
  try {
    return fromDer(bytes, DER_OPTIONS);
  } catch (cause) {
    throw malformed(`${what} invalide`, cause);
  }
}

/** An OCTET STRING's content, constructed (BER) or not. */
function octetContent(node: Asn1 | undefined): string {
  if (!node) throw malformed('chaîne d’octets absente');
  if (typeof node.value === 'string') return node.value;
  return (node.value as Asn1[]).map((part) => octetContent(part)).join('');
}

function verifyMac(macData: Asn1, authSafe: string, passphrase: string): void {
  const [digestInfo, salt, iterations] = children(macData, 'MacData');
  const [algorithm, digest] = children(digestInfo, 'DigestInfo');
  const hashOid = asn1.derToOid(primitive(children(algorithm, 'AlgorithmIdentifier')[0], 'algorithme'));
  const hash = MAC_HASHES[hashOid];
  if (!hash) throw malformed(`algorithme de MAC ${hashOid} non pris en charge`);
  const count = iterations ? asn1.derToInteger(primitive(iterations, 'itérations')) : 1;
  if (!(count >= 1 && count <= 10_000_000)) throw malformed('nombre d’itérations du MAC hors limites');
  const md = hash.forge();
  const key = forge.pkcs12.generateKey(passphrase, forge.util.createBuffer(primitive(salt, 'sel')), 3, count, md.digestLength, md);
  const expected = crypto.createHmac(hash.node, Buffer.from(key.getBytes(), 'binary')).update(Buffer.from(authSafe, 'binary')).digest();
  const given = Buffer.from(primitive(digest, 'MAC'), 'binary');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    throw new PkiError('WRONG_PASSPHRASE', 'Phrase secret du fichier PKCS#12 incorrecte (ou fichier altéré).');
  }
}

/** PBES2 (PBKDF2) wants the passphrase's UTF-8 bytes; the legacy PKCS#12 PBEs convert it themselves. */
function pbePassword(algorithmOid: string, passphrase: string): string {
  return algorithmOid === forge.pki.oids['pkcs5PBES2'] ? forge.util.encodeUtf8(passphrase) : passphrase;
}

function decryptData(encryptedData: Asn1 | undefined, passphrase: string): string {
  const [, encryptedContentInfo] = children(encryptedData, 'EncryptedData');
  const [, algorithm, encrypted] = children(encryptedContentInfo, 'EncryptedContentInfo');
  const native = decryptPbes2(algorithm!, octetContent(encrypted), passphrase);
  if (native) return native.toString('binary');
  const [algOid, params] = children(algorithm, 'AlgorithmIdentifier');
  const algorithmOid = asn1.derToOid(primitive(algOid, 'algorithme'));
  let cipher: forge.cipher.BlockCipher;
  try {
    cipher = pbe.getCipher(algorithmOid, params!, pbePassword(algorithmOid, passphrase));
  } catch (cause) {
    throw malformed(`chiffrement ${algorithmOid} non pris en charge`, cause);
  }
  cipher.update(forge.util.createBuffer(octetContent(encrypted)));
  if (!cipher.finish()) throw new PkiError('WRONG_PASSPHRASE', 'Phrase secret du fichier PKCS#12 incorrecte (ou fichier altéré).');
  return cipher.output.getBytes();
}

function readBag(bag: Asn1, passphrase: string, keys: crypto.KeyObject[], certs: Uint8Array[]): void {
  const [bagId, bagValue] = children(bag, 'SafeBag');
  const kind = asn1.derToOid(primitive(bagId, 'type de sac'));
  const value = children(bagValue, 'valeur de sac')[0]!;
  if (kind === OID.certBag) {
    const [certType, certValue] = children(value, 'CertBag');
    if (asn1.derToOid(primitive(certType, 'type de certificat')) !== OID.x509Certificate) return;
    certs.push(fromBin(octetContent(children(certValue, 'certificat')[0])));
  } else if (kind === OID.shroudedKeyBag || kind === OID.keyBag) {
    let info: Asn1 | null = value;
    if (kind === OID.shroudedKeyBag) {
      const [algorithm, encrypted] = children(value, 'EncryptedPrivateKeyInfo');
      const native = decryptPbes2(algorithm!, primitive(encrypted, 'clé chiffrée'), passphrase);
      if (native) {
        keys.push(privateKeyFromDer(native));
        return;
      }
      const algOid = asn1.derToOid(primitive(children(children(value, 'EncryptedPrivateKeyInfo')[0], 'algorithme')[0], 'algorithme'));
      try {
        info = forge.pki.decryptPrivateKeyInfo(value, pbePassword(algOid, passphrase));
      } catch (cause) {
        throw malformed('clé privée chiffrée illisible', cause);
      }
      if (!info) throw new PkiError('WRONG_PASSPHRASE', 'Phrase secret du fichier PKCS#12 incorrecte (ou fichier altéré).');
    }
    keys.push(privateKeyFromDer(Buffer.from(der(info), 'binary')));
  }
}

function privateKeyFromDer(pkcs8: Buffer): crypto.KeyObject {
  try {
    return crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw malformed('clé privée illisible', cause);
  } finally {
    pkcs8.fill(0);
  }
}

function orderChain(leaf: Uint8Array, others: Uint8Array[]): Uint8Array[] {
  const parsed = others.map((der) => ({ der, cert: readCertificate(der) }));
  const ordered: Uint8Array[] = [];
  let issuer = readCertificate(leaf).issuerKey;
  for (;;) {
    const next = parsed.find((p) => p.cert.subjectKey === issuer && !ordered.includes(p.der));
    if (!next || next.der === leaf) break;
    ordered.push(next.der);
    if (next.cert.selfIssued) break;
    issuer = next.cert.issuerKey;
  }
  return [...ordered, ...others.filter((d) => !ordered.includes(d))];
}

/** A Signer over the key of a PKCS#12 file. */
export function pkcs12Signer(p12: Uint8Array, passphrase: string, options: SoftwareSignerOptions = {}): Signer {
  const contents = readPkcs12(p12, passphrase);
  return softwareSigner(contents.privateKey, contents.certificate, contents.chain, options);
}
