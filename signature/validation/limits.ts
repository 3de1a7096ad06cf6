import { DEFAULT_PDF_LIMITS, type PdfLimits } from '../../pdf/index.ts';

/**
 * Bounds that keep the verifier safe on hostile files: the PDF reader's own
 * (pdf/limits.ts, the same the signer reads with) plus how many signatures are examined.
 */
export interface VerifyLimits extends PdfLimits {
  /** Most signature fields examined in one file. */
  maxSignatures: number;
}

export const DEFAULT_LIMITS: VerifyLimits = { ...DEFAULT_PDF_LIMITS, maxSignatures: 64 };
