import { assertWellFormed, children, content, DerFormatError, expect, readInteger, readOid, readTime, readWhole, slice, type Tlv } from './der.ts';
import { formatDate, nameKey, normalizeSerial, sameBytes, toHex, tryParseCertificate, type ParsedCertificate } from './certificate.ts';
import { parseAlgorithm } from './crl.ts';
import { digestAlgorithm, hash, verifySignedData, type AlgorithmRef, type DigestName } from './crypto.ts';
import { validatePath } from './path.ts';
import type { TimestampVerification, TimestampVerificationOptions } from './types.ts';

const OIDS = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
};
const IMPRINT_HASHES: ReadonlySet<DigestName> = new Set(['SHA-256', 'SHA-384', 'SHA-512']);

interface TstInfo {
  policy: string;
  hashAlgorithm: DigestName;
  imprint: Uint8Array;
  serialNumber: string;
  genTime: Date;
  accuracyMs?: number;
  nonce?: bigint;
}

interface SignerInfo {
  sid: { issuerKey: string; serialNumber: string } | { keyId: string };
  digestAlgorithm: DigestName;
  /** DER of the signed attributes re-tagged as SET OF (0x31): the bytes the TSA signed. */
  signedAttributes?: Uint8Array;
  attributes: Map<string, Tlv[]>;
  signatureAlgorithm: AlgorithmRef;
  signature: Uint8Array;
  der: Uint8Array;
}

interface Token {
  eContent: Uint8Array;
  tst: TstInfo;
  certificates: Uint8Array[];
  signer: SignerInfo;
}

/** Accepts a TimeStampToken (ContentInfo) or a whole TimeStampResp and returns the token's ContentInfo bytes. */
function unwrapResponse(der: Uint8Array): Uint8Array {
  const outer = expect(der, readWhole(der, 'jeton'), 0x30, 'jeton');
  const parts = children(der, outer);
  if (parts[0]?.tag !== 0x30) return der;
  const [status] = children(der, parts[0]);
  const code = Number(readInteger(der, expect(der, status, 0x02, 'statut PKIStatus')));
  if (code !== 0 && code !== 1) throw new DerFormatError(`la réponse de l'horodateur est un refus (statut ${code})`);
  if (!parts[1]) throw new DerFormatError('la réponse de l’horodateur ne contient pas de jeton');
  return slice(der, parts[1]);
}

function octetStringContent(der: Uint8Array, tlv: Tlv | undefined, what: string): Uint8Array {
  if (tlv?.tag === 0x24) return new Uint8Array(Buffer.concat(children(der, tlv).map((c) => octetStringContent(der, c, what))));
  return content(der, expect(der, tlv, 0x04, what));
}

function parseToken(input: Uint8Array): Token {
  const der = unwrapResponse(new Uint8Array(input));
  assertWellFormed(der);
  const [typeTlv, wrapped] = children(der, readWhole(der, 'ContentInfo'));
  const type = readOid(der, expect(der, typeTlv, 0x06, 'type de contenu'));
  if (type !== OIDS.signedData) throw new DerFormatError(`ContentInfo de type ${type}, SignedData attendu`);
  const [signedData] = children(der, expect(der, wrapped, 0xa0, 'contenu SignedData'));
  const fields = children(der, expect(der, signedData, 0x30, 'SignedData'));
  const version = readInteger(der, expect(der, fields[0], 0x02, 'version de SignedData'));
  if (version !== 3n) throw new DerFormatError(`SignedData version ${version}, 3 attendue pour un TSTInfo`);
  const digestAlgorithms = children(der, expect(der, fields[1], 0x31, 'digestAlgorithms')).map((alg) => digestAlgorithm(parseAlgorithm(der, alg)));
  const encap = children(der, expect(der, fields[2], 0x30, 'encapContentInfo'));
  const eType = readOid(der, expect(der, encap[0], 0x06, 'eContentType'));
  if (eType !== OIDS.tstInfo) throw new DerFormatError(`contenu ${eType} au lieu de TSTInfo`);
  const [eContentTlv] = children(der, expect(der, encap[1], 0xa0, 'eContent'));
  const eContent = octetStringContent(der, eContentTlv, 'eContent');
  let i = 3;
  let certificates: Uint8Array[] = [];
  if (fields[i]?.tag === 0xa0) certificates = children(der, fields[i++]!).filter((c) => c.tag === 0x30).map((c) => slice(der, c));
  if (fields[i]?.tag === 0xa1) i++;
  const signerInfos = children(der, expect(der, fields[i], 0x31, 'signerInfos'));
  if (signerInfos.length !== 1) throw new DerFormatError(`${signerInfos.length} signataires au lieu d'un seul`);
  const signer = parseSignerInfo(der, signerInfos[0]!);
  if (!digestAlgorithms.includes(signer.digestAlgorithm)) {
    throw new DerFormatError(`digestAlgorithms ne contient pas ${signer.digestAlgorithm}, l'algorithme du signataire`);
  }
  return { eContent, tst: parseTstInfo(eContent), certificates, signer };
}

