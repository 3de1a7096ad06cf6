/**
 * ASN.1 for the PKI and PAdES: one DER reader and writer, one OID table,
 * AlgorithmIdentifiers, one signature verification, PEM, one parsed-certificate
 * type. Pure: bytes in, values out; nothing here touches the network or a database.
 */
export { Asn1Error, reading, type Asn1ErrorCode } from './errors.ts';
export { parse, parsePrefix, required, Node, type ReadOptions } from './reader.ts';
export {
  tlv,
  seq,
  set,
  setOf,
  octets,
  NULL,
  bool,
  ctx,
  ctxPrimitive,
  oid,
  integer,
  unsignedInteger,
  hexInteger,
  enumerated,
  bitString,
  namedBits,
  utf8,
  printable,
  ia5,
  generalizedTime,
  x509Time,
  encodeTree,
  headerSize,
  type DerNode,
} from './writer.ts';
export { OID } from './oids.ts';
export {
  DIGESTS,
  digestByOid,
  digestOf,
  parseHash,
  hash,
  newHash,
  readAlgorithm,
  digestAlgorithm,
  signatureScheme,
  digestAlgorithmId,
  signatureAlgorithmId,
  signatureAlgorithm,
  defaultHashFor,
  keyAlgorithmOf,
  ecdsaRawToDer,
  type HashAlgorithm,
  type DigestName,
  type KeyAlgorithm,
  type AlgorithmIdentifier,
  type SignatureScheme,
} from './algorithms.ts';
export { verifySignature, verifySignatureCached } from './verify.ts';
export { importSpki } from './public-keys.ts';
export { derToPem, pemOrDerToDer, pemOrDerToDerList, type PemOptions } from './pem.ts';
export { parseName, nameAttribute, nameInEncodingOrder, type ParsedName, type NameAttribute } from './names.ts';
export {
  parseCertificate,
  tryParseCertificate,
  publicKeyOf,
  readExtensions,
  keyIdentifierOf,
  normalizeSerial,
  nameKey,
  nameToString,
  toHex,
  sameBytes,
  type ParsedCertificate,
  type RawExtension,
} from './certificate.ts';
export { Memo, contentKey, clearMemos } from './memo.ts';
