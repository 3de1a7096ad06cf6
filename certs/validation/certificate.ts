import { children, content, DerFormatError, expect, parseExtensions, readInteger, readOid, readTime, readWhole, slice, type RawExtension } from './der.ts';
import { parseName } from './names.ts';
import { contentKey, Memo } from './memo.ts';
import type { AlgorithmRef } from './crypto.ts';

/** Parsed certificates are shared between calls: treat them as read-only. */
const parsed = new Memo<ParsedCertificate>(2000);

export class CertificateFormatError extends Error {
  override name = 'CertificateFormatError';
}

export type { RawExtension } from './der.ts';

export interface ParsedCertificate {
  der: Uint8Array;
  /** The exact TBSCertificate bytes the issuer signed. */
  tbs: Uint8Array;
  version: number;
  /** Lower-case hex of the serial's content octets, leading zero octets removed. */
  serialNumber: string;
  subject: string;
  issuer: string;
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
  signatureAlgorithm: AlgorithmRef;
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

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  certificatePolicies: '2.5.29.32',
  anyPolicy: '2.5.29.32.0',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  crlDistributionPoints: '2.5.29.31',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
  ocsp: '1.3.6.1.5.5.7.48.1',
  caIssuers: '1.3.6.1.5.5.7.48.2',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

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

/**
 * Parses a DER certificate into what path validation needs. Throws
 * CertificateFormatError with a French message on anything malformed.
 */
export function parseCertificate(input: Uint8Array): ParsedCertificate {
  try {
    return parse(new Uint8Array(input));
  } catch (error) {
    if (error instanceof CertificateFormatError) throw error;
    throw new CertificateFormatError(`certificat illisible : ${(error as Error).message}`);
  }
}

function parse(der: Uint8Array): ParsedCertificate {
  const outer = readWhole(der, 'certificat');
  if (outer.tag !== 0x30) throw new DerFormatError(`SEQUENCE attendue, étiquette 0x${outer.tag.toString(16)} trouvée`);
  const [tbsTlv, sigAlgTlv, sigTlv] = children(der, outer);
  if (!tbsTlv || !sigAlgTlv || !sigTlv || sigTlv.tag !== 0x03) throw new DerFormatError('structure Certificate incomplète');
  const tbsParts = children(der, tbsTlv);
  const offset = tbsParts[0]?.tag === 0xa0 ? 1 : 0;
  const tbsAlg = tbsParts[offset + 1];
  const issuerTlv = tbsParts[offset + 2];
  const subjectTlv = tbsParts[offset + 4];
  const spkiTlv = tbsParts[offset + 5];
  if (!tbsAlg || !issuerTlv || !subjectTlv || !spkiTlv) throw new DerFormatError('TBSCertificate incomplet');
  const spkiParts = children(der, spkiTlv);
  const keyBits = spkiParts[1];
  if (!keyBits || keyBits.tag !== 0x03) throw new DerFormatError('clé publique absente');

  const serialTlv = expect(der, tbsParts[offset], 0x02, 'numéro de série');
  const validity = children(der, expect(der, tbsParts[offset + 3], 0x30, 'validité'));
  if (!validity[0] || !validity[1]) throw new DerFormatError('validité incomplète');
  let version = 1;
  if (offset === 1) version = Number(readInteger(der, expect(der, children(der, tbsParts[0]!)[0], 0x02, 'version'))) + 1;
  const extensionsTlv = tbsParts.slice(offset + 6).find((t) => t.tag === 0xa3);
  const algParts = children(der, sigAlgTlv);
  const algOid = readOid(der, expect(der, algParts[0], 0x06, 'algorithme de signature'));
  const paramsTlv = algParts[1];
  const signatureBits = content(der, sigTlv);
  if (signatureBits[0] !== 0) throw new DerFormatError('signature avec des bits inutilisés');

  const extensions: RawExtension[] = extensionsTlv ? parseExtensions(der, children(der, extensionsTlv)[0]) : [];
  const seen = new Set<string>();
  for (const e of extensions) {
    if (seen.has(e.oid)) throw new DerFormatError(`extension ${e.oid} présente deux fois`);
    seen.add(e.oid);
  }
  const ext = (oid: string) => extensions.find((e) => e.oid === oid);

  const subjectDer = slice(der, subjectTlv);
  const issuerDer = slice(der, issuerTlv);
  const subjectName = parseName(subjectDer);
  const issuerName = parseName(issuerDer);
  const parsed: ParsedCertificate = {
    der,
    tbs: slice(der, tbsTlv),
    version,
    serialNumber: normalizeSerial(content(der, serialTlv)),
    subject: subjectName.text,
    issuer: issuerName.text,
    subjectDer,
    issuerDer,
    subjectKey: subjectName.key,
    issuerKey: issuerName.key,
    notBefore: readTime(der, validity[0]),
    notAfter: readTime(der, validity[1]),
    spki: slice(der, spkiTlv),
    publicKeyBits: content(der, keyBits).subarray(1),
    signatureAlgorithm: {
      oid: algOid,
      ...(paramsTlv ? { params: slice(der, paramsTlv) } : {}),
    },
    signatureAlgorithmDer: slice(der, sigAlgTlv),
    tbsSignatureAlgorithmDer: slice(der, tbsAlg),
    signature: signatureBits.subarray(1),
    policies: [],
    crlUrls: [],
    ocspUrls: [],
    caIssuersUrls: [],
    ocspNoCheck: ext(OID.ocspNoCheck) !== undefined,
    extensions,
    selfIssued: false,
  };
  parsed.selfIssued = parsed.subjectKey === parsed.issuerKey;

  const bc = ext(OID.basicConstraints);
  if (bc) parsed.basicConstraints = { ...basicConstraints(bc.value), critical: bc.critical };
  const ku = ext(OID.keyUsage);
  if (ku) parsed.keyUsage = { usages: keyUsages(ku.value), critical: ku.critical };
  const eku = ext(OID.extKeyUsage);
  if (eku) parsed.extKeyUsage = { oids: oidList(eku.value, false), critical: eku.critical };
  const cp = ext(OID.certificatePolicies);
  if (cp) parsed.policies = oidList(cp.value, true);
  const ski = ext(OID.subjectKeyId);
  if (ski) parsed.subjectKeyId = toHex(content(ski.value, expect(ski.value, readWhole(ski.value, 'subjectKeyIdentifier'), 0x04, 'subjectKeyIdentifier')));
  const aki = ext(OID.authorityKeyId);
  if (aki) {
    const keyId = children(aki.value, expect(aki.value, readWhole(aki.value, 'authorityKeyIdentifier'), 0x30, 'authorityKeyIdentifier')).find((t) => t.tag === 0x80);
    if (keyId) parsed.authorityKeyId = toHex(content(aki.value, keyId));
  }
  const cdp = ext(OID.crlDistributionPoints);
  if (cdp) parsed.crlUrls = distributionPointUrls(cdp.value);
  const aia = ext(OID.authorityInfoAccess);
  if (aia) {
    const list = children(aia.value, expect(aia.value, readWhole(aia.value, 'authorityInfoAccess'), 0x30, 'authorityInfoAccess'));
    for (const item of list) {
      const [method, location] = children(aia.value, expect(aia.value, item, 0x30, 'AccessDescription'));
      const oid = readOid(aia.value, expect(aia.value, method, 0x06, 'accessMethod'));
      if (location?.tag !== 0x86) continue;
      const url = Buffer.from(content(aia.value, location)).toString('latin1');
      if (oid === OID.ocsp) parsed.ocspUrls.push(url);
      if (oid === OID.caIssuers) parsed.caIssuersUrls.push(url);
    }
  }
  return parsed;
}

function basicConstraints(value: Uint8Array): { ca: boolean; pathLen?: number } {
  const fields = children(value, expect(value, readWhole(value, 'basicConstraints'), 0x30, 'basicConstraints'));
  let ca = false;
  let pathLen: number | undefined;
  for (const field of fields) {
    if (field.tag === 0x01) ca = content(value, field)[0] !== 0;
    else if (field.tag === 0x02) pathLen = Number(readInteger(value, field));
  }
  if (pathLen !== undefined && (pathLen < 0 || !Number.isSafeInteger(pathLen))) throw new DerFormatError(`pathLenConstraint invalide (${pathLen})`);
  return pathLen === undefined ? { ca } : { ca, pathLen };
}

const KEY_USAGES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'crlSign', 'encipherOnly', 'decipherOnly'];

