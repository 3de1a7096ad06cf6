import { PdfError } from './errors.ts';
import type { PdfLimits } from './limits.ts';
import { PdfRevisions, type PdfState } from './revisions.ts';

/**
 * Opens a PDF to append an incremental update to it: the latest revision, read
 * lazily (nested values stay raw bytes), under the same limits as the verifier.
 */
export function openPdf(pdf: Uint8Array, limits?: Partial<PdfLimits>): PdfState {
  const state = new PdfRevisions(pdf, { lazy: true, ...(limits ? { limits } : {}) }).latest();
  if (state.trailer.has('Encrypt')) throw new PdfError('PDF_ENCRYPTED', 'le document est chiffré', 'Les PDF chiffrés ne peuvent pas être signés.');
  state.catalog();
  return state;
}
