import { PdfError } from './errors.ts';

/**
 * Bounds that keep the reader safe on hostile files: every loop and every
 * allocation driven by the file's content is capped by one of these. The signer
 * and the verifier read with the same defaults.
 */
export interface PdfLimits {
  /** Largest file accepted, in bytes. */
  maxFileBytes: number;
  /** Most objects a cross-reference chain may declare. */
  maxObjects: number;
  /** Deepest nesting of arrays and dictionaries. */
  maxDepth: number;
  /** Most cross-reference sections (revisions) followed through /Prev. */
  maxRevisions: number;
  /** Longest hex string, in characters: a signature's /Contents is the longest legitimate one. */
  maxContentsHexChars: number;
  /** Largest decoded stream (xref streams, object streams, DSS entries), in bytes: inflate stops there. */
  maxDecodedStreamBytes: number;
  /** Most bytes decoded from all the streams of one file together. */
  maxDecodedTotalBytes: number;
  /** Wall-clock budget for reading one file, in milliseconds. */
  timeBudgetMs: number;
}

export const DEFAULT_PDF_LIMITS: Readonly<PdfLimits> = {
  maxFileBytes: 64 * 1024 * 1024,
  maxObjects: 200_000,
  maxDepth: 64,
  maxRevisions: 256,
  maxContentsHexChars: 2 * 1024 * 1024,
  maxDecodedStreamBytes: 16 * 1024 * 1024,
  maxDecodedTotalBytes: 64 * 1024 * 1024,
  timeBudgetMs: 20_000,
};

/**
 * A deadline checked at loop boundaries; synchronous code cannot be interrupted
 * otherwise. The clock is read on the first check and every 16th after it: each
 * unit of work between two checks is itself bounded, and a read costs more than
 * most of them.
 */
export class Budget {
  private readonly deadline: number;
  private checks = 0;
  constructor(ms: number) {
    this.deadline = Date.now() + ms;
  }
  check(): void {
    if ((this.checks++ & 15) === 0 && Date.now() > this.deadline)
      throw new PdfError('PDF_TIME_BUDGET', 'la lecture a dépassé le temps imparti', 'La lecture du PDF a dépassé le temps imparti.');
  }
}

/** A byte count as a person reads it: 16 Mio, 512 Kio, 1500 octets. */
export function sizeText(bytes: number): string {
  if (bytes > 0 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} Mio`;
  if (bytes > 0 && bytes % 1024 === 0) return `${bytes / 1024} Kio`;
  return `${bytes} octets`;
}
