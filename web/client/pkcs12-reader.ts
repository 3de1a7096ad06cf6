/**
 * A PKCS#12 (.p12, .pfx) reader for the browser, loaded on demand by the
 * signing page only. The file is opened here with its passphrase and never
 * leaves the computer. node-forge reads the ASN.1 and decrypts the legacy
 * ciphers (3DES, RC2); WebCrypto does the modern ones (PBKDF2 + AES: a file
 * with 100,000 iterations opens in a few hundredths of a second instead of
 * seconds in JavaScript) and the MAC. forge's own PKCS#12 reader is not used:
 * it re-encodes RSA certificates (the bytes signed must be the certificate's
 * own), derives PBKDF2 in JavaScript, and would triple the download.
 */
import forge from 'node-forge/lib/forge.js';
import 'node-forge/lib/asn1.js';
import 'node-forge/lib/des.js';
import 'node-forge/lib/rc2.js';
import 'node-forge/lib/sha1.js';
import 'node-forge/lib/sha256.js';
import 'node-forge/lib/sha512.js';

type Asn1 = forge.asn1.Asn1;

export type Pkcs12ErrorCode = 'WRONG_PASSPHRASE' | 'MALFORMED' | 'UNSUPPORTED' | 'NO_KEY';

/** Refusals in plain French, with a code the page branches on. */
export class Pkcs12Error extends Error {
  constructor(
    readonly code: Pkcs12ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'Pkcs12Error';
  }
}

export interface Pkcs12Contents {
  /** The private key as PKCS#8 DER (to import into WebCrypto, then wipe). */
  pkcs8: Uint8Array<ArrayBuffer>;
  /** 'RSA', or the curve of an EC key ('P-256', 'P-384', 'P-521'). */
  keyType: 'RSA' | 'P-256' | 'P-384' | 'P-521';
  /** Every certificate of the file, as their own DER bytes. */
  certificates: Uint8Array[];
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  rsa: '1.2.840.113549.1.1.1',
  ec: '1.2.840.10045.2.1',
} as const;

const HASHES: Record<string, { webcrypto: string; forge: () => forge.md.MessageDigest; block: number }> = {
  '1.3.14.3.2.26': { webcrypto: 'SHA-1', forge: () => forge.md.sha1.create(), block: 64 },
  '2.16.840.1.101.3.4.2.1': { webcrypto: 'SHA-256', forge: () => forge.md.sha256.create(), block: 64 },
  '2.16.840.1.101.3.4.2.2': { webcrypto: 'SHA-384', forge: () => forge.md.sha384.create(), block: 128 },
  '2.16.840.1.101.3.4.2.3': { webcrypto: 'SHA-512', forge: () => forge.md.sha512.create(), block: 128 },
};
/** PBKDF2's PRF (hmacWith…) by OID. */
const PRF: Record<string, string> = {
  '1.2.840.113549.2.7': 'SHA-1',
  '1.2.840.113549.2.9': 'SHA-256',
  '1.2.840.113549.2.10': 'SHA-384',
  '1.2.840.113549.2.11': 'SHA-512',
};
const AES_CBC: Record<string, number> = {
  '2.16.840.1.101.3.4.1.2': 128,
  '2.16.840.1.101.3.4.1.22': 192,
  '2.16.840.1.101.3.4.1.42': 256,
};
/** PKCS#12's own password-based ciphers (RFC 7292, appendix C), keyed with SHA-1. */
const LEGACY_PBE: Record<string, { cipher: '3DES' | 'RC2'; keyLength: number; effectiveBits?: number }> = {
  '1.2.840.113549.1.12.1.3': { cipher: '3DES', keyLength: 24 },
  '1.2.840.113549.1.12.1.4': { cipher: '3DES', keyLength: 16 },
  '1.2.840.113549.1.12.1.5': { cipher: 'RC2', keyLength: 16, effectiveBits: 128 },
  '1.2.840.113549.1.12.1.6': { cipher: 'RC2', keyLength: 5, effectiveBits: 40 },
};
const CURVES: Record<string, Pkcs12Contents['keyType']> = {
  '1.2.840.10045.3.1.7': 'P-256',
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521',
};
const MAX_ITERATIONS = 10_000_000;

const toBinary = (bytes: Uint8Array): string => {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
};
const fromBinary = (text: string): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
};

