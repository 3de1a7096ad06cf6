import { createHash } from 'node:crypto';
import type { HashAlgorithm, KeyAlgorithm } from '../../certs/types.ts';
import { DIGEST_LENGTH, NODE_HASH, OID, digestAlgorithmId, signatureAlgorithmId } from './algorithms.ts';
import { certificateFacts } from './certificate.ts';
import { int, octets, oid, seq, set, tlv } from './der.ts';

const attribute = (type: string, value: Uint8Array): Buffer => seq(oid(type), set(value));

/** DER SET OF: elements sorted by their encodings. */
function derSetOf(items: Buffer[]): Buffer {
  return set(...[...items].sort(Buffer.compare));
}

/**
 * The signed attributes as the DER `SET OF` that gets signed: content-type,
 * message-digest and signing-certificate-v2, and deliberately no signing-time.
 */
export function signedAttributes(messageDigest: Uint8Array, certificate: Uint8Array, hash: HashAlgorithm): Buffer {
  if (messageDigest.length !== DIGEST_LENGTH[hash]) throw new Error('message digest length does not match the hash algorithm');
  const facts = certificateFacts(certificate);
  const certHash = createHash(NODE_HASH[hash]).update(certificate).digest();
  const issuerSerial = seq(seq(tlv(0xa4, facts.issuer)), facts.serial);
  // ESSCertIDv2.hashAlgorithm defaults to SHA-256: DER forbids writing a default.
  const essCertId = hash === 'SHA-256' ? seq(octets(certHash), issuerSerial) : seq(digestAlgorithmId(hash), octets(certHash), issuerSerial);
  return derSetOf([
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octets(messageDigest)),
    attribute(OID.signingCertificateV2, seq(seq(essCertId))),
  ]);
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

/** ContentInfo { signedData } — detached, one SignerInfo, version 1. */
export function buildSignedData(i: SignedDataInput): Buffer {
  const facts = certificateFacts(i.certificate);
  const digestAlg = digestAlgorithmId(i.hash);
  // [0] IMPLICIT SET OF: same content, the tag changes from 0x31 to 0xA0.
  const attrs = Buffer.from(i.signedAttrs);
  attrs[0] = 0xa0;
  const signerParts = [int(1), seq(facts.issuer, facts.serial), digestAlg, attrs, signatureAlgorithmId(i.keyAlgorithm, i.hash), octets(i.signature)];
  if (i.timestampToken) signerParts.push(tlv(0xa1, attribute(OID.signatureTimeStamp, i.timestampToken)));
  const seen = new Set<string>();
  const certs: Uint8Array[] = [];
  for (const c of [i.certificate, ...i.chain]) {
    const k = Buffer.from(c).toString('base64');
    if (!seen.has(k)) {
      seen.add(k);
      certs.push(c);
    }
  }
  const signedData = seq(int(1), set(digestAlg), seq(oid(OID.data)), tlv(0xa0, ...certs), set(seq(...signerParts)));
  return seq(oid(OID.signedData), tlv(0xa0, signedData));
}

/** Upper bound of the CMS size without the timestamp, for sizing the placeholder. */
export function estimateSignedDataSize(certificate: Uint8Array, chain: readonly Uint8Array[]): number {
  let size = 1024; // attributes, algorithm identifiers, structure
  size += 1024; // signature value (RSA-8192 at most)
  size += certificate.length * 2; // once in certificates, issuer twice more
  for (const c of chain) size += c.length;
  return size;
}