function keyUsages(value: Uint8Array): string[] {
  const bits = content(value, expect(value, readWhole(value, 'keyUsage'), 0x03, 'keyUsage'));
  return KEY_USAGES.filter((_, i) => ((bits[1 + (i >> 3)] ?? 0) & (0x80 >> (i & 7))) !== 0);
}

/** URIs of the fullName of each DistributionPoint ([0] distributionPoint → [0] fullName → [6] URI). */
function distributionPointUrls(value: Uint8Array): string[] {
  const urls: string[] = [];
  for (const point of children(value, expect(value, readWhole(value, 'cRLDistributionPoints'), 0x30, 'cRLDistributionPoints'))) {
    const name = children(value, expect(value, point, 0x30, 'DistributionPoint')).find((t) => t.tag === 0xa0);
    const fullName = name && children(value, name).find((t) => t.tag === 0xa0);
    for (const general of fullName ? children(value, fullName) : []) {
      if (general.tag === 0x86) urls.push(Buffer.from(content(value, general)).toString('latin1'));
    }
  }
  return urls;
}

/**
 * OIDs of a SEQUENCE OF OID (extKeyUsage) or of SEQUENCE OF SEQUENCE { OID, … }
 * (certificatePolicies), read with our own decoder: asn1js garbles arcs above 2^53,
 * such as the UUID arcs (2.25.…) of the engine's policies.
 */
function oidList(value: Uint8Array, nested: boolean): string[] {
  const seq = readWhole(value, 'extension');
  return children(value, seq).map((item) => {
    const oidTlv = nested ? children(value, item)[0] : item;
    if (!oidTlv) throw new DerFormatError('OID absent');
    return readOid(value, oidTlv);
  });
}

/**
 * Parses a certificate or returns the error, for lists where one bad entry must not stop
 * the rest. Internal: the result is shared between calls (never hand it out to be modified).
 */
export function tryParseCertificate(der: Uint8Array): ParsedCertificate | CertificateFormatError {
  try {
    return parsed.get(contentKey(der), () => parseCertificate(der));
  } catch (error) {
    return error as CertificateFormatError;
  }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}

export function formatDate(date: Date): string {
  return date.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}
