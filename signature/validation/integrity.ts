import crypto from 'node:crypto';
import { OID, digest, type ParsedCms } from './cms.ts';
import { verifySignatureValue, type CertificateCache, type CertificateInfo } from './certificate-info.ts';
import type { Indication, SubIndication } from './report.ts';

export interface IntegrityResult {
  indication?: Indication;
  subIndication?: SubIndication;
  reasons: string[];
  signer?: CertificateInfo;
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
    const actual = digest(cms.digestAlgorithm, content);
    if (!Buffer.from(actual).equals(cms.messageDigest)) {
      return { indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE', reasons: ['le document a été modifié : son empreinte ne correspond plus à celle qui a été signée'], essMatches, ...(signer ? { signer } : {}) };
    }
    if (cms.contentTypeAttr !== undefined && cms.contentTypeAttr !== cms.eContentType) {
      return { indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE', reasons: ['le type de contenu signé est incohérent'], essMatches };
    }
  }
  if (!signer) {
    return { indication: 'INDETERMINATE', subIndication: 'NO_SIGNING_CERTIFICATE_FOUND', reasons: ['le certificat du signataire est introuvable dans la signature'], essMatches };
  }
  const signedData = cms.signedAttrsDer ?? Buffer.concat(content);
  const verified = verifySignatureValue(signer.publicKey, cms.signatureAlgorithm, cms.digestAlgorithm, signedData, cms.signature);
  if (typeof verified === 'object') return { indication: 'INDETERMINATE', subIndication: 'CRYPTO_CONSTRAINTS_FAILURE', reasons: [verified.unsupported], signer, essMatches };
  if (!verified) {
    return { indication: 'TOTAL_FAILED', subIndication: 'SIG_CRYPTO_FAILURE', reasons: ['la valeur de signature ne correspond pas : la signature a été altérée ou ne vient pas de ce certificat'], signer, essMatches };
  }
  if (cms.essCertIds && cms.essCertIds.length > 0) {
    const id = cms.essCertIds[0]!;
    const hash = id.hash === 'unknown' ? undefined : crypto.createHash(id.hash).update(signer.der).digest();
    essMatches = hash !== undefined && hash.equals(id.certHash) && (id.issuerSerial === undefined || issuerSerialMatches(id.issuerSerial, signer));
    if (!essMatches) {
      return { indication: 'INDETERMINATE', subIndication: 'NO_SIGNING_CERTIFICATE_FOUND', reasons: ['le certificat désigné par la signature (signing-certificate) ne correspond pas à celui qui a signé'], signer, essMatches };
    }
  } else if (requireEss) {
    return { indication: 'INDETERMINATE', subIndication: 'NO_SIGNING_CERTIFICATE_FOUND', reasons: ['la signature ne désigne pas son certificat (attribut signing-certificate absent)'], signer, essMatches };
  }
  const altered = alteredEmbeddedCertificate(cms.certificates, pool, cache);
  if (altered) return { indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE', reasons: [altered], signer, essMatches };
  if (cms.eContentType !== OID.data && cms.eContentType !== OID.tstInfo) reasons.push('type de contenu inhabituel');
  return { reasons, signer, essMatches };
}

/**
 * Certificates travel unsigned beside the signature; one that no known key
 * (its issuer's, or its own when self-signed) verifies has been altered.
 */
export function alteredEmbeddedCertificate(embedded: Uint8Array[], pool: Uint8Array[], cache: CertificateCache): string | undefined {
  const all = [...embedded, ...pool];
  for (const der of embedded) {
    let info: CertificateInfo;
    try {
      info = cache.info(der);
    } catch {
      return 'un certificat joint à la signature est illisible';
    }
    function* issuerKeys(): Generator<Uint8Array> {
      for (const c of all) {
        let candidate: CertificateInfo;
        try {
          candidate = cache.info(c);
        } catch {
          continue;
        }
        if (Buffer.from(candidate.subjectDer).equals(info.issuerDer)) yield candidate.spki;
      }
      yield info.spki; // self-signed
    }
    if (!cache.verifiesWith(der, issuerKeys)) return `le certificat joint « ${info.subject} » est altéré ou son émetteur est inconnu`;
  }
  return undefined;
}

function findSigner(cms: ParsedCms, pool: Uint8Array[], cache: CertificateCache): CertificateInfo | undefined {
  for (const der of pool) {
    let info: CertificateInfo;
    try {
      info = cache.info(der);
    } catch {
      continue;
    }
    if (cms.sid.subjectKeyIdentifier) {
      if (info.subjectKeyIdentifier && Buffer.from(info.subjectKeyIdentifier).equals(cms.sid.subjectKeyIdentifier)) return info;
    } else if (cms.sid.serial && cms.sid.issuer) {
      if (Buffer.from(info.serial).equals(cms.sid.serial) && Buffer.from(info.issuerDer).equals(cms.sid.issuer)) return info;
    }
  }
  return undefined;
}

/** IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber } — compare the serial and the directory name bytes. */
function issuerSerialMatches(issuerSerial: Uint8Array, signer: CertificateInfo): boolean {
  const raw = Buffer.from(issuerSerial);
  return raw.includes(Buffer.from(signer.serial)) && raw.includes(Buffer.from(signer.issuerDer));
}