function parseTstInfo(der: Uint8Array): TstInfo {
  const fields = children(der, expect(der, readWhole(der, 'TSTInfo'), 0x30, 'TSTInfo'));
  const version = readInteger(der, expect(der, fields[0], 0x02, 'version'));
  if (version !== 1n) throw new DerFormatError(`TSTInfo version ${version}`);
  const [alg, imprint] = children(der, expect(der, fields[2], 0x30, 'messageImprint'));
  const tst: TstInfo = {
    policy: readOid(der, expect(der, fields[1], 0x06, 'politique')),
    hashAlgorithm: digestAlgorithm(parseAlgorithm(der, alg)),
    imprint: content(der, expect(der, imprint, 0x04, 'empreinte')),
    serialNumber: normalizeSerial(content(der, expect(der, fields[3], 0x02, 'numéro de série'))),
    genTime: readTime(der, expect(der, fields[4], 0x18, 'genTime')),
  };
  for (const field of fields.slice(5)) {
    if (field.tag === 0x30) {
      let ms = 0;
      for (const part of children(der, field)) {
        const value = Number(BigInt(`0x${toHex(content(der, part)) || '0'}`));
        if (part.tag === 0x02) ms += value * 1000;
        else if (part.tag === 0x80) ms += value;
        else if (part.tag === 0x81) ms += value / 1000;
      }
      tst.accuracyMs = ms;
    } else if (field.tag === 0x02) {
      tst.nonce = readInteger(der, field);
    }
  }
  return tst;
}

function parseSignerInfo(der: Uint8Array, tlv: Tlv): SignerInfo {
  const fields = children(der, expect(der, tlv, 0x30, 'SignerInfo'));
  const version = readInteger(der, expect(der, fields[0], 0x02, 'version de SignerInfo'));
  const sidTlv = fields[1];
  if (version !== (sidTlv?.tag === 0x80 ? 3n : 1n)) throw new DerFormatError(`SignerInfo version ${version} incohérente avec son identifiant`);
  let sid: SignerInfo['sid'];
  if (sidTlv?.tag === 0x30) {
    const [issuer, serial] = children(der, sidTlv);
    sid = {
      issuerKey: nameKey(slice(der, expect(der, issuer, 0x30, 'émetteur du signataire'))),
      serialNumber: normalizeSerial(content(der, expect(der, serial, 0x02, 'numéro de série du signataire'))),
    };
  } else if (sidTlv?.tag === 0x80) {
    sid = { keyId: toHex(content(der, sidTlv)) };
  } else throw new DerFormatError('identifiant du signataire absent');
  const digest = digestAlgorithm(parseAlgorithm(der, fields[2]));
  let i = 3;
  const attributes = new Map<string, Tlv[]>();
  let signedAttributes: Uint8Array | undefined;
  if (fields[i]?.tag === 0xa0) {
    const attrs = fields[i++]!;
    signedAttributes = new Uint8Array(slice(der, attrs));
    signedAttributes[0] = 0x31;
    for (const attr of children(der, attrs)) {
      const [oid, values] = children(der, expect(der, attr, 0x30, 'attribut signé'));
      const key = readOid(der, expect(der, oid, 0x06, 'type d’attribut'));
      if (attributes.has(key)) throw new DerFormatError(`attribut signé ${key} présent deux fois`);
      attributes.set(key, children(der, expect(der, values, 0x31, `valeurs de l’attribut ${key}`)));
    }
  }
  return {
    sid,
    digestAlgorithm: digest,
    ...(signedAttributes ? { signedAttributes } : {}),
    attributes,
    signatureAlgorithm: parseAlgorithm(der, fields[i++]),
    signature: content(der, expect(der, fields[i], 0x04, 'signature')),
    der,
  };
}

