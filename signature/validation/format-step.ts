import { OID } from '../../asn1/index.ts';
import type { VerifyLimits } from './limits.ts';
import type { FoundSignature } from './signature-fields.ts';
import { checkByteRange, signedBytes } from './byte-range.ts';
import { SHA1_SUBFILTER, sha1SignedContent } from './legacy-sha1.ts';
import { parseCms } from './cms.ts';
import { emptyReport, fail, type Work } from './verification-work.ts';

const KNOWN_SUBFILTERS = new Set(['adbe.pkcs7.detached', 'ETSI.CAdES.detached', 'ETSI.RFC3161', SHA1_SUBFILTER]);

/** Step 1: ByteRange, /Contents, SubFilter, CMS structure. */
export function formatStep(f: FoundSignature, bytes: Uint8Array, limits: VerifyLimits): Work {
  const w: Work = { found: f, report: emptyReport(f), signedEnd: 0, signatureTimestampOk: false, timestampChains: [], failed: false };
  const br = checkByteRange(f.dict, bytes, f.storedDirectly, limits);
  w.report.byteRange = br.byteRange;
  if (!br.ok) {
    const raw = br.byteRange;
    if (raw && raw.length === 4 && raw.every((n) => Number.isSafeInteger(n) && n >= 0)) w.signedEnd = raw[2]! + raw[3]!;
    fail(w, 'TOTAL_FAILED', 'FORMAT_FAILURE', br.reason);
    return w;
  }
  w.signedEnd = br.signedEnd;
  const sf = f.subFilter;
  if (!sf || !KNOWN_SUBFILTERS.has(sf)) {
    fail(w, 'TOTAL_FAILED', 'FORMAT_FAILURE', `format de signature inconnu (${sf ?? 'SubFilter absent'})`);
    return w;
  }
  if ((sf === 'ETSI.RFC3161') !== (f.type === 'document-timestamp')) {
    fail(w, 'TOTAL_FAILED', 'FORMAT_FAILURE', 'le type de la signature ne correspond pas à son format');
    return w;
  }
  try {
    w.cms = parseCms(br.contents);
  } catch (error) {
    fail(w, 'TOTAL_FAILED', 'FORMAT_FAILURE', `la valeur de signature n’est pas une structure CMS valide (${(error as Error).message})`);
    return w;
  }
  if (w.cms.trailingNonZero) {
    fail(w, 'TOTAL_FAILED', 'FORMAT_FAILURE', 'des données inattendues suivent la signature dans /Contents');
    return w;
  }
  const expected = f.type === 'document-timestamp' ? OID.tstInfo : OID.data;
  if (w.cms.eContentType !== expected || (f.type === 'signature' && (w.cms.eContent !== undefined) !== (sf === SHA1_SUBFILTER))) {
    fail(w, 'TOTAL_FAILED', 'FORMAT_FAILURE', 'le contenu de la structure CMS ne correspond pas au format annoncé');
    return w;
  }
  w.parts = signedBytes(bytes, br.byteRange);
  if (sf === SHA1_SUBFILTER) {
    const legacy = sha1SignedContent(w.cms, w.parts);
    if ('reason' in legacy) fail(w, 'TOTAL_FAILED', legacy.hashFailure ? 'HASH_FAILURE' : 'FORMAT_FAILURE', legacy.reason);
    else w.parts = legacy.content;
  }
  return w;
}
