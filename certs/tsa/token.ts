import { children, expectTag, parseDer, readInteger, readOid, type Node } from './der.ts';

/** The fields of a TimeStampToken that a client checks, read without pkijs (DER only). */
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

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';

/** Reads a DER TimeStampToken (ContentInfo); throws DerError on anything else (BER included). */
export function readTimestampToken(token: Uint8Array | Node): TokenSummary {
  const contentInfo = children('tag' in token ? token : parseDer(token));
  if (readOid(contentInfo[0], 'contentType') !== OID_SIGNED_DATA) throw new Error('SignedData attendu');
  const signedData = children(expectTag(children(expectTag(contentInfo[1], 0xa0, 'content'))[0], 0x30, 'SignedData'));
  const encap = children(expectTag(signedData[2], 0x30, 'encapContentInfo'));
  if (readOid(encap[0], 'eContentType') !== OID_TST_INFO) throw new Error('TSTInfo attendu');
  const eContent = expectTag(children(expectTag(encap[1], 0xa0, 'eContent'))[0], 0x04, 'eContent');
  const certificates = signedData[3]?.tag === 0xa0 ? children(signedData[3]).length : 0;

  const info = children(expectTag(parseDer(eContent.content), 0x30, 'TSTInfo'));
  const imprint = children(expectTag(info[2], 0x30, 'messageImprint'));
  let nonce: bigint | null = null;
  for (const node of info.slice(5)) if (node.tag === 0x02) nonce = readInteger(node, 'nonce');
  return {
    policy: readOid(info[1], 'policy'),
    hashOid: readOid(children(expectTag(imprint[0], 0x30, 'hashAlgorithm'))[0], 'hashAlgorithm'),
    hashedMessage: Buffer.from(expectTag(imprint[1], 0x04, 'hashedMessage').content),
    serialNumber: readInteger(info[3], 'serialNumber'),
    genTime: expectTag(info[4], 0x18, 'genTime').content.toString('ascii'),
    nonce,
    certificateCount: certificates,
  };
}
