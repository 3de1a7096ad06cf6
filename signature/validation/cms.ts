import crypto from 'node:crypto';
import { Asn1Error, child, expectTag, hex, isContext, octets, oid, parseDer, time, type Tlv } from './der.ts';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStamp: '1.2.840.113549.1.9.16.2.14',
  revocationInfoArchival: '1.2.840.113583.1.1.8',
  ocspResponseFormat: '1.3.6.1.5.5.7.16.2',
} as const;

export const HASH_BY_OID: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export interface SignerIdentifier {
  issuer?: Uint8Array;
  serial?: Uint8Array;
  subjectKeyIdentifier?: Uint8Array;
}

export interface EssCertId {
  version: 1 | 2;
  hash: string;
  certHash: Uint8Array;
  issuerSerial?: Uint8Array;
}

/** A SignedData read down to the bytes each check needs; nothing is verified here. */
export interface ParsedCms {
  /** The DER object itself (the part of /Contents before the zero padding). */
  der: Uint8Array;
  /** Bytes left after the object, which must all be zero padding. */
  trailingNonZero: boolean;
  eContentType: string;
  eContent?: Uint8Array;
  certificates: Uint8Array[];
  crls: Uint8Array[];
  ocspResponses: Uint8Array[];
  sid: SignerIdentifier;
  digestAlgorithm: string;
  signatureAlgorithm: { oid: string; params?: Tlv };
  signature: Uint8Array;
  /** DER of the signed attributes as `SET OF` (what the signature covers), when present. */
  signedAttrsDer?: Uint8Array;
  contentTypeAttr?: string;
  messageDigest?: Uint8Array;
  signingTime?: Date;
  essCertIds?: EssCertId[];
  signatureTimestamps: Uint8Array[];
  signerInfoCount: number;
}

export class CmsFormatError extends Error {
  override readonly name = 'CmsFormatError';
}

/** Parses a ContentInfo holding a SignedData with (at least) one SignerInfo. */
export function parseCms(contents: Uint8Array): ParsedCms {
  try {
    return parseCmsUnsafe(contents);
  } catch (error) {
    if (error instanceof Asn1Error || error instanceof CmsFormatError) throw new CmsFormatError(error.message);
    throw error;
  }
}

function parseCmsUnsafe(contents: Uint8Array): ParsedCms {
  const { node: ci, end } = parseDer(contents);
  const trailingNonZero = contents.subarray(end).some((b) => b !== 0);
  expectTag(ci, 0, 16);
  if (ci.children.length !== 2) throw new CmsFormatError('malformed ContentInfo');
  if (oid(child(ci, 0)) !== OID.signedData) throw new CmsFormatError('not a CMS SignedData');
  const sd = expectTag(child(expectTag(child(ci, 1), 2, 0), 0), 0, 16);
  const version = child(sd, 0);
  expectTag(version, 0, 2, false);
  if (version.value.length !== 1 || ![1, 3, 4, 5].includes(version.value[0]!)) throw new CmsFormatError('unexpected SignedData version');
  let i = 1; // skip version
  const digestAlgs = child(sd, i++);
  expectTag(digestAlgs, 0, 17);
  const digestOids = digestAlgs.children.map((a) => algorithmOid(a));
  const encap = expectTag(child(sd, i++), 0, 16);
  const eContentType = oid(child(encap, 0));
  const eContentWrap = encap.children[1];
  const eContent = eContentWrap && isContext(eContentWrap, 0) ? octets(child(eContentWrap, 0)) : undefined;
  const certificates: Uint8Array[] = [];
  const crls: Uint8Array[] = [];
  const ocspResponses: Uint8Array[] = [];
  let lastTag = -1;
  while (sd.children[i] && sd.children[i]!.cls === 2) {
    const tagged = sd.children[i++]!;
    if (tagged.tag <= lastTag || tagged.tag > 1 || !tagged.constructed) throw new CmsFormatError('unexpected element in SignedData');
    lastTag = tagged.tag;
    if (tagged.tag === 0) {
      // Only plain certificates (SEQUENCE); attribute certificates are ignored.
      for (const c of tagged.children) {
        if (c.cls === 0 && c.tag === 16) certificates.push(c.raw);
        else if (c.cls !== 2) throw new CmsFormatError('unexpected element among the certificates');
      }
    } else if (tagged.tag === 1) {
      for (const c of tagged.children) {
        if (c.cls === 0 && c.tag === 16) {
          // TBSCertList starts with a version INTEGER or the signature AlgorithmIdentifier, never [0] like a certificate.
          const first = child(expectTag(child(c, 0), 0, 16), 0);
          if (!(first.cls === 0 && (first.tag === 2 || first.tag === 16))) throw new CmsFormatError('a revocation entry is not a CRL');
          crls.push(c.raw);
        }
        else if (isContext(c, 1) && c.children[0] && oid(c.children[0]) === OID.ocspResponseFormat && c.children[1]) {
          ocspResponses.push(c.children[1].raw);
        }
      }
    }
  }
  const signerInfos = child(sd, i);
  if (signerInfos.tag !== 17 || signerInfos.children.length === 0) throw new CmsFormatError('no SignerInfo');
  const si = expectTag(child(signerInfos, 0), 0, 16);
  const siVersion = expectTag(child(si, 0), 0, 2, false);
  if (siVersion.value.length !== 1 || (siVersion.value[0] !== 1 && siVersion.value[0] !== 3)) throw new CmsFormatError('unexpected SignerInfo version');
  let j = 1;
  const sidNode = child(si, j++);
  const sid: SignerIdentifier = {};
  if (isContext(sidNode, 0)) sid.subjectKeyIdentifier = sidNode.value;
  else {
    expectTag(sidNode, 0, 16);
    sid.issuer = expectTag(child(sidNode, 0), 0, 16).raw;
    sid.serial = expectTag(child(sidNode, 1), 0, 2, false).value;
    if (sidNode.children.length !== 2) throw new CmsFormatError('malformed IssuerAndSerialNumber');
  }
  const digestOid = algorithmOid(child(si, j++));
  const digestAlgorithm = HASH_BY_OID[digestOid];
  if (!digestAlgorithm) throw new CmsFormatError('unknown digest algorithm');
  if (!digestOids.includes(digestOid)) throw new CmsFormatError('the signer’s digest algorithm is missing from digestAlgorithms');
  const parsed: ParsedCms = {
    der: contents.subarray(0, end),
    trailingNonZero,
    eContentType,
    ...(eContent ? { eContent } : {}),
    certificates,
    crls,
    ocspResponses,
    sid,
    digestAlgorithm,
    signatureAlgorithm: { oid: '' },
    signature: new Uint8Array(),
    signatureTimestamps: [],
    signerInfoCount: signerInfos.children.length,
  };
  let next = child(si, j);
  if (isContext(next, 0)) {
    const der = Uint8Array.from(next.raw);
    der[0] = 0x31;
    parsed.signedAttrsDer = der;
    readSignedAttributes(next, parsed);
    next = child(si, ++j);
  }
  expectTag(next, 0, 16);
  const sigOid = oid(child(next, 0));
  const sigParams = next.children[1];
  if (sigOid !== '1.2.840.113549.1.1.10' && sigParams && !(sigParams.cls === 0 && sigParams.tag === 5 && sigParams.value.length === 0)) {
    throw new CmsFormatError('unexpected signature algorithm parameters');
  }
  if (next.children.length > 2) throw new CmsFormatError('malformed signature AlgorithmIdentifier');
  parsed.signatureAlgorithm = { oid: oid(child(next, 0)), ...(next.children[1] ? { params: next.children[1] } : {}) };
  parsed.signature = octets(expectTag(child(si, ++j), 0, 4, false));
  const unsigned = si.children[j + 1];
  if (unsigned && isContext(unsigned, 1)) {
    for (const attr of unsigned.children) {
      const type = oid(child(attr, 0));
      if (type === OID.signatureTimeStamp) for (const v of child(attr, 1).children) parsed.signatureTimestamps.push(v.raw);
    }
  }
  return parsed;
}

