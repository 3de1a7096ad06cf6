import { Asn1Error, OID, hash, parseCertificate, sameBytes, verifySignature, verifySignatureCached, type ParsedCertificate } from '../../asn1/index.ts';
import type { ParsedCms } from './cms.ts';
import type { Indication, SubIndication } from './report.ts';

/**
 * Certificates met during one file's verification: the same CA and TSA certificates
 * recur in every CMS of a file. Whether a certificate's signature holds is asked of
 * asn1's verification memory, which chain validation fills too: each certificate
 * signature is checked once per process.
 */
export class CertificateCache {
  private readonly intact = new Map<ParsedCertificate, boolean>();

  /** The parsed certificate; throws an Asn1Error when it is unreadable. */
  info(der: Uint8Array): ParsedCertificate {
    return parseCertificate(der);
  }

  /** Whether the certificate is well formed and its signature verifies with one of the candidate issuer keys (SPKI DER). */
  verifiesWith(cert: ParsedCertificate, issuerKeys: () => Iterable<Uint8Array>): boolean {
    let ok = this.intact.get(cert);
    if (ok === undefined) {
      ok = intactCertificate(cert, issuerKeys);
      this.intact.set(cert, ok);
    }
    return ok;
  }
}

function intactCertificate(cert: ParsedCertificate, issuerKeys: () => Iterable<Uint8Array>): boolean {
  // RFC 5280: the outer algorithm repeats the signed one exactly; nothing else is unsigned.
  if (!sameBytes(cert.signatureAlgorithmDer, cert.tbsSignatureAlgorithmDer)) return false;
  for (const spki of issuerKeys()) {
    try {
      if (verifySignatureCached(spki, cert.signatureAlgorithm, cert.tbs, cert.signature)) return true;
    } catch {
      // an algorithm or key this verifier cannot use proves nothing
    }
  }
  return false;
}

export interface IntegrityResult {
  indication?: Indication;
  subIndication?: SubIndication;
  reasons: string[];
  signer?: ParsedCertificate;
  /** signing-certificate(-v2) present and matching the signer. */
  essMatches: boolean;
}

/**
 * Step 3 of the verification: message-digest against the signed bytes, the
 * signature value with native crypto, and the signer's identification.
 * `content` is what the signature covers when there are no signed attributes
 * (the ByteRange bytes, or the TSTInfo for a timestamp token).
 */
