import {
  Asn1Error,
  OID,
  digestAlgorithm,
  hash,
  nameKey,
  normalizeSerial,
  parse,
  readAlgorithm,
  required,
  sameBytes,
  toHex,
  tryParseCertificate,
  verifySignature,
  type AlgorithmIdentifier,
  type DigestName,
  type Node,
  type ParsedCertificate,
} from '../../asn1/index.ts';
import { serialKey, serialKeyOf } from './crl.ts';
import { formatDate } from './dates.ts';
import { validatePath } from './path.ts';
import type { TimestampVerification, TimestampVerificationOptions } from './types.ts';

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
  attributes: Map<string, Node[]>;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
}

interface Token {
  eContent: Uint8Array;
  tst: TstInfo;
  certificates: Uint8Array[];
  signer: SignerInfo;
}

const malformed = (message: string): Asn1Error => new Asn1Error('MALFORMED', message);

/** Accepts a TimeStampToken (ContentInfo) or a whole TimeStampResp and returns the token's ContentInfo. */
function unwrapResponse(der: Uint8Array, ber: boolean): Node {
  const outer = parse(der, { ber });
  const parts = outer.items('jeton');
  if (parts[0]?.tag !== 0x30) return outer;
  const code = parts[0].child(0, 'statut PKIStatus').expect(0x02, 'statut PKIStatus').smallInteger('statut PKIStatus');
  if (code !== 0 && code !== 1) throw malformed(`la réponse de l'horodateur est un refus (statut ${code})`);
  return outer.child(1, 'jeton de la réponse de l’horodateur');
}

function parseToken(input: Uint8Array, ber = false): Token {
  const contentInfo = unwrapResponse(input, ber);
  const type = contentInfo.expect(0x30, 'ContentInfo').child(0, 'type de contenu').oid('type de contenu');
  if (type !== OID.signedData) throw malformed(`ContentInfo de type ${type}, SignedData attendu`);
  const fields = contentInfo.child(1, 'contenu SignedData').expect(0xa0, 'contenu SignedData').child(0, 'SignedData').items('SignedData');
  const version = required(fields[0], 'version de SignedData').integer('version de SignedData');
  if (version !== 3n) throw malformed(`SignedData version ${version}, 3 attendue pour un TSTInfo`);
  const digestAlgorithms = required(fields[1], 'digestAlgorithms')
    .items('digestAlgorithms', 0x31)
    .map((alg) => digestAlgorithm(readAlgorithm(alg)));
  const encap = required(fields[2], 'encapContentInfo').items('encapContentInfo');
  const eType = required(encap[0], 'eContentType').oid('eContentType');
  if (eType !== OID.tstInfo) throw malformed(`contenu ${eType} au lieu de TSTInfo`);
  const eContent = required(encap[1], 'eContent').expect(0xa0, 'eContent').child(0, 'eContent').octets('eContent');
  let i = 3;
  let certificates: Uint8Array[] = [];
  if (fields[i]?.tag === 0xa0) certificates = fields[i++]!.children.filter((c) => c.tag === 0x30).map((c) => c.raw);
  if (fields[i]?.tag === 0xa1) i++;
  const signerInfos = required(fields[i], 'signerInfos').items('signerInfos', 0x31);
  if (signerInfos.length !== 1) throw malformed(`${signerInfos.length} signataires au lieu d'un seul`);
  const signer = parseSignerInfo(signerInfos[0]!);
  if (!digestAlgorithms.includes(signer.digestAlgorithm)) {
    throw malformed(`digestAlgorithms ne contient pas ${signer.digestAlgorithm}, l'algorithme du signataire`);
  }
  return { eContent, tst: parseTstInfo(eContent, ber), certificates, signer };
}

function parseTstInfo(der: Uint8Array, ber: boolean): TstInfo {
  const fields = parse(der, { ber }).items('TSTInfo');
  const version = required(fields[0], 'version').integer('version');
  if (version !== 1n) throw malformed(`TSTInfo version ${version}`);
  const [alg, imprint] = required(fields[2], 'messageImprint').items('messageImprint');
  const tst: TstInfo = {
    policy: required(fields[1], 'politique').oid('politique'),
    hashAlgorithm: digestAlgorithm(readAlgorithm(alg, 'algorithme d’empreinte')),
    imprint: required(imprint, 'empreinte').expect(0x04, 'empreinte').content,
    serialNumber: normalizeSerial(required(fields[3], 'numéro de série').expect(0x02, 'numéro de série').content),
    genTime: required(fields[4], 'genTime').expect(0x18, 'genTime').time('genTime'),
  };
  for (const field of fields.slice(5)) {
    if (field.tag === 0x30) {
      let ms = 0;
      for (const part of field.children) {
        const value = Number(BigInt(`0x${toHex(part.content) || '0'}`));
        if (part.tag === 0x02) ms += value * 1000;
        else if (part.tag === 0x80) ms += value;
        else if (part.tag === 0x81) ms += value / 1000;
      }
      tst.accuracyMs = ms;
    } else if (field.tag === 0x02) {
      tst.nonce = field.integer('nonce');
    }
  }
  return tst;
}

