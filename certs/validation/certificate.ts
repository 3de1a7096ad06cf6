import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  CRLDistributionPoints,
  KeyUsage,
  Name as AsnName,
  SubjectKeyIdentifier,
  type GeneralName,
} from '@peculiar/asn1-x509';
import { children, DerFormatError, readOid, readWhole, slice, content } from './der.ts';
import type { AlgorithmRef } from './crypto.ts';

export class CertificateFormatError extends Error {
  override name = 'CertificateFormatError';
}

export interface RawExtension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

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

const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'E',
};

/** Attributes in DER order, as OpenSSL prints them and as the engine's name strings are written. */
export function nameToString(der: Uint8Array): string {
  try {
    return AsnConvert.parse(der, AsnName)
      .map((rdn) => rdn.map((atv) => `${SHORT_NAMES[atv.type] ?? atv.type}=${atv.value.toString().replace(/([,+"\\<>;])/g, '\\$1')}`).join('+'))
      .join(', ');
  } catch {
    return `<nom illisible ${toHex(der).slice(0, 32)}…>`;
  }
}

/** A comparison key for names: attribute types and values, case and inner spaces folded. */
export function nameKey(der: Uint8Array): string {
  const name = AsnConvert.parse(der, AsnName);
  return name
    .map((rdn) =>
      rdn
        .map((atv) => `${atv.type}=${atv.value.toString().trim().replace(/\s+/g, ' ').toLowerCase()}`)
        .sort()
        .join('+'),
    )
    .join(',');
}

function uris(names: GeneralName[] | undefined): string[] {
  return (names ?? []).flatMap((n) => (n.uniformResourceIdentifier ? [n.uniformResourceIdentifier] : []));
}

/**
 * Parses a DER certificate into what path validation needs. Throws
 * CertificateFormatError with a French message on anything malformed.
 */
export function parseCertificate(input: Uint8Array): ParsedCertificate {
  const der = new Uint8Array(input);
  try {
    return parse(der);
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

  const cert = AsnConvert.parse(der, Certificate);
  const tbs = cert.tbsCertificate;
  const algParts = children(der, sigAlgTlv);
  const paramsTlv = algParts[1];
  const signatureBits = content(der, sigTlv);
  if (signatureBits[0] !== 0) throw new DerFormatError('signature avec des bits inutilisés');

  const extensions: RawExtension[] = (tbs.extensions ?? []).map((e) => ({
    oid: e.extnID,
    critical: e.critical,
    value: new Uint8Array(e.extnValue.buffer),
  }));
  const seen = new Set<string>();
  for (const e of extensions) {
    if (seen.has(e.oid)) throw new DerFormatError(`extension ${e.oid} présente deux fois`);
    seen.add(e.oid);
  }
  const ext = (oid: string) => extensions.find((e) => e.oid === oid);

  const subjectDer = slice(der, subjectTlv);
  const issuerDer = slice(der, issuerTlv);
  const parsed: ParsedCertificate = {
    der,
    tbs: slice(der, tbsTlv),
    version: tbs.version + 1,
    serialNumber: normalizeSerial(tbs.serialNumber),
    subject: nameToString(subjectDer),
    issuer: nameToString(issuerDer),
    subjectDer,
    issuerDer,
    subjectKey: nameKey(subjectDer),
    issuerKey: nameKey(issuerDer),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    spki: slice(der, spkiTlv),
    publicKeyBits: content(der, keyBits).subarray(1),
    signatureAlgorithm: {
      oid: cert.signatureAlgorithm.algorithm,
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
  if (bc) {
    const v = AsnConvert.parse(bc.value, BasicConstraints);
    parsed.basicConstraints = { ca: v.cA, critical: bc.critical, ...(v.pathLenConstraint !== undefined ? { pathLen: v.pathLenConstraint } : {}) };
  }
  const ku = ext(OID.keyUsage);
  if (ku) parsed.keyUsage = { usages: AsnConvert.parse(ku.value, KeyUsage).toJSON(), critical: ku.critical };
  const eku = ext(OID.extKeyUsage);
  if (eku) parsed.extKeyUsage = { oids: oidList(eku.value, false), critical: eku.critical };
  const cp = ext(OID.certificatePolicies);
  if (cp) parsed.policies = oidList(cp.value, true);
  const ski = ext(OID.subjectKeyId);
  if (ski) parsed.subjectKeyId = toHex(AsnConvert.parse(ski.value, SubjectKeyIdentifier).buffer);
  const aki = ext(OID.authorityKeyId);
  if (aki) {
    const v = AsnConvert.parse(aki.value, AuthorityKeyIdentifier);
    if (v.keyIdentifier) parsed.authorityKeyId = toHex(v.keyIdentifier.buffer);
  }
  const cdp = ext(OID.crlDistributionPoints);
  if (cdp) parsed.crlUrls = AsnConvert.parse(cdp.value, CRLDistributionPoints).flatMap((dp) => uris(dp.distributionPoint?.fullName));
  const aia = ext(OID.authorityInfoAccess);
  if (aia) {
    for (const ad of AsnConvert.parse(aia.value, AuthorityInfoAccessSyntax)) {
      const url = ad.accessLocation.uniformResourceIdentifier;
      if (!url) continue;
      if (ad.accessMethod === OID.ocsp) parsed.ocspUrls.push(url);
      if (ad.accessMethod === OID.caIssuers) parsed.caIssuersUrls.push(url);
    }
  }
  return parsed;
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

/** Parses a certificate or returns the error, for lists where one bad entry must not stop the rest. */
export function tryParseCertificate(der: Uint8Array): ParsedCertificate | CertificateFormatError {
  try {
    return parseCertificate(der);
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