function findTsaCertificate(sid: SignerInfo['sid'], candidates: ParsedCertificate[]): ParsedCertificate | undefined {
  return candidates.find((c) => ('keyId' in sid ? c.subjectKeyId === sid.keyId : c.issuerKey === sid.issuerKey && c.serialNumber === sid.serialNumber));
}

/** ESSCertIDv2 (or ESSCertID) in the signed attributes must name the TSA certificate. */
function essCertIdMatches(signer: SignerInfo, tsa: ParsedCertificate): string | null {
  const der = signer.der;
  const v2 = signer.attributes.get(OIDS.signingCertificateV2)?.[0];
  const v1 = signer.attributes.get(OIDS.signingCertificate)?.[0];
  const attr = v2 ?? v1;
  if (!attr) return 'aucun attribut signing-certificate(-v2) ne désigne le certificat de l’horodateur';
  const [certs] = children(der, expect(der, attr, 0x30, 'SigningCertificate'));
  const [first] = children(der, expect(der, certs, 0x30, 'liste ESSCertID'));
  const parts = children(der, expect(der, first, 0x30, 'ESSCertID'));
  let alg: DigestName = v2 ? 'SHA-256' : 'SHA-1';
  let k = 0;
  if (v2 && parts[0]?.tag === 0x30) alg = digestAlgorithm(parseAlgorithm(der, parts[k++]));
  const certHash = content(der, expect(der, parts[k++], 0x04, 'certHash'));
  if (!sameBytes(certHash, hash(alg, tsa.der))) return `l’empreinte ${alg} du certificat dans ESSCertID ne correspond pas au certificat de l’horodateur`;
  const issuerSerial = parts[k];
  if (issuerSerial) {
    const [names, serial] = children(der, expect(der, issuerSerial, 0x30, 'IssuerSerial'));
    if (normalizeSerial(content(der, expect(der, serial, 0x02, 'numéro de série'))) !== tsa.serialNumber) {
      return 'le numéro de série dans ESSCertID ne correspond pas au certificat de l’horodateur';
    }
    const directory = children(der, expect(der, names, 0x30, 'GeneralNames')).find((n) => n.tag === 0xa4);
    if (directory) {
      const [name] = children(der, directory);
      if (nameKey(slice(der, expect(der, name, 0x30, 'nom'))) !== tsa.issuerKey) return 'l’émetteur dans ESSCertID ne correspond pas au certificat de l’horodateur';
    }
  }
  return null;
}

