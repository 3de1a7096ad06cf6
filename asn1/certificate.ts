/**
 * The one parsed-certificate type. Chain validation, the CMS verifier and signer,
 * the TSA, CRL and OCSP writers and the PKI's own bookkeeping all read certificates
 * through parseCertificate and take what they need from the result.
 */
import type { KeyObject } from 'node:crypto';
import { hash, readAlgorithm, type AlgorithmIdentifier } from './algorithms.ts';
import { Asn1Error, malformed, reading } from './errors.ts';
import { contentKey, Memo } from './memo.ts';
import { parseName, type ParsedName } from './names.ts';
import { OID } from './oids.ts';
import { importSpki } from './public-keys.ts';
import { parse, type Node } from './reader.ts';

export interface RawExtension {
  oid: string;
  critical: boolean;
  /** The extnValue OCTET STRING's content: the extension's own DER. */
  value: Uint8Array;
}

export interface ParsedCertificate {
  der: Uint8Array;
  /** The exact TBSCertificate bytes the issuer signed. */
  tbs: Uint8Array;
  version: number;
  /** Lower-case hex of the serial's content octets, leading zero octets removed. */
  serialNumber: string;
  /** The serial's content octets exactly as encoded (CMS and ESS copy them). */
  serialBytes: Uint8Array;
  /** RFC 4514 text (last RDN first). */
  subject: string;
  issuer: string;
  subjectName: ParsedName;
  subjectDer: Uint8Array;
  issuerDer: Uint8Array;
  /** Comparison key: RFC 5280 §7.1 style (case and spaces folded). */
  subjectKey: string;
  issuerKey: string;
  notBefore: Date;
  notAfter: Date;
  /** DER SubjectPublicKeyInfo. */
  spki: Uint8Array;
  /** The subjectPublicKey BIT STRING content without its unused-bits octet (OCSP key hash input). */
  publicKeyBits: Uint8Array;
  signatureAlgorithm: AlgorithmIdentifier;
  /** DER of the outer and inner AlgorithmIdentifiers: RFC 5280 wants them equal. */
  signatureAlgorithmDer: Uint8Array;
  tbsSignatureAlgorithmDer: Uint8Array;
  signature: Uint8Array;
  basicConstraints?: { ca: boolean; pathLen?: number; critical: boolean };
  keyUsage?: { usages: string[]; critical: boolean };
  extKeyUsage?: { oids: string[]; critical: boolean };
  policies: string[];
  /** Lower-case hex. */
  subjectKeyId?: string;
  authorityKeyId?: string;
  crlUrls: string[];
  ocspUrls: string[];
  caIssuersUrls: string[];
  ocspNoCheck: boolean;
  extensions: RawExtension[];
  selfIssued: boolean;
}

export function toHex(bytes: Uint8Array | ArrayBuffer): string {
  return Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('hex');
}

/** Serial numbers compare as integers: drop the sign-padding zero octets. */
export function normalizeSerial(bytes: Uint8Array | ArrayBuffer): string {
  const hex = toHex(bytes).replace(/^(00)+/, '');
  return hex === '' ? '00' : hex;
}

export function nameToString(der: Uint8Array): string {
  try {
    return parseName(der).text;
  } catch {
    return `<nom illisible ${toHex(der).slice(0, 32)}…>`;
  }
}

export function nameKey(der: Uint8Array): string {
  return parseName(der).key;
}

/** Parsed certificates are shared between callers: read-only for all. */
const parsed = new Memo<ParsedCertificate>(2000);
const byArray = new WeakMap<Uint8Array, ParsedCertificate>();

/**
 * Parses a DER certificate. The result is shared (the same bytes are parsed once per
 * process): never modify it. Throws an Asn1Error MALFORMED « certificat illisible : … ».
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  let cert = byArray.get(der);
  if (!cert) {
    cert = parsed.get(contentKey(der), () => reading('certificat illisible', () => parseCopy(new Uint8Array(der))));
    byArray.set(der, cert);
  }
  return cert;
}

/** parseCertificate for lists where one bad entry must not stop the rest. */
export function tryParseCertificate(der: Uint8Array): ParsedCertificate | Asn1Error {
  try {
    return parseCertificate(der);
  } catch (error) {
    if (error instanceof Asn1Error) return error;
    throw error;
  }
}

