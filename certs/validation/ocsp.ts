import {
  Asn1Error,
  OID,
  contentKey,
  digestAlgorithm,
  hash,
  Memo,
  nameKey,
  octets,
  parse,
  readAlgorithm,
  readExtensions,
  reading,
  required,
  sameBytes,
  seq,
  tlv,
  type AlgorithmIdentifier,
  type DigestName,
  type Node,
  type ParsedCertificate,
} from '../../asn1/index.ts';
import { CRL_REASONS, serialKey, serialKeyOf } from './crl.ts';

const RESPONSE_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', '(4)', 'sigRequired', 'unauthorized'];

export interface OcspSingleResponse {
  hashAlgorithm: DigestName;
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
  /** The serial as an integer key (`serialKey`). */
  serialNumber: string;
  status: 'good' | 'revoked' | 'unknown';
  revokedAt?: Date;
  reason?: string;
  thisUpdate: Date;
  nextUpdate?: Date;
}

export interface ParsedOcsp {
  /** The bytes as given (OCSPResponse or BasicOCSPResponse). */
  der: Uint8Array;
  tbs: Uint8Array;
  responderNameKey?: string;
  responderKeyHash?: Uint8Array;
  producedAt: Date;
  responses: OcspSingleResponse[];
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  certificates: Uint8Array[];
  nonce?: Uint8Array;
}

/** Parses a DER OCSPResponse (status successful) or a bare BasicOCSPResponse. */
const parsedOcsp = new Memo<ParsedOcsp>(500);

export function parseOcspResponse(input: Uint8Array): ParsedOcsp {
  const ocsp = parsedOcsp.get(contentKey(input), () => parseOcspCopy(input));
  // The caller's own bytes go back in usedOcsp.
  return { ...ocsp, der: input };
}

function parseOcspCopy(input: Uint8Array): ParsedOcsp {
  const der = new Uint8Array(input);
  return reading('réponse OCSP illisible', () => {
    const outer = parse(der);
    const parts = outer.items('réponse OCSP');
    if (parts[0]?.tag === 0x0a) {
      const status = parts[0].smallInteger('statut');
      if (status !== 0) throw new Asn1Error('MALFORMED', `le répondeur a refusé de répondre (statut ${RESPONSE_STATUS[status] ?? status})`);
      const [type, octetString] = outer.child(1, 'responseBytes').expect(0xa0, 'responseBytes').child(0, 'responseBytes').items('responseBytes');
      const oid = required(type, 'type de réponse').oid('type de réponse');
      if (oid !== OID.ocspBasic) throw new Asn1Error('MALFORMED', `type de réponse ${oid} non pris en charge`);
      return { ...parseBasic(parse(required(octetString, 'réponse').expect(0x04, 'réponse').content)), der: input };
    }
    return { ...parseBasic(outer), der: input };
  });
}

function parseBasic(outer: Node): ParsedOcsp {
  const [tbsNode, algNode, sigNode, certsNode] = outer.items('BasicOCSPResponse');
  const fields = required(tbsNode, 'ResponseData').items('ResponseData');
  let i = 0;
  if (fields[i]?.tag === 0xa0) i++;
  const responder = fields[i++];
  const parsed: ParsedOcsp = {
    der: outer.bytes,
    tbs: tbsNode!.raw,
    producedAt: required(fields[i++], 'producedAt').expect(0x18, 'producedAt').time('producedAt'),
    responses: [],
    signatureAlgorithm: readAlgorithm(algNode, 'algorithme de signature'),
    signature: required(sigNode, 'signature OCSP').bits('signature OCSP'),
    certificates: [],
  };
  if (responder?.tag === 0xa1) {
    parsed.responderNameKey = nameKey(responder.child(0, 'nom du répondeur').expect(0x30, 'nom du répondeur').raw);
  } else if (responder?.tag === 0xa2) {
    parsed.responderKeyHash = responder.child(0, 'empreinte de clé du répondeur').expect(0x04, 'empreinte de clé du répondeur').content;
  } else {
    throw new Asn1Error('MALFORMED', 'identifiant du répondeur absent');
  }
  for (const single of required(fields[i++], 'responses').items('responses')) parsed.responses.push(parseSingle(single));
  if (fields[i]?.tag === 0xa1) {
    const nonce = readExtensions(fields[i]!.child(0, 'extensions')).find((e) => e.oid === OID.ocspNonce);
    if (nonce) parsed.nonce = nonce.value;
  }
  if (certsNode)
    parsed.certificates = certsNode
      .expect(0xa0, 'certificats OCSP')
      .child(0, 'certificats OCSP')
      .items('certificats OCSP')
      .map((c) => c.raw);
  return parsed;
}

