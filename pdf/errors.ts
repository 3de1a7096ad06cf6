import { PasseportError } from '../errors/index.ts';

/** Why a PDF could not be read or updated; callers branch on `code`, people read `message`. */
export type PdfErrorCode =
  /** No `%PDF-` header in the first KiB. */
  | 'PDF_NOT_PDF'
  /** Broken object syntax: tokens, strings, dictionaries, streams, object headers. */
  | 'PDF_SYNTAX'
  /** Cross-reference data that cannot be followed: startxref, tables, streams, /Prev loops. */
  | 'PDF_XREF'
  /** A stream whose filter is not supported or whose compressed data is corrupt. */
  | 'PDF_STREAM'
  /** A file over one of the PdfLimits: size, nesting, objects, revisions, hex strings, decoded bytes. */
  | 'PDF_LIMIT'
  /** The reading took longer than the time budget. */
  | 'PDF_TIME_BUDGET'
  /** The trailer's /Root is not a dictionary. */
  | 'PDF_NO_CATALOG'
  /** An encrypted document: it cannot be updated without rewriting it. */
  | 'PDF_ENCRYPTED';

/**
 * The one error type of pdf/. `detail` is a French fragment for reports
 * (« la boucle /Prev … »); `message` the French sentence shown on its own.
 */
export class PdfError extends PasseportError<PdfErrorCode> {
  constructor(
    code: PdfErrorCode,
    readonly detail: string,
    message = `PDF illisible : ${detail}.`,
  ) {
    super(code, message);
  }
}

export function isPdfError(error: unknown, code?: PdfErrorCode): error is PdfError {
  return error instanceof PdfError && (code === undefined || error.code === code);
}