/** The certificate's public key, imported once per process. */
export function publicKeyOf(cert: ParsedCertificate): KeyObject {
  return importSpki(cert.spki);
}

function parseCopy(der: Uint8Array): ParsedCertificate {
  const outer = parse(der);
  const [tbsNode, sigAlgNode, sigNode, extra] = outer.items('Certificate');
  if (!tbsNode || !sigAlgNode || !sigNode || extra) throw malformed('structure Certificate incomplète');
  const tbsParts = tbsNode.items('TBSCertificate');
  const offset = tbsParts[0]?.tag === 0xa0 ? 1 : 0;
  const [serialNode, tbsAlg, issuerNode, validityNode, subjectNode, spkiNode] = tbsParts.slice(offset);
  if (!serialNode || !tbsAlg || !issuerNode || !validityNode || !subjectNode || !spkiNode) throw malformed('TBSCertificate incomplet');
  const [keyAlgorithm, keyBits] = spkiNode.items('clé publique');
  if (!keyAlgorithm || !keyBits) throw malformed('clé publique absente');
  serialNode.expect(0x02, 'numéro de série');
  const [notBefore, notAfter] = validityNode.items('validité');
  if (!notBefore || !notAfter) throw malformed('validité incomplète');
  const version = offset === 1 ? tbsParts[0]!.child(0, 'version').smallInteger('version') + 1 : 1;
  const extensionsNode = tbsParts.slice(offset + 6).find((t) => t.tag === 0xa3);

  const extensions = extensionsNode ? readExtensions(extensionsNode.child(0, 'extensions')) : [];
  const seen = new Set<string>();
  for (const e of extensions) {
    if (seen.has(e.oid)) throw malformed(`extension ${e.oid} présente deux fois`);
    seen.add(e.oid);
  }
  const ext = (oid: string) => extensions.find((e) => e.oid === oid);

  const subjectName = parseName(subjectNode.raw);
  const issuerName = parseName(issuerNode.raw);
  const cert: ParsedCertificate = {
    der,
    tbs: tbsNode.raw,
    version,
    serialNumber: normalizeSerial(serialNode.content),
    serialBytes: serialNode.content,
    subject: subjectName.text,
    issuer: issuerName.text,
    subjectName,
    subjectDer: subjectNode.raw,
    issuerDer: issuerNode.raw,
    subjectKey: subjectName.key,
    issuerKey: issuerName.key,
    notBefore: notBefore.time('notBefore'),
    notAfter: notAfter.time('notAfter'),
    spki: spkiNode.raw,
    publicKeyBits: keyBits.bits('clé publique'),
    signatureAlgorithm: readAlgorithm(sigAlgNode, 'algorithme de signature'),
    signatureAlgorithmDer: sigAlgNode.raw,
    tbsSignatureAlgorithmDer: tbsAlg.raw,
    signature: sigNode.bits('signature'),
    policies: [],
    crlUrls: [],
    ocspUrls: [],
    caIssuersUrls: [],
    ocspNoCheck: ext(OID.ocspNoCheck) !== undefined,
    extensions,
    selfIssued: subjectName.key === issuerName.key,
  };

  const bc = ext(OID.basicConstraints);
  if (bc) cert.basicConstraints = { ...basicConstraints(bc.value), critical: bc.critical };
  const ku = ext(OID.keyUsage);
  if (ku) cert.keyUsage = { usages: keyUsages(ku.value), critical: ku.critical };
  const eku = ext(OID.extKeyUsage);
  if (eku)
    cert.extKeyUsage = {
      oids: parse(eku.value)
        .items('extKeyUsage')
        .map((o) => o.oid('extKeyUsage')),
      critical: eku.critical,
    };
  const cp = ext(OID.certificatePolicies);
  if (cp)
    cert.policies = parse(cp.value)
      .items('certificatePolicies')
      .map((p) => p.child(0, 'politique').oid('politique'));
  const ski = ext(OID.subjectKeyIdentifier);
  if (ski) cert.subjectKeyId = toHex(parse(ski.value).expect(0x04, 'subjectKeyIdentifier').content);
  const aki = ext(OID.authorityKeyIdentifier);
  if (aki) {
    const keyId = parse(aki.value)
      .items('authorityKeyIdentifier')
      .find((t) => t.tag === 0x80);
    if (keyId) cert.authorityKeyId = toHex(keyId.content);
  }
  const cdp = ext(OID.crlDistributionPoints);
  if (cdp) cert.crlUrls = distributionPointUrls(parse(cdp.value));
  const aia = ext(OID.authorityInfoAccess);
  if (aia) {
    for (const item of parse(aia.value).items('authorityInfoAccess')) {
      const location = item.items('AccessDescription')[1];
      const oid = item.child(0, 'accessMethod').oid('accessMethod');
      if (location?.tag !== 0x86) continue;
      const url = Buffer.from(location.content).toString('latin1');
      if (oid === OID.ocsp) cert.ocspUrls.push(url);
      if (oid === OID.caIssuers) cert.caIssuersUrls.push(url);
    }
  }
  return cert;
}

