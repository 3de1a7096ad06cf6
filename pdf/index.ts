/**
 * The one PDF layer under the signer and the verifier: object model, lexer and
 * parser, cross-reference and revision reader, bounded stream decoding, limits and
 * time budget, serializer and incremental writer. See docs/pdf.md.
 */
export { PdfError, isPdfError, type PdfErrorCode } from './errors.ts';
export { Budget, DEFAULT_PDF_LIMITS, sizeText, type PdfLimits } from './limits.ts';
export { PdfDict, PdfHexPlaceholder, PdfLazy, PdfName, PdfRaw, PdfRef, PdfStream, PdfString, changedKeys, dictOf, nameOf, sameObject, type PdfValue } from './objects.ts';
export { PdfRevisions, PdfState, type ReadOptions, type XrefEntry, type XrefSection } from './revisions.ts';
export { openPdf } from './open.ts';
export { serialize } from './serialize.ts';
export { IncrementalUpdate, type UpdateResult } from './incremental.ts';
export { decodeText, encodeTextString } from './text.ts';