export function checkIntegrity(cms: ParsedCms, content: Uint8Array[], pool: Uint8Array[], requireEss: boolean, cache: CertificateCache): IntegrityResult {
  const reasons: string[] = [];
  const signer = findSigner(cms, pool, cache);
  let essMatches = false;
  if (cms.signedAttrsDer) {
    if (!cms.messageDigest) return { indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE', reasons: ['l’empreinte signée (message-digest) est absente'], essMatches };
    if (!sameBytes(hash(cms.digestAlgorithm, ...content), cms.messageDigest)) {
      return {
        indication: 'TOTAL_FAILED',
        subIndication: 'HASH_FAILURE',
        reasons: ['le document a été modifié : son empreinte ne correspond plus à celle qui a été signée'],
        essMatches,
        ...(signer ? { signer } : {}),
      };
    }
    if (cms.contentTypeAttr !== undefined && cms.contentTypeAttr !== cms.eContentType) {
      return { indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE', reasons: ['le type de contenu signé est incohérent'], essMatches };
    }
  }
  if (!signer) {
    return { indication: 'INDETERMINATE', subIndication: 'NO_SIGNING_CERTIFICATE_FOUND', reasons: ['le certificat du signataire est introuvable dans la signature'], essMatches };
  }
  const signedData = cms.signedAttrsDer ?? Buffer.concat(content);
  let verified: boolean;
  try {
    verified = verifySignature(signer.spki, cms.signatureAlgorithm, signedData, cms.signature, cms.digestAlgorithm);
  } catch (error) {
    if (!(error instanceof Asn1Error)) throw error;
    return { indication: 'INDETERMINATE', subIndication: 'CRYPTO_CONSTRAINTS_FAILURE', reasons: [error.message], signer, essMatches };
  }
  if (!verified) {
    return {
      indication: 'TOTAL_FAILED',
      subIndication: 'SIG_CRYPTO_FAILURE',
      reasons: ['la valeur de signature ne correspond pas : la signature a été altérée ou ne vient pas de ce certificat'],
      signer,
      essMatches,
    };
  }
  if (cms.essCertIds && cms.essCertIds.length > 0) {
    const id = cms.essCertIds[0]!;
    essMatches = id.hash !== null && sameBytes(hash(id.hash, signer.der), id.certHash) && (id.issuerSerial === undefined || issuerSerialMatches(id.issuerSerial, signer));
    if (!essMatches) {
      return {
        indication: 'INDETERMINATE',
        subIndication: 'NO_SIGNING_CERTIFICATE_FOUND',
        reasons: ['le certificat désigné par la signature (signing-certificate) ne correspond pas à celui qui a signé'],
        signer,
        essMatches,
      };
    }
  } else if (requireEss) {
    return {
      indication: 'INDETERMINATE',
      subIndication: 'NO_SIGNING_CERTIFICATE_FOUND',
      reasons: ['la signature ne désigne pas son certificat (attribut signing-certificate absent)'],
      signer,
      essMatches,
    };
  }
  const problem = embeddedCertificateProblem(cms.certificates, pool, cache);
  if (problem?.kind === 'altered') return { indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE', reasons: [problem.reason], signer, essMatches };
  if (problem) return { indication: 'INDETERMINATE', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND', reasons: [problem.reason], signer, essMatches };
  if (cms.eContentType !== OID.data && cms.eContentType !== OID.tstInfo) reasons.push('type de contenu inhabituel');
  return { reasons, signer, essMatches };
}

export interface EmbeddedCertificateProblem {
  /** `altered`: a known issuer key (or its own, when self-issued) does not verify it; `unknown-issuer`: no key to ask. */
  kind: 'altered' | 'unknown-issuer';
  reason: string;
}

/**
 * Certificates travel unsigned beside the signature; one that a known issuer key (or its
 * own, when self-issued) does not verify has been altered. One whose issuer is nowhere to
 * be found proves nothing either way: it is NO_CERTIFICATE_CHAIN_FOUND, naming the missing
 * issuer, as pyHanko and DSS say — never "altered".
 */
export function embeddedCertificateProblem(embedded: Uint8Array[], pool: Uint8Array[], cache: CertificateCache): EmbeddedCertificateProblem | undefined {
  const all = [...embedded, ...pool];
  let unknown: EmbeddedCertificateProblem | undefined;
  for (const der of embedded) {
    let info: ParsedCertificate;
    try {
      info = cache.info(der);
    } catch {
      return { kind: 'altered', reason: 'un certificat joint à la signature est illisible' };
    }
    function* issuerKeys(): Generator<Uint8Array> {
      for (const c of all) {
        let candidate: ParsedCertificate;
        try {
          candidate = cache.info(c);
        } catch {
          continue;
        }
        if (sameBytes(candidate.subjectDer, info.issuerDer)) yield candidate.spki;
      }
      if (sameBytes(info.subjectDer, info.issuerDer)) yield info.spki;
    }
    // The usual case stops at the first key that verifies; only a failure asks whether there was any key at all.
    if (cache.verifiesWith(info, issuerKeys)) continue;
    if (issuerKeys().next().done) {
      unknown ??= {
        kind: 'unknown-issuer',
        reason: `l’émetteur « ${info.issuer} » du certificat joint « ${info.subject} » est introuvable (ni joint ni parmi les certificats de confiance)`,
      };
      continue;
    }
    return { kind: 'altered', reason: `le certificat joint « ${info.subject} » est altéré : la clé de son émetteur ne le vérifie pas` };
  }
  return unknown;
}

/** The DSS sits in unsigned revisions: any certificate there that cannot be checked is refused. */
export function alteredEmbeddedCertificate(embedded: Uint8Array[], pool: Uint8Array[], cache: CertificateCache): string | undefined {
  const problem = embeddedCertificateProblem(embedded, pool, cache);
  if (!problem) return undefined;
  return problem.kind === 'altered' ? problem.reason : `${problem.reason} : son intégrité ne peut pas être vérifiée`;
}

function findSigner(cms: ParsedCms, pool: Uint8Array[], cache: CertificateCache): ParsedCertificate | undefined {
  for (const der of pool) {
    let info: ParsedCertificate;
    try {
      info = cache.info(der);
    } catch {
      continue;
    }
    if (cms.sid.subjectKeyIdentifier) {
      if (info.subjectKeyId && info.subjectKeyId === Buffer.from(cms.sid.subjectKeyIdentifier).toString('hex')) return info;
    } else if (cms.sid.serial && cms.sid.issuer) {
      if (sameBytes(info.serialBytes, cms.sid.serial) && sameBytes(info.issuerDer, cms.sid.issuer)) return info;
    }
  }
  return undefined;
}

/** IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber } — compare the serial and the directory name bytes. */
function issuerSerialMatches(issuerSerial: Uint8Array, signer: ParsedCertificate): boolean {
  const raw = Buffer.from(issuerSerial);
  return raw.includes(Buffer.from(signer.serialBytes)) && raw.includes(Buffer.from(signer.issuerDer));
}