/** Extensions ::= SEQUENCE OF Extension { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
export function readExtensions(list: Node): RawExtension[] {
  return list.items('extensions').map((ext) => {
    const parts = ext.items('extension');
    const oid = ext.child(0, 'identifiant d’extension').oid('identifiant d’extension');
    const critical = parts.length === 3 ? parts[1]!.boolean('critical') : false;
    const value = ext.child(parts.length - 1, `valeur de l’extension ${oid}`).expect(0x04, `valeur de l’extension ${oid}`);
    return { oid, critical, value: value.content };
  });
}

function basicConstraints(value: Uint8Array): { ca: boolean; pathLen?: number } {
  let ca = false;
  let pathLen: number | undefined;
  for (const field of parse(value).items('basicConstraints')) {
    if (field.tag === 0x01) ca = field.boolean('cA');
    else if (field.tag === 0x02) pathLen = field.smallInteger('pathLenConstraint');
  }
  if (pathLen !== undefined && pathLen < 0) throw malformed(`pathLenConstraint invalide (${pathLen})`);
  return pathLen === undefined ? { ca } : { ca, pathLen };
}

const KEY_USAGES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'crlSign', 'encipherOnly', 'decipherOnly'];

function keyUsages(value: Uint8Array): string[] {
  const bits = parse(value).expect(0x03, 'keyUsage').content;
  return KEY_USAGES.filter((_, i) => ((bits[1 + (i >> 3)] ?? 0) & (0x80 >> (i & 7))) !== 0);
}

/** URIs of the fullName of each DistributionPoint ([0] distributionPoint → [0] fullName → [6] URI). */
function distributionPointUrls(list: Node): string[] {
  const urls: string[] = [];
  for (const point of list.items('cRLDistributionPoints')) {
    const name = point.items('DistributionPoint').find((t) => t.tag === 0xa0);
    const fullName = name?.children.find((t) => t.tag === 0xa0);
    for (const general of fullName?.children ?? []) {
      if (general.tag === 0x86) urls.push(Buffer.from(general.content).toString('latin1'));
    }
  }
  return urls;
}

/** Subject key identifier from the extension, else the SHA-1 of the public key (RFC 5280 §4.2.1.2 method 1): what AKI and OCSP byKey carry. */
export function keyIdentifierOf(cert: ParsedCertificate): Uint8Array {
  return cert.subjectKeyId ? Buffer.from(cert.subjectKeyId, 'hex') : hash('SHA-1', cert.publicKeyBits);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}