/** RFC 3161 token verification: imprint, CMS signature, message-digest, ESSCertID(v2), then the TSA chain at genTime. */
export async function verifyTimestampToken(token: Uint8Array, options: TimestampVerificationOptions): Promise<TimestampVerification> {
  const out: TimestampVerification = { ok: false, reasons: [], imprintMatches: false, certificates: [], signatureValid: false, essCertIdMatches: false };
  let parsed: Token;
  try {
    parsed = parseToken(token);
  } catch (error) {
    out.reasons.push(`jeton d'horodatage illisible : ${(error as Error).message}`);
    return out;
  }
  const { tst, signer } = parsed;
  Object.assign(out, {
    genTime: tst.genTime,
    serialNumber: tst.serialNumber,
    policy: tst.policy,
    hashAlgorithm: tst.hashAlgorithm,
    imprint: tst.imprint,
    certificates: parsed.certificates,
    ...(tst.accuracyMs !== undefined ? { accuracyMs: tst.accuracyMs } : {}),
    ...(tst.nonce !== undefined ? { nonce: tst.nonce } : {}),
  });

  if (!IMPRINT_HASHES.has(tst.hashAlgorithm)) {
    out.reasons.push(`empreinte calculée avec ${tst.hashAlgorithm} : SHA-256, SHA-384 ou SHA-512 attendu`);
  } else if (options.data !== undefined) {
    out.imprintMatches = sameBytes(hash(tst.hashAlgorithm, options.data), tst.imprint);
    if (!out.imprintMatches) out.reasons.push(`l'empreinte ${tst.hashAlgorithm} du jeton ne correspond pas aux données horodatées`);
  } else if (options.imprint !== undefined) {
    out.imprintMatches = sameBytes(options.imprint, tst.imprint);
    if (!out.imprintMatches) out.reasons.push("l'empreinte du jeton ne correspond pas à l'empreinte attendue");
  } else {
    out.reasons.push("ni données ni empreinte fournies : l'empreinte du jeton n'est pas vérifiée");
  }

  const pool = [...parsed.certificates, ...(options.intermediates ?? []), ...options.trustAnchors]
    .map(tryParseCertificate)
    .filter((c): c is ParsedCertificate => !(c instanceof Error));
  const tsa = findTsaCertificate(signer.sid, pool);
  if (!tsa) {
    out.reasons.push("le certificat de l'horodateur n'est ni dans le jeton ni parmi les certificats fournis");
    return out;
  }
  out.tsaCertificate = new Uint8Array(tsa.der);

  try {
    out.signatureValid = verifyCms(parsed, tsa, out.reasons);
  } catch (error) {
    out.reasons.push(`signature du jeton invérifiable : ${(error as Error).message}`);
  }
  try {
    const problem = essCertIdMatches(signer, tsa);
    out.essCertIdMatches = problem === null;
    if (problem) out.reasons.push(problem);
  } catch (error) {
    out.reasons.push(`attribut signing-certificate illisible : ${(error as Error).message}`);
  }

  out.chain = await validatePath({
    certificate: tsa.der,
    intermediates: [...parsed.certificates, ...(options.intermediates ?? [])],
    trustAnchors: options.trustAnchors,
    crls: options.crls ?? [],
    ocspResponses: options.ocspResponses ?? [],
    time: options.time ?? tst.genTime,
    purpose: 'timestamping',
    ...(options.policyMap ? { policyMap: options.policyMap } : {}),
    ...(options.fetchRevocation ? { fetchRevocation: options.fetchRevocation } : {}),
    revocationRequired: options.revocationRequired !== false,
  });
  if (out.chain.indication !== 'PASSED') {
    out.reasons.push(
      `chaîne de l'horodateur « ${tsa.subject} » non validée au ${formatDate(options.time ?? tst.genTime)} (${out.chain.subIndication}) : ${out.chain.reasons[0] ?? ''}`,
    );
  }
  out.ok = out.imprintMatches && out.signatureValid && out.essCertIdMatches && out.chain.indication === 'PASSED';
  return out;
}

function verifyCms(token: Token, tsa: ParsedCertificate, reasons: string[]): boolean {
  const { signer } = token;
  if (!signer.signedAttributes) {
    reasons.push('le jeton n’a pas d’attributs signés (RFC 3161 exige ESSCertID)');
    return false;
  }
  const der = signer.der;
  const [typeValue] = signer.attributes.get(OIDS.contentType) ?? [];
  if (!typeValue || readOid(der, typeValue) !== OIDS.tstInfo) {
    reasons.push('l’attribut content-type ne désigne pas un TSTInfo');
    return false;
  }
  const [digestValue] = signer.attributes.get(OIDS.messageDigest) ?? [];
  if (!digestValue || !sameBytes(content(der, expect(der, digestValue, 0x04, 'message-digest')), hash(signer.digestAlgorithm, token.eContent))) {
    reasons.push('l’attribut message-digest ne correspond pas au TSTInfo : le jeton a été modifié');
    return false;
  }
  if (!verifySignedData(tsa.spki, signer.signatureAlgorithm, signer.signedAttributes, signer.signature, signer.digestAlgorithm)) {
    reasons.push(`la signature du jeton ne se vérifie pas avec la clé de « ${tsa.subject} »`);
    return false;
  }
  return true;
}
