import type { PathValidationResult } from '../../certs/validation/index.ts';
import { isPdfError, type PdfRevisions } from '../../pdf/index.ts';
import type { DssContent } from './dss.ts';
import type { ReachedLevel } from './report.ts';
import { SHA1_SUBFILTER } from './legacy-sha1.ts';
import type { Work } from './verification-work.ts';

/** Step 7's level: what is present and verified, from B-B up. */
export function padesLevel(w: Work, works: Work[], doc: PdfRevisions, dss: DssContent | undefined): ReachedLevel {
  if (w.found.subFilter === 'adbe.pkcs7.detached' || w.found.subFilter === SHA1_SUBFILTER) return 'PKCS7';
  const cms = w.cms!;
  if (!cms.signedAttrsDer || !cms.essCertIds?.length || !cms.messageDigest) return 'none';
  const coveringDocTs = works.filter((d) => d.found.type === 'document-timestamp' && d.docTimestampTime && d.signedEnd > w.signedEnd);
  if (!w.signatureTimestampOk && coveringDocTs.length === 0) return 'B-B';
  // B-LT: validation data in a DSS added after the signature, enough to settle offline the
  // signer's chain and the chains of the TSAs that timestamped it (EN 319 142-1, 5.4).
  const dssOffset = firstDssAfter(doc, w.signedEnd);
  const chain = w.chain;
  const embedded = (item: Uint8Array, ...lists: Uint8Array[][]): boolean => lists.some((list) => list.some((x) => Buffer.from(x).equals(item)));
  const settledOffline = (c: PathValidationResult): boolean =>
    c.usedCrls.every((crl) => embedded(crl, dss?.crls ?? [], cms.crls)) && c.usedOcsp.every((o) => embedded(o, dss?.ocspResponses ?? [], cms.ocspResponses));
  const hasLtData =
    dss !== undefined &&
    dssOffset !== undefined &&
    chain?.indication === 'PASSED' &&
    chain.usedCrls.length + chain.usedOcsp.length > 0 &&
    [chain, ...w.timestampChains].every(settledOffline);
  if (!hasLtData) return 'B-T';
  return coveringDocTs.some((d) => d.signedEnd > dssOffset) ? 'B-LTA' : 'B-LT';
}

function firstDssAfter(doc: PdfRevisions, from: number): number | undefined {
  for (const s of doc.sections) {
    if (s.offset < from) continue;
    try {
      if (
        doc
          .stateAt(s.offset + 1)
          .root()
          ?.get('DSS') !== undefined
      )
        return s.offset;
    } catch (error) {
      if (isPdfError(error, 'PDF_TIME_BUDGET')) throw error;
      return undefined;
    }
  }
  return undefined;
}
