import { Asn1Error, OID, digestOf, parsePrefix, readAlgorithm, type AlgorithmIdentifier, type DigestName, type Node } from '../../asn1/index.ts';

export interface SignerIdentifier {
  issuer?: Uint8Array;
  serial?: Uint8Array;
  subjectKeyIdentifier?: Uint8Array;
}

export interface EssCertId {
  version: 1 | 2;
  /** Null when the attribute names a digest this verifier does not know. */
  hash: DigestName | null;
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
  digestAlgorithm: DigestName;
  signatureAlgorithm: AlgorithmIdentifier;
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

const malformed = (message: string): Asn1Error => new Asn1Error('MALFORMED', message);

/**
 * Parses a ContentInfo holding a SignedData with (at least) one SignerInfo, as BER:
 * other signers' software writes indefinite lengths and constructed strings.
 * Throws an Asn1Error (MALFORMED or LIMIT_EXCEEDED) with a French message.
 */
export function parseCms(contents: Uint8Array): ParsedCms {
  const ci = parsePrefix(contents, { ber: true });
  const end = ci.end;
  const trailingNonZero = contents.subarray(end).some((b) => b !== 0);
  const [typeNode, wrapped, extra] = ci.items('ContentInfo');
  if (!typeNode || !wrapped || extra) throw malformed('ContentInfo mal formé');
  if (typeNode.oid('type de contenu') !== OID.signedData) throw malformed('ce n’est pas une structure CMS SignedData');
  const sd = wrapped.expect(0xa0, 'contenu SignedData').child(0, 'SignedData').expect(0x30, 'SignedData');
  const version = sd.child(0, 'version de SignedData').expect(0x02, 'version de SignedData');
  if (version.content.length !== 1 || ![1, 3, 4, 5].includes(version.content[0]!)) throw malformed('version de SignedData inattendue');
  let i = 1; // skip version
  const digestOids = sd
    .child(i++, 'digestAlgorithms')
    .items('digestAlgorithms', 0x31)
    .map((a) => digestAlgorithmOid(a));
  const encap = sd.child(i++, 'encapContentInfo').expect(0x30, 'encapContentInfo');
  const eContentType = encap.child(0, 'eContentType').oid('eContentType');
  const eContentWrap = encap.at(1);
  const eContent = eContentWrap?.isContext(0) ? eContentWrap.child(0, 'eContent').octets('eContent') : undefined;
  const certificates: Uint8Array[] = [];
  const crls: Uint8Array[] = [];
  const ocspResponses: Uint8Array[] = [];
  let lastTag = -1;
  for (let tagged = sd.at(i); tagged && (tagged.tag & 0xc0) === 0x80; tagged = sd.at(++i)) {
    if (tagged.number <= lastTag || tagged.number > 1 || !tagged.constructed) throw malformed('élément inattendu dans SignedData');
    lastTag = tagged.number;
    if (tagged.number === 0) {
      // Only plain certificates (SEQUENCE); attribute certificates are ignored.
      for (const c of tagged.children) {
        if (c.tag === 0x30) certificates.push(c.raw);
        else if ((c.tag & 0xc0) !== 0x80) throw malformed('élément inattendu parmi les certificats');
      }
    } else {
      for (const c of tagged.children) {
        if (c.tag === 0x30) {
          // TBSCertList starts with a version INTEGER or the signature AlgorithmIdentifier, never [0] like a certificate.
          const first = c.child(0, 'TBSCertList').expect(0x30, 'TBSCertList').child(0, 'début de TBSCertList');
          if (first.tag !== 0x02 && first.tag !== 0x30) throw malformed('une entrée de révocation n’est pas une LCR');
          crls.push(c.raw);
        } else if (c.isContext(1) && c.at(0)?.tag === 0x06 && c.at(0)!.oid() === OID.ocspResponseFormat && c.at(1)) {
          ocspResponses.push(c.at(1)!.raw);
        }
      }
    }
  }
  const signerInfos = sd.child(i, 'signerInfos');
  if (signerInfos.tag !== 0x31 || signerInfos.children.length === 0) throw malformed('aucun SignerInfo');
  const si = signerInfos.child(0, 'SignerInfo').expect(0x30, 'SignerInfo');
  const siVersion = si.child(0, 'version de SignerInfo').expect(0x02, 'version de SignerInfo');
  if (siVersion.content.length !== 1 || (siVersion.content[0] !== 1 && siVersion.content[0] !== 3)) throw malformed('version de SignerInfo inattendue');
  let j = 1;
  const sidNode = si.child(j++, 'identifiant du signataire');
  const sid: SignerIdentifier = {};
  if (sidNode.isContext(0)) sid.subjectKeyIdentifier = sidNode.content;
  else {
    const [issuer, serial, more] = sidNode.items('IssuerAndSerialNumber');
    if (!issuer || !serial || more) throw malformed('IssuerAndSerialNumber mal formé');
    sid.issuer = issuer.expect(0x30, 'émetteur du signataire').raw;
    sid.serial = serial.expect(0x02, 'numéro de série du signataire').content;
  }
  const digestOid = digestAlgorithmOid(si.child(j++, 'algorithme de hachage du signataire'));
  let digestAlgorithm: DigestName;
  try {
    digestAlgorithm = digestOf(digestOid);
  } catch {
    throw malformed('algorithme de hachage inconnu');
  }
  if (!digestOids.includes(digestOid)) throw malformed('l’algorithme de hachage du signataire manque dans digestAlgorithms');
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
  let next = si.child(j, 'algorithme de signature');
  if (next.isContext(0)) {
    // What the signature covers: the attributes as SET OF (tag 0x31), not as [0] IMPLICIT.
    const der = Uint8Array.from(next.raw);
    der[0] = 0x31;
    parsed.signedAttrsDer = der;
    readSignedAttributes(next, parsed);
    next = si.child(++j, 'algorithme de signature');
  }
  parsed.signatureAlgorithm = readAlgorithm(next, 'algorithme de signature');
  parsed.signature = si.child(++j, 'valeur de signature').octets('valeur de signature');
  const unsigned = si.at(j + 1);
  if (unsigned?.isContext(1)) {
    for (const attr of unsigned.children) {
      if (attr.child(0, 'type d’attribut').oid('type d’attribut') !== OID.signatureTimeStamp) continue;
      for (const v of attr.child(1, 'valeurs d’attribut').children) parsed.signatureTimestamps.push(v.raw);
    }
  }
  return parsed;
}

/** AlgorithmIdentifier with absent or NULL parameters (digest algorithms). */
function digestAlgorithmOid(node: Node): string {
  const algorithm = readAlgorithm(node, 'algorithme de hachage');
  const p = algorithm.params;
  if (p && !(p.length === 2 && p[0] === 0x05 && p[1] === 0x00)) throw malformed('paramètres inattendus pour un algorithme de hachage');
  return algorithm.oid;
}

function readSignedAttributes(set: Node, parsed: ParsedCms): void {
  for (const attr of set.children) {
    const type = attr.child(0, 'type d’attribut').oid('type d’attribut');
    const value = attr.child(1, 'valeurs d’attribut').child(0, `valeur de l’attribut ${type}`);
    switch (type) {
      case OID.contentType:
        parsed.contentTypeAttr = value.oid('content-type');
        break;
      case OID.messageDigest:
        parsed.messageDigest = value.octets('message-digest');
        break;
      case OID.signingTime:
        parsed.signingTime = value.time('signing-time');
        break;
      case OID.signingCertificateV2:
      case OID.signingCertificate:
        parsed.essCertIds = value.child(0, 'liste ESSCertID').children.map((id) => readEssCertId(id, type === OID.signingCertificate ? 1 : 2));
        break;
      case OID.adbeRevocationInfoArchival:
        for (const part of value.children) {
          const list = part.at(0);
          if (!list) continue;
          if (part.number === 0) for (const crl of list.children) parsed.crls.push(crl.raw);
          if (part.number === 1) for (const resp of list.children) parsed.ocspResponses.push(resp.raw);
        }
        break;
      default:
    }
  }
}

function readEssCertId(id: Node, version: 1 | 2): EssCertId {
  let k = 0;
  let hash: DigestName | null = version === 1 ? 'SHA-1' : 'SHA-256';
  if (version === 2 && id.at(0)?.tag === 0x30) {
    try {
      hash = digestOf(readAlgorithm(id.at(0), 'algorithme de ESSCertIDv2').oid);
    } catch {
      hash = null;
    }
    k = 1;
  }
  const certHash = id.child(k, 'certHash').octets('certHash');
  const issuerSerial = id.at(k + 1)?.raw;
  return { version, hash, certHash, ...(issuerSerial ? { issuerSerial } : {}) };
}
