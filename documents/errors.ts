import { PasseportError } from '../errors/index.ts';

/** Errors of the document writers: a stable code callers branch on, a French message. */
export type DocumentErrorCode =
  /** The input contradicts itself (a schedule that does not add up, an unknown date…). */
  | 'document_input_invalid'
  /** Text meant to fit a fixed space (the summary's one page, a signature block) does not. */
  | 'document_too_long';

export class DocumentError extends PasseportError<DocumentErrorCode> {}

export function invalidInput(message: string): DocumentError {
  return new DocumentError('document_input_invalid', message);
}