function parseSingle(node: Node): OcspSingleResponse {
  const [certId, status, thisUpdate, ...rest] = node.items('SingleResponse');
  const [alg, nameHash, keyHash, serial] = required(certId, 'CertID').items('CertID');
  const single: OcspSingleResponse = {
    hashAlgorithm: digestAlgorithm(readAlgorithm(alg, 'algorithme de CertID')),
    issuerNameHash: required(nameHash, 'issuerNameHash').expect(0x04, 'issuerNameHash').content,
    issuerKeyHash: required(keyHash, 'issuerKeyHash').expect(0x04, 'issuerKeyHash').content,
    serialNumber: serialKey(required(serial, 'numéro de série').expect(0x02, 'numéro de série').content),
    status: 'unknown',
    thisUpdate: required(thisUpdate, 'thisUpdate').expect(0x18, 'thisUpdate').time('thisUpdate'),
  };
  if (!status) throw new Asn1Error('MALFORMED', 'certStatus absent');
  if (status.tag === 0x80) single.status = 'good';
  else if (status.tag === 0x82) single.status = 'unknown';
  else if (status.tag === 0xa1) {
    single.status = 'revoked';
    const [time, reason] = status.children;
    single.revokedAt = required(time, 'revocationTime').expect(0x18, 'revocationTime').time('revocationTime');
    if (reason) {
      const n = reason.expect(0xa0, 'revocationReason').child(0, 'revocationReason').expect(0x0a, 'revocationReason').smallInteger('revocationReason');
      single.reason = CRL_REASONS[n] ?? `code ${n}`;
    }
  } else throw new Asn1Error('MALFORMED', `certStatus inconnu (étiquette 0x${status.tag.toString(16)})`);
  const next = rest.find((t) => t.tag === 0xa0);
  if (next) single.nextUpdate = next.child(0, 'nextUpdate').expect(0x18, 'nextUpdate').time('nextUpdate');
  return single;
}

const SHA1_ALG = Uint8Array.from([0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00]);

/** The single responses that speak about `cert` (issued by `issuer`), whatever CertID hash they use. */
export function responsesFor(ocsp: ParsedOcsp, cert: ParsedCertificate, issuer: ParsedCertificate): OcspSingleResponse[] {
  const serial = serialKeyOf(cert);
  return ocsp.responses.filter(
    (r) =>
      r.serialNumber === serial && sameBytes(r.issuerNameHash, hash(r.hashAlgorithm, cert.issuerDer)) && sameBytes(r.issuerKeyHash, hash(r.hashAlgorithm, issuer.publicKeyBits)),
  );
}

/** A DER OCSPRequest for one certificate, CertID with SHA-1 as RFC 5019 responders expect. */
export function buildOcspRequest(cert: ParsedCertificate, issuer: ParsedCertificate): Uint8Array {
  const certId = seq(SHA1_ALG, octets(hash('SHA-1', cert.issuerDer)), octets(hash('SHA-1', issuer.publicKeyBits)), tlv(0x02, cert.serialBytes));
  return new Uint8Array(seq(seq(seq(seq(certId)))));
}

export function responderKeyHashOf(cert: ParsedCertificate): Uint8Array {
  return hash('SHA-1', cert.publicKeyBits);
}
