import type { PdfState } from '../../pdf/index.ts';
import type { VerifyLimits } from './limits.ts';
import { findSignatures, type FoundSignature } from './signature-fields.ts';
import { readDss, type DssContent } from './dss.ts';

/** Step 0: the signature fields (one past the limit, to know there are more) and the DSS of the latest revision. */
export function readSignatureFields(latest: PdfState, limits: VerifyLimits): { allFound: FoundSignature[]; found: FoundSignature[]; dss: DssContent | undefined } {
  const allFound = findSignatures(latest, limits.maxSignatures + 1);
  const found = allFound.slice(0, limits.maxSignatures);
  const dss = readDss(latest);
  return { allFound, found, dss };
}
