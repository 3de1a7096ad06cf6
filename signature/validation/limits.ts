/**
 * Bounds that keep the verifier safe on hostile files: every loop and every
 * allocation driven by the file's content is capped by one of these.
 */
export interface VerifyLimits {
  /** Largest file accepted, in bytes. */
  maxFileBytes: number;
  /** Most objects a cross-reference chain may declare. */
  maxObjects: number;
  /** Deepest nesting of arrays and dictionaries. */
  maxDepth: number;
  /** Most cross-reference sections (revisions) followed through /Prev. */
  maxRevisions: number;
  /** Longest /Contents hex string, in characters (the CMS is half of it). */
  maxContentsHexChars: number;
  /** Most signature fields examined in one file. */
  maxSignatures: number;
  /** Largest decoded stream (xref streams, object streams, DSS entries), in bytes. */
  maxDecodedStreamBytes: number;
  /** Wall-clock budget for one file, in milliseconds. */
  timeBudgetMs: number;
}

export const DEFAULT_LIMITS: VerifyLimits = {
  maxFileBytes: 64 * 1024 * 1024,
  maxObjects: 200_000,
  maxDepth: 64,
  maxRevisions: 256,
  maxContentsHexChars: 2 * 1024 * 1024,
  maxSignatures: 64,
  maxDecodedStreamBytes: 16 * 1024 * 1024,
  timeBudgetMs: 20_000,
};

/** Raised when a file breaks the PDF syntax or one of the limits above. */
export class PdfFormatError extends Error {
  override readonly name = 'PdfFormatError';
}

/** Raised when the wall-clock budget is spent. */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
}

/** A deadline checked at loop boundaries; synchronous code cannot be interrupted otherwise. */
export class Budget {
  private readonly deadline: number;
  constructor(ms: number) {
    this.deadline = Date.now() + ms;
  }
  check(): void {
    if (Date.now() > this.deadline) throw new BudgetExceededError('time budget exceeded');
  }
}
