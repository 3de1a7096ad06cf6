import { hash, sameBytes } from '../../asn1/index.ts';
import type { ParsedCms } from './cms.ts';

/**
 * `adbe.pkcs7.sha1` (ISO 32000-1 §12.8.3.3, deprecated by ISO 32000-2): the CMS encapsulates
 * the SHA-1 digest of the ByteRange bytes and signs that. It is read like any other signature;
 * SHA-1 then decides the verdict: ETSI TS 119 312 lists it as unfit for signatures, so the
 * best a valid one gets is INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE, as EU DSS says.
 */
export const SHA1_SUBFILTER = 'adbe.pkcs7.sha1';

export const SHA1_WEAK_REASON = 'empreinte du document calculée en SHA-1 (format adbe.pkcs7.sha1) : algorithme trop faible pour une signature selon ETSI TS 119 312';

/** The content the CMS signs (its eContent) when it is the SHA-1 of the signed bytes; else why not. */
export function sha1SignedContent(cms: ParsedCms, parts: Uint8Array[]): { content: Uint8Array[] } | { hashFailure: boolean; reason: string } {
  if (!cms.eContent) return { hashFailure: false, reason: 'format adbe.pkcs7.sha1 sans empreinte encapsulée' };
  if (!sameBytes(cms.eContent, hash('SHA-1', ...parts))) {
    return { hashFailure: true, reason: 'le document a été modifié : son empreinte SHA-1 ne correspond plus à celle qui a été signée' };
  }
  return { content: [cms.eContent] };
}