function parseSignerInfo(node: Node): SignerInfo {
  const fields = node.items('SignerInfo');
  const version = required(fields[0], 'version de SignerInfo').integer('version de SignerInfo');
  const sidNode = fields[1];
  if (version !== (sidNode?.tag === 0x80 ? 3n : 1n)) throw malformed(`SignerInfo version ${version} incohérente avec son identifiant`);
  let sid: SignerInfo['sid'];
  if (sidNode?.tag === 0x30) {
    const [issuer, serial] = sidNode.children;
    sid = {
      issuerKey: nameKey(required(issuer, 'émetteur du signataire').expect(0x30, 'émetteur du signataire').raw),
      serialNumber: serialKey(required(serial, 'numéro de série du signataire').expect(0x02, 'numéro de série du signataire').content),
    };
  } else if (sidNode?.tag === 0x80) {
    sid = { keyId: toHex(sidNode.content) };
  } else throw malformed('identifiant du signataire absent');
  const digest = digestAlgorithm(readAlgorithm(fields[2], 'algorithme de hachage du signataire'));
  let i = 3;
  const attributes = new Map<string, Node[]>();
  let signedAttributes: Uint8Array | undefined;
  if (fields[i]?.tag === 0xa0) {
    const attrs = fields[i++]!;
    signedAttributes = new Uint8Array(attrs.raw);
    signedAttributes[0] = 0x31;
    for (const attr of attrs.children) {
      const [type, values] = attr.items('attribut signé');
      const key = required(type, 'type d’attribut').oid('type d’attribut');
      if (attributes.has(key)) throw malformed(`attribut signé ${key} présent deux fois`);
      attributes.set(key, required(values, `valeurs de l’attribut ${key}`).items(`valeurs de l’attribut ${key}`, 0x31));
    }
  }
  return {
    sid,
    digestAlgorithm: digest,
    ...(signedAttributes ? { signedAttributes } : {}),
    attributes,
    signatureAlgorithm: readAlgorithm(fields[i++], 'algorithme de signature'),
    signature: required(fields[i], 'signature').expect(0x04, 'signature').content,
  };
}

function findTsaCertificate(sid: SignerInfo['sid'], candidates: ParsedCertificate[]): ParsedCertificate | undefined {
  return candidates.find((c) => ('keyId' in sid ? c.subjectKeyId === sid.keyId : c.issuerKey === sid.issuerKey && serialKeyOf(c) === sid.serialNumber));
}

/** ESSCertIDv2 (or ESSCertID) in the signed attributes must name the TSA certificate. */
function essCertIdMatches(signer: SignerInfo, tsa: ParsedCertificate): string | null {
  const v2 = signer.attributes.get(OID.signingCertificateV2)?.[0];
  const v1 = signer.attributes.get(OID.signingCertificate)?.[0];
  const attr = v2 ?? v1;
  if (!attr) return 'aucun attribut signing-certificate(-v2) ne désigne le certificat de l’horodateur';
  const parts = attr.expect(0x30, 'SigningCertificate').child(0, 'liste ESSCertID').expect(0x30, 'liste ESSCertID').child(0, 'ESSCertID').items('ESSCertID');
  let alg: DigestName = v2 ? 'SHA-256' : 'SHA-1';
  let k = 0;
  if (v2 && parts[0]?.tag === 0x30) alg = digestAlgorithm(readAlgorithm(parts[k++]));
  const certHash = required(parts[k++], 'certHash').expect(0x04, 'certHash').content;
  if (!sameBytes(certHash, hash(alg, tsa.der))) return `l’empreinte ${alg} du certificat dans ESSCertID ne correspond pas au certificat de l’horodateur`;
  const issuerSerial = parts[k];
  if (issuerSerial) {
    const [names, serial] = issuerSerial.items('IssuerSerial');
    if (serialKey(required(serial, 'numéro de série').expect(0x02, 'numéro de série').content) !== serialKeyOf(tsa)) {
      return 'le numéro de série dans ESSCertID ne correspond pas au certificat de l’horodateur';
    }
    const directory = required(names, 'GeneralNames')
      .items('GeneralNames')
      .find((n) => n.tag === 0xa4);
    if (directory) {
      if (nameKey(directory.child(0, 'nom').expect(0x30, 'nom').raw) !== tsa.issuerKey) return 'l’émetteur dans ESSCertID ne correspond pas au certificat de l’horodateur';
    }
  }
  return null;
}

/** RFC 3161 token verification: imprint, CMS signature, message-digest, ESSCertID(v2), then the TSA chain at genTime. */
export async function verifyTimestampToken(token: Uint8Array, options: TimestampVerificationOptions): Promise<TimestampVerification> {
  const out: TimestampVerification = { ok: false, reasons: [], imprintMatches: false, certificates: [], signatureValid: false, essCertIdMatches: false };
  let parsed: Token;
  try {
    parsed = parseToken(token, options.ber === true);
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
    .filter((c): c is ParsedCertificate => !(c instanceof Asn1Error));
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
  const [typeValue] = signer.attributes.get(OID.contentType) ?? [];
  if (!typeValue || typeValue.oid('content-type') !== OID.tstInfo) {
    reasons.push('l’attribut content-type ne désigne pas un TSTInfo');
    return false;
  }
  const [digestValue] = signer.attributes.get(OID.messageDigest) ?? [];
  if (!digestValue || !sameBytes(digestValue.expect(0x04, 'message-digest').content, hash(signer.digestAlgorithm, token.eContent))) {
    reasons.push('l’attribut message-digest ne correspond pas au TSTInfo : le jeton a été modifié');
    return false;
  }
  if (!verifySignature(tsa.spki, signer.signatureAlgorithm, signer.signedAttributes, signer.signature, signer.digestAlgorithm)) {
    reasons.push(`la signature du jeton ne se vérifie pas avec la clé de « ${tsa.subject} »`);
    return false;
  }
  return true;
}