const malformed = (detail: string) => new Pkcs12Error('MALFORMED', `Ce fichier n’est pas un certificat lisible (.p12 ou .pfx) : ${detail}.`);
const wrongPassphrase = () => new Pkcs12Error('WRONG_PASSPHRASE', 'Mot de passe incorrect : vérifiez-le et réessayez (majuscules, accents, espaces).');
const unsupported = (what: string) =>
  new Pkcs12Error('UNSUPPORTED', `Ce fichier utilise ${what}, que ce navigateur ne sait pas ouvrir : demandez un nouveau fichier à votre autorité de certification.`);

function parse(bytes: string, what: string): Asn1 {
  try {
    return forge.asn1.fromDer(bytes, { strict: true, parseAllBytes: true, decodeBitStrings: false } as never);
  } catch {
    throw malformed(`${what} illisible`);
  }
}

function children(node: Asn1 | undefined, what: string): Asn1[] {
  if (!node || !Array.isArray(node.value)) throw malformed(`structure ${what} inattendue`);
  return node.value as Asn1[];
}

function primitive(node: Asn1 | undefined, what: string): string {
  if (!node || typeof node.value !== 'string') throw malformed(`valeur ${what} inattendue`);
  return node.value;
}

/** An OCTET STRING's content, constructed (BER, as some tools write) or not. */
function octets(node: Asn1 | undefined, what: string): string {
  if (!node) throw malformed(`${what} absent`);
  if (typeof node.value === 'string') return node.value;
  return (node.value as Asn1[]).map((part) => octets(part, what)).join('');
}

const oidOf = (node: Asn1 | undefined, what: string): string => forge.asn1.derToOid(primitive(node, what));

function iterationsOf(node: Asn1 | undefined): number {
  const n = node ? forge.asn1.derToInteger(primitive(node, 'itérations')) : 1;
  if (!(n >= 1 && n <= MAX_ITERATIONS)) throw malformed('nombre d’itérations hors limites');
  return n;
}

/** The passphrase as PKCS#12's KDF takes it: UTF-16 big-endian with two zero bytes at the end. */
function bmpPassword(passphrase: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(passphrase.length * 2 + 2);
  for (let i = 0; i < passphrase.length; i++) {
    out[2 * i] = passphrase.charCodeAt(i) >> 8;
    out[2 * i + 1] = passphrase.charCodeAt(i) & 0xff;
  }
  return out;
}

/** RFC 7292 appendix B.2: `id` 1 for a key, 2 for an IV, 3 for the MAC key. */
export function pkcs12Kdf(hashOid: string, password: Uint8Array, salt: Uint8Array, id: 1 | 2 | 3, iterations: number, length: number): Uint8Array<ArrayBuffer> {
  const hash = HASHES[hashOid];
  if (!hash) throw unsupported(`l’empreinte ${hashOid}`);
  const v = hash.block;
  const fill = (source: Uint8Array): Uint8Array => {
    if (source.length === 0) return new Uint8Array(0);
    const out = new Uint8Array(v * Math.ceil(source.length / v));
    for (let i = 0; i < out.length; i++) out[i] = source[i % source.length]!;
    return out;
  };
  const D = new Uint8Array(v).fill(id);
  const I = new Uint8Array([...fill(salt), ...fill(password)]);
  const result: number[] = [];
  while (result.length < length) {
    let md = hash.forge();
    md.update(toBinary(D) + toBinary(I));
    let A = md.digest().getBytes();
    for (let r = 1; r < iterations; r++) {
      md = hash.forge();
      md.update(A);
      A = md.digest().getBytes();
    }
    const a = fromBinary(A);
    result.push(...a);
    // I_j = (I_j + B + 1) mod 2^(8v), B being A repeated to v bytes.
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + a[k % a.length]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return new Uint8Array(result.slice(0, length));
}

async function verifyMac(macData: Asn1, authSafe: string, passphrase: string): Promise<void> {
  const [digestInfo, salt, iterations] = children(macData, 'MacData');
  const [algorithm, digest] = children(digestInfo, 'DigestInfo');
  const hashOid = oidOf(children(algorithm, 'AlgorithmIdentifier')[0], 'algorithme du MAC');
  const hash = HASHES[hashOid];
  if (!hash) throw unsupported(`un contrôle d’intégrité (${hashOid})`);
  const expected = fromBinary(primitive(digest, 'MAC'));
  const keyBytes = pkcs12Kdf(hashOid, bmpPassword(passphrase), fromBinary(primitive(salt, 'sel')), 3, iterationsOf(iterations), expected.length);
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: hash.webcrypto }, false, ['verify']);
  if (!(await crypto.subtle.verify('HMAC', key, expected, fromBinary(authSafe)))) throw wrongPassphrase();
}

