import {
  Asn1Error,
  DIGESTS,
  OID,
  digestAlgorithmId,
  encodeTree,
  hash as digest,
  headerSize,
  integer,
  octets,
  oid,
  parseCertificate,
  seq,
  set,
  signatureAlgorithmId,
  tlv,
  type DerNode,
  type HashAlgorithm,
  type KeyAlgorithm,
} from '../../asn1/index.ts';

const attribute = (type: string, value: Uint8Array): Buffer => seq(oid(type), set(value));

/**
 * The signed attributes as the DER `SET OF` that gets signed: content-type,
 * message-digest and signing-certificate-v2, and deliberately no signing-time.
 */
export function signedAttributes(messageDigest: Uint8Array, certificate: Uint8Array, hash: HashAlgorithm): Buffer {
  if (messageDigest.length !== DIGESTS[hash].length) throw new Asn1Error('MALFORMED', `empreinte de ${messageDigest.length} octets, ${DIGESTS[hash].length} attendus pour ${hash}`);
  const digestAttr = encodeTree({ tag: 0x30, kids: [MESSAGE_DIGEST_TYPE, { tag: 0x31, kids: [{ tag: 0x04, kids: [messageDigest] }] }] });
  // DER SET OF: elements sorted by their encodings.
  return encodeTree({ tag: 0x31, kids: [CONTENT_TYPE_ATTR, digestAttr, signingCertificateAttr(certificate, hash)].sort(Buffer.compare) });
}

const CONTENT_TYPE_ATTR = attribute(OID.contentType, oid(OID.data));
const MESSAGE_DIGEST_TYPE = oid(OID.messageDigest);

/** Per certificate and hash, computed once: the signing-certificate-v2 attribute. */
const essCache = new WeakMap<Uint8Array, Map<HashAlgorithm, Buffer>>();
function signingCertificateAttr(certificate: Uint8Array, hash: HashAlgorithm): Buffer {
  let byHash = essCache.get(certificate);
  if (!byHash) essCache.set(certificate, (byHash = new Map()));
  let attr = byHash.get(hash);
  if (!attr) {
    const cert = parseCertificate(certificate);
    const certHash = digest(hash, certificate);
    const issuerSerial = seq(seq(tlv(0xa4, cert.issuerDer)), tlv(0x02, cert.serialBytes));
    // ESSCertIDv2.hashAlgorithm defaults to SHA-256: DER forbids writing a default.
    const essCertId = hash === 'SHA-256' ? seq(octets(certHash), issuerSerial) : seq(digestAlgorithmId(hash), octets(certHash), issuerSerial);
    attr = attribute(OID.signingCertificateV2, seq(seq(essCertId)));
    byHash.set(hash, attr);
  }
  return attr;
}

/** The `[0] certificates` block and the SignerInfo's sid, encoded once per signer. */
const signerCache = new WeakMap<Uint8Array, { chain: readonly Uint8Array[]; certificates: Buffer; sid: Buffer }>();
function signerBlocks(certificate: Uint8Array, chain: readonly Uint8Array[]): { certificates: Buffer; sid: Buffer } {
  const hit = signerCache.get(certificate);
  if (hit && hit.chain.length === chain.length && hit.chain.every((c, i) => c === chain[i])) return hit;
  const cert = parseCertificate(certificate);
  const seen = new Set<string>();
  const certs: Uint8Array[] = [];
  for (const c of [certificate, ...chain]) {
    const k = Buffer.from(c).toString('base64');
    if (!seen.has(k)) {
      seen.add(k);
      certs.push(c);
    }
  }
  const entry = { chain: [...chain], certificates: tlv(0xa0, ...certs), sid: seq(cert.issuerDer, tlv(0x02, cert.serialBytes)) };
  signerCache.set(certificate, entry);
  return entry;
}

export interface SignedDataInput {
  /** DER SET OF signed attributes (as returned by signedAttributes). */
  signedAttrs: Uint8Array;
  signature: Uint8Array;
  certificate: Uint8Array;
  chain: readonly Uint8Array[];
  hash: HashAlgorithm;
  keyAlgorithm: KeyAlgorithm;
  /** DER TimeStampToken for the signature-time-stamp unsigned attribute. */
  timestampToken?: Uint8Array;
}

const VERSION_1 = integer(1);
const SIGNED_DATA_OID = oid(OID.signedData);
const TIMESTAMP_ATTR_TYPE = oid(OID.signatureTimeStamp);
const DATA_CONTENT_INFO = seq(oid(OID.data));

/** ContentInfo { signedData } — detached, one SignerInfo, version 1. */
export function buildSignedData(i: SignedDataInput): Buffer {
  const { certificates, sid } = signerBlocks(i.certificate, i.chain);
  const digestAlg = digestAlgorithmId(i.hash);
  // [0] IMPLICIT SET OF: same content, the tag changes from 0x31 to 0xA0.
  const attrs: DerNode = { tag: 0xa0, kids: [i.signedAttrs.subarray(headerSize(i.signedAttrs))] };

  const signerParts: DerNode[] = [VERSION_1, sid, digestAlg, attrs, signatureAlgorithmId(i.keyAlgorithm, i.hash), { tag: 0x04, kids: [i.signature] }];
  if (i.timestampToken) {
    signerParts.push({ tag: 0xa1, kids: [{ tag: 0x30, kids: [TIMESTAMP_ATTR_TYPE, { tag: 0x31, kids: [i.timestampToken] }] }] });
  }
  const signedData: DerNode = {
    tag: 0x30,
    kids: [VERSION_1, { tag: 0x31, kids: [digestAlg] }, DATA_CONTENT_INFO, certificates, { tag: 0x31, kids: [{ tag: 0x30, kids: signerParts }] }],
  };
  return encodeTree({ tag: 0x30, kids: [SIGNED_DATA_OID, { tag: 0xa0, kids: [signedData] }] });
}

/** Upper bound of the CMS size without the timestamp, for sizing the placeholder. */
export function estimateSignedDataSize(certificate: Uint8Array, chain: readonly Uint8Array[]): number {
  let size = 1024; // attributes, algorithm identifiers, structure
  size += 1024; // signature value (RSA-8192 at most)
  size += certificate.length * 2; // once in certificates, issuer twice more
  for (const c of chain) size += c.length;
  return size;
}