/** AlgorithmIdentifier with absent or NULL parameters (digest algorithms). */
function algorithmOid(node: Tlv): string {
  expectTag(node, 0, 16);
  const params = node.children[1];
  if (params && !(params.cls === 0 && params.tag === 5 && params.value.length === 0)) throw new CmsFormatError('unexpected digest algorithm parameters');
  if (node.children.length > 2) throw new CmsFormatError('malformed AlgorithmIdentifier');
  return oid(child(node, 0));
}

function readSignedAttributes(set: Tlv, parsed: ParsedCms): void {
  for (const attr of set.children) {
    const type = oid(child(attr, 0));
    const value = child(child(attr, 1), 0);
    switch (type) {
      case OID.contentType:
        parsed.contentTypeAttr = oid(value);
        break;
      case OID.messageDigest:
        parsed.messageDigest = octets(value);
        break;
      case OID.signingTime:
        parsed.signingTime = time(value);
        break;
      case OID.signingCertificateV2:
      case OID.signingCertificate:
        parsed.essCertIds = child(value, 0).children.map((id) => readEssCertId(id, type === OID.signingCertificate ? 1 : 2));
        break;
      case OID.revocationInfoArchival:
        for (const part of value.children) {
          const list = part.children[0];
          if (!list) continue;
          if (part.tag === 0) for (const crl of list.children) parsed.crls.push(crl.raw);
          if (part.tag === 1) for (const resp of list.children) parsed.ocspResponses.push(resp.raw);
        }
        break;
      default:
    }
  }
}

function readEssCertId(id: Tlv, version: 1 | 2): EssCertId {
  let k = 0;
  let hash = version === 1 ? 'sha1' : 'sha256';
  if (version === 2 && id.children[0]?.tag === 16) {
    hash = HASH_BY_OID[oid(child(child(id, 0), 0))] ?? 'unknown';
    k = 1;
  }
  const certHash = octets(child(id, k));
  const issuerSerial = id.children[k + 1]?.raw;
  return { version, hash, certHash, ...(issuerSerial ? { issuerSerial } : {}) };
}

/** Fields of an RFC 3161 TSTInfo. */
export interface TstInfo {
  policy: string;
  hash: string;
  hashedMessage: Uint8Array;
  serial: string;
  genTime: Date;
}

export function parseTstInfo(der: Uint8Array): TstInfo {
  try {
    const { node } = parseDer(der);
    const imprint = child(node, 2);
    const hash = HASH_BY_OID[oid(child(child(imprint, 0), 0))];
    if (!hash) throw new CmsFormatError('unknown imprint hash');
    return {
      policy: oid(child(node, 1)),
      hash,
      hashedMessage: octets(child(imprint, 1)),
      serial: hex(child(node, 3).value),
      genTime: time(child(node, 4)),
    };
  } catch (error) {
    if (error instanceof Asn1Error) throw new CmsFormatError(error.message);
    throw error;
  }
}

export function digest(hash: string, parts: Uint8Array[]): Uint8Array {
  const h = crypto.createHash(hash);
  for (const p of parts) h.update(p);
  return h.digest();
}