/** Decrypts an EncryptedPrivateKeyInfo or EncryptedContentInfo's content, PBES2 natively, the legacy ciphers with forge. */
async function decrypt(algorithm: Asn1, encrypted: string, passphrase: string): Promise<string> {
  const [algOid, params] = children(algorithm, 'AlgorithmIdentifier');
  const oid = oidOf(algOid, 'algorithme de chiffrement');
  if (oid === OID.pbes2) {
    const [kdf, scheme] = children(params, 'PBES2-params');
    const [kdfOid, kdfParams] = children(kdf, 'keyDerivationFunc');
    if (oidOf(kdfOid, 'dérivation') !== OID.pbkdf2) throw unsupported('une dérivation de clé autre que PBKDF2');
    const [salt, count, ...rest] = children(kdfParams, 'PBKDF2-params');
    const prfNode = rest.find((n) => Array.isArray(n.value));
    const prf = prfNode ? PRF[oidOf(children(prfNode, 'prf')[0], 'prf')] : 'SHA-1';
    const [schemeOid, iv] = children(scheme, 'encryptionScheme');
    const bits = AES_CBC[oidOf(schemeOid, 'chiffrement')];
    if (!prf || !bits) throw unsupported('un chiffrement autre que AES');
    const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveKey']);
    const key = await crypto.subtle.deriveKey(
      { name: 'PBKDF2', hash: prf, salt: fromBinary(primitive(salt, 'sel')), iterations: iterationsOf(count) },
      base,
      { name: 'AES-CBC', length: bits },
      false,
      ['decrypt'],
    );
    try {
      return toBinary(new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-CBC', iv: fromBinary(primitive(iv, 'IV')) }, key, fromBinary(encrypted))));
    } catch {
      throw wrongPassphrase();
    }
  }
  const legacy = LEGACY_PBE[oid];
  if (!legacy) throw unsupported(`le chiffrement ${oid}`);
  const [salt, count] = children(params, 'pbeParams');
  const saltBytes = fromBinary(primitive(salt, 'sel'));
  const n = iterationsOf(count);
  const password = bmpPassword(passphrase);
  const sha1 = '1.3.14.3.2.26';
  let key = pkcs12Kdf(sha1, password, saltBytes, 1, n, legacy.keyLength);
  const iv = forge.util.createBuffer(toBinary(pkcs12Kdf(sha1, password, saltBytes, 2, n, 8)));
  if (legacy.cipher === '3DES' && key.length === 16) key = new Uint8Array([...key, ...key.subarray(0, 8)]);
  let cipher: { update(data: forge.util.ByteBuffer): void; finish(): boolean; output: forge.util.ByteBuffer };
  if (legacy.cipher === '3DES') {
    const des = forge.cipher.createDecipher('3DES-CBC', forge.util.createBuffer(toBinary(key)));
    des.start({ iv });
    cipher = des;
  } else {
    const rc2 = forge.rc2.createDecryptionCipher(forge.util.createBuffer(toBinary(key)), legacy.effectiveBits!);
    rc2.start(iv, null as never);
    cipher = rc2 as never;
  }
  cipher.update(forge.util.createBuffer(encrypted));
  if (!cipher.finish()) throw wrongPassphrase();
  return cipher.output.getBytes();
}

function keyTypeOf(pkcs8: string): Pkcs12Contents['keyType'] {
  const [, algorithm] = children(parse(pkcs8, 'clé privée'), 'PrivateKeyInfo');
  const [algOid, params] = children(algorithm, 'AlgorithmIdentifier');
  const oid = oidOf(algOid, 'type de clé');
  if (oid === OID.rsa) return 'RSA';
  if (oid === OID.ec) {
    const curve = CURVES[oidOf(params, 'courbe')];
    if (curve) return curve;
  }
  throw unsupported(`une clé de type ${oid}`);
}

/** Reads a PKCS#12 file: checks its integrity with the passphrase, decrypts the key, collects the certificates. */
export async function readPkcs12(bytes: Uint8Array, passphrase: string): Promise<Pkcs12Contents> {
  const [version, authSafeInfo, macData] = children(parse(toBinary(bytes), 'fichier'), 'PFX');
  if (forge.asn1.derToInteger(primitive(version, 'version')) !== 3) throw malformed('version différente de 3');
  const [contentType, content] = children(authSafeInfo, 'authSafe');
  if (oidOf(contentType, 'type') !== OID.data) throw unsupported('une signature à clé publique de son contenu');
  const authSafe = octets(children(content, 'authSafe')[0], 'contenu');
  if (macData) await verifyMac(macData, authSafe, passphrase);

  const keys: string[] = [];
  const certificates: Uint8Array[] = [];
  for (const info of children(parse(authSafe, 'contenu'), 'AuthenticatedSafe')) {
    const [type, value] = children(info, 'ContentInfo');
    const kind = oidOf(type, 'type de contenu');
    let safeContents: string;
    if (kind === OID.data) safeContents = octets(children(value, 'data')[0], 'données');
    else if (kind === OID.encryptedData) {
      const [, encryptedContentInfo] = children(children(value, 'encryptedData')[0], 'EncryptedData');
      const [, algorithm, encrypted] = children(encryptedContentInfo, 'EncryptedContentInfo');
      safeContents = await decrypt(algorithm!, octets(encrypted, 'contenu chiffré'), passphrase);
    } else throw unsupported(`un contenu de type ${kind}`);
    for (const bag of children(parse(safeContents, 'sacs'), 'SafeContents')) {
      const [bagId, bagValue] = children(bag, 'SafeBag');
      const bagKind = oidOf(bagId, 'type de sac');
      const inner = children(bagValue, 'valeur de sac')[0];
      if (bagKind === OID.certBag) {
        const [certType, certValue] = children(inner, 'CertBag');
        if (oidOf(certType, 'type de certificat') === OID.x509Certificate) certificates.push(fromBinary(octets(children(certValue, 'certificat')[0], 'certificat')));
      } else if (bagKind === OID.keyBag) {
        keys.push(forge.asn1.toDer(inner!).getBytes());
      } else if (bagKind === OID.shroudedKeyBag) {
        const [algorithm, encrypted] = children(inner, 'EncryptedPrivateKeyInfo');
        keys.push(await decrypt(algorithm!, primitive(encrypted, 'clé chiffrée'), passphrase));
      }
    }
  }
  if (keys.length !== 1) {
    throw new Pkcs12Error(
      'NO_KEY',
      keys.length === 0
        ? 'Ce fichier ne contient pas de clé de signature : c’est peut-être un certificat seul (.cer). Choisissez le fichier .p12 ou .pfx.'
        : 'Ce fichier contient plusieurs clés : choisissez un fichier qui n’en contient qu’une.',
    );
  }
  const keyType = keyTypeOf(keys[0]!);
  return { pkcs8: fromBinary(keys[0]!), keyType, certificates };
}

export interface CertificateSummary {
  /** The holder's common name (CN), or the whole subject when there is none. */
  name: string;
  notAfter: Date;
  /** SubjectPublicKeyInfo DER, to check which certificate belongs to the key. */
  spki: Uint8Array<ArrayBuffer>;
}

/** What the page shows of a certificate, read from its DER. */
export function summariseCertificate(der: Uint8Array): CertificateSummary {
  const [tbs] = children(parse(toBinary(der), 'certificat'), 'Certificate');
  const fields = children(tbs, 'TBSCertificate');
  const offset = fields[0]?.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const validity = children(fields[offset + 3], 'validité');
  const subject = children(fields[offset + 4], 'sujet');
  const spki = fields[offset + 5]!;
  let name = '';
  for (const rdn of subject) {
    for (const attribute of children(rdn, 'RDN')) {
      const [type, value] = children(attribute, 'attribut');
      if (oidOf(type, 'attribut') === '2.5.4.3') name = forge.util.decodeUtf8(primitive(value, 'nom'));
    }
  }
  const end = validity[1]!;
  const text = primitive(end, 'date de fin');
  const notAfter = end.type === forge.asn1.Type.UTCTIME ? forge.asn1.utcTimeToDate(text) : forge.asn1.generalizedTimeToDate(text);
  return { name: name || 'certificat sans nom', notAfter, spki: fromBinary(forge.asn1.toDer(spki).getBytes()) };
}
