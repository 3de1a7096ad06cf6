import { children, concat, content, DerFormatError, encodeTlv, expect, guard, parseExtensions, readInteger, readOid, readTime, readWhole, slice } from './der.ts';
import { nameKey, normalizeSerial, type ParsedCertificate } from './certificate.ts';
import { contentKey, Memo } from './memo.ts';
import { CRL_REASONS, bitStringBytes, parseAlgorithm } from './crl.ts';
import { digestAlgorithm, hash, type AlgorithmRef, type DigestName } from './crypto.ts';

const BASIC_OCSP = '1.3.6.1.5.5.7.48.1.1';
const OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';
const RESPONSE_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', '(4)', 'sigRequired', 'unauthorized'];

export interface OcspSingleResponse {
  hashAlgorithm: DigestName;
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
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
  signatureAlgorithm: AlgorithmRef;
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
  return guard('réponse OCSP illisible', () => {
    const outer = expect(der, readWhole(der, 'réponse OCSP'), 0x30, 'réponse OCSP');
    const parts = children(der, outer);
    if (parts[0]?.tag === 0x0a) {
      const status = Number(readInteger(der, parts[0]));
      if (status !== 0) throw new DerFormatError(`le répondeur a refusé de répondre (statut ${RESPONSE_STATUS[status] ?? status})`);
      const [responseBytes] = children(der, expect(der, parts[1], 0xa0, 'responseBytes'));
      const [type, octets] = children(der, expect(der, responseBytes, 0x30, 'responseBytes'));
      const oid = readOid(der, expect(der, type, 0x06, 'type de réponse'));
      if (oid !== BASIC_OCSP) throw new DerFormatError(`type de réponse ${oid} non pris en charge`);
      const basic = content(der, expect(der, octets, 0x04, 'réponse'));
      return { ...parseBasic(basic), der: input };
    }
    return { ...parseBasic(der), der: input };
  });
}

function parseBasic(der: Uint8Array): ParsedOcsp {
  const outer = expect(der, readWhole(der, 'BasicOCSPResponse'), 0x30, 'BasicOCSPResponse');
  const [tbsTlv, algTlv, sigTlv, certsTlv] = children(der, outer);
  const fields = children(der, expect(der, tbsTlv, 0x30, 'ResponseData'));
  let i = 0;
  if (fields[i]?.tag === 0xa0) i++;
  const responder = fields[i++];
  const parsed: ParsedOcsp = {
    der,
    tbs: slice(der, tbsTlv!),
    producedAt: readTime(der, expect(der, fields[i++], 0x18, 'producedAt')),
    responses: [],
    signatureAlgorithm: parseAlgorithm(der, algTlv),
    signature: bitStringBytes(der, sigTlv, 'signature OCSP'),
    certificates: [],
  };
  if (responder?.tag === 0xa1) {
    const [name] = children(der, responder);
    parsed.responderNameKey = nameKey(slice(der, expect(der, name, 0x30, 'nom du répondeur')));
  } else if (responder?.tag === 0xa2) {
    const [key] = children(der, responder);
    parsed.responderKeyHash = content(der, expect(der, key, 0x04, 'empreinte de clé du répondeur'));
  } else {
    throw new DerFormatError('identifiant du répondeur absent');
  }
  for (const single of children(der, expect(der, fields[i++], 0x30, 'responses'))) parsed.responses.push(parseSingle(der, single));
  if (fields[i]?.tag === 0xa1) {
    const [list] = children(der, fields[i]!);
    const nonce = parseExtensions(der, list!).find((e) => e.oid === OCSP_NONCE);
    if (nonce) parsed.nonce = nonce.value;
  }
  if (certsTlv) {
    const [seq] = children(der, expect(der, certsTlv, 0xa0, 'certificats OCSP'));
    parsed.certificates = children(der, expect(der, seq, 0x30, 'certificats OCSP')).map((c) => slice(der, c));
  }
  return parsed;
}

function parseSingle(der: Uint8Array, tlv: ReturnType<typeof readWhole>): OcspSingleResponse {
  const [certId, status, thisUpdate, ...rest] = children(der, expect(der, tlv, 0x30, 'SingleResponse'));
  const [alg, nameHash, keyHash, serial] = children(der, expect(der, certId, 0x30, 'CertID'));
  const single: OcspSingleResponse = {
    hashAlgorithm: digestAlgorithm(parseAlgorithm(der, alg)),
    issuerNameHash: content(der, expect(der, nameHash, 0x04, 'issuerNameHash')),
    issuerKeyHash: content(der, expect(der, keyHash, 0x04, 'issuerKeyHash')),
    serialNumber: normalizeSerial(content(der, expect(der, serial, 0x02, 'numéro de série'))),
    status: 'unknown',
    thisUpdate: readTime(der, expect(der, thisUpdate, 0x18, 'thisUpdate')),
  };
  if (!status) throw new DerFormatError('certStatus absent');
  if (status.tag === 0x80) single.status = 'good';
  else if (status.tag === 0x82) single.status = 'unknown';
  else if (status.tag === 0xa1) {
    single.status = 'revoked';
    const [time, reason] = children(der, status);
    single.revokedAt = readTime(der, expect(der, time, 0x18, 'revocationTime'));
    if (reason) {
      const [code] = children(der, expect(der, reason, 0xa0, 'revocationReason'));
      const n = Number(readInteger(der, expect(der, code, 0x0a, 'revocationReason')));
      single.reason = CRL_REASONS[n] ?? `code ${n}`;
    }
  } else throw new DerFormatError(`certStatus inconnu (étiquette 0x${status.tag.toString(16)})`);
  const next = rest.find((t) => t.tag === 0xa0);
  if (next) {
    const [time] = children(der, next);
    single.nextUpdate = readTime(der, expect(der, time, 0x18, 'nextUpdate'));
  }
  return single;
}

const SHA1_ALG = Uint8Array.from([0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00]);

/** The single responses that speak about `cert` (issued by `issuer`), whatever CertID hash they use. */
export function responsesFor(ocsp: ParsedOcsp, cert: ParsedCertificate, issuer: ParsedCertificate): OcspSingleResponse[] {
  return ocsp.responses.filter(
    (r) =>
      r.serialNumber === cert.serialNumber &&
      Buffer.from(r.issuerNameHash).equals(Buffer.from(hash(r.hashAlgorithm, cert.issuerDer))) &&
      Buffer.from(r.issuerKeyHash).equals(Buffer.from(hash(r.hashAlgorithm, issuer.publicKeyBits))),
  );
}

/** A DER OCSPRequest for one certificate, CertID with SHA-1 as RFC 5019 responders expect. */
export function buildOcspRequest(cert: ParsedCertificate, issuer: ParsedCertificate): Uint8Array {
  const serial = Buffer.from(cert.serialNumber.length % 2 ? `0${cert.serialNumber}` : cert.serialNumber, 'hex');
  const serialBody = serial[0]! & 0x80 ? concat(Uint8Array.of(0), serial) : new Uint8Array(serial);
  const certId = encodeTlv(
    0x30,
    concat(SHA1_ALG, encodeTlv(0x04, hash('SHA-1', cert.issuerDer)), encodeTlv(0x04, hash('SHA-1', issuer.publicKeyBits)), encodeTlv(0x02, serialBody)),
  );
  const request = encodeTlv(0x30, certId);
  return encodeTlv(0x30, encodeTlv(0x30, encodeTlv(0x30, request)));
}

export function responderKeyHashOf(cert: ParsedCertificate): Uint8Array {
  return hash('SHA-1', cert.publicKeyBits);
}
