import { Asn1Error, Node, OID, parse, required } from '../../asn1/index.ts';

/** The fields of a TimeStampToken that a client checks. */
export interface TokenSummary {
  policy: string;
  hashOid: string;
  hashedMessage: Buffer;
  serialNumber: bigint;
  /** GeneralizedTime text as written, e.g. 20261124160000.123Z */
  genTime: string;
  nonce: bigint | null;
  /** Certificates carried in SignedData.certificates. */
  certificateCount: number;
}

/**
 * Reads a TimeStampToken (ContentInfo), DER or, from a TSA that writes it, BER;
 * throws an Asn1Error on anything else.
 */
export function readTimestampToken(token: Uint8Array | Node): TokenSummary {
  const contentInfo = token instanceof Node ? token : parse(token, { ber: true });
  if (contentInfo.child(0, 'contentType').oid('contentType') !== OID.signedData) throw new Asn1Error('MALFORMED', 'SignedData attendu');
  const signedData = contentInfo.child(1, 'content').expect(0xa0, 'content').child(0, 'SignedData').items('SignedData');
  const encap = required(signedData[2], 'encapContentInfo').items('encapContentInfo');
  if (required(encap[0], 'eContentType').oid('eContentType') !== OID.tstInfo) throw new Asn1Error('MALFORMED', 'TSTInfo attendu');
  const eContent = required(encap[1], 'eContent').expect(0xa0, 'eContent').child(0, 'eContent').octets('eContent');
  const certificates = signedData[3]?.tag === 0xa0 ? signedData[3].children.length : 0;

  const info = parse(eContent, { ber: contentInfo.ber }).items('TSTInfo');
  const imprint = required(info[2], 'messageImprint').items('messageImprint');
  let nonce: bigint | null = null;
  for (const node of info.slice(5)) if (node.tag === 0x02) nonce = node.integer('nonce');
  return {
    policy: required(info[1], 'policy').oid('policy'),
    hashOid: required(imprint[0], 'hashAlgorithm').expect(0x30, 'hashAlgorithm').child(0, 'hashAlgorithm').oid('hashAlgorithm'),
    hashedMessage: Buffer.from(required(imprint[1], 'hashedMessage').expect(0x04, 'hashedMessage').content),
    serialNumber: required(info[3], 'serialNumber').integer('serialNumber'),
    genTime: Buffer.from(required(info[4], 'genTime').expect(0x18, 'genTime').content).toString('ascii'),
    nonce,
    certificateCount: certificates,
  };
}
