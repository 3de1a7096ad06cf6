/**
 * Where object contents live: write-once, content-addressed by their SHA-512 (lower-case
 * hex). The filesystem is the default (storage/filesystem.ts); docs/scaling.md tells how
 * the same interface maps onto an object store with S3 Object Lock in compliance mode.
 */
export interface ObjectStore {
  /** A label for reports: which copy is missing or altered. */
  readonly location: string;
  /**
   * Stores `content` under `address` unless it is already there. Resolves only once the
   * bytes are durable. Never replaces existing content: when the address holds other
   * bytes, it throws CORRUPTED_COPY. `onStep` is told each durable step (crash tests).
   */
  put(address: string, content: Uint8Array, onStep?: (step: string) => void): Promise<'written' | 'present'>;
  /** Throws NOT_FOUND when the address holds nothing. */
  read(address: string): Promise<Buffer>;
  /** SHA-256, SHA-512 and size of the copy held, read again (the audit). Throws NOT_FOUND. */
  fingerprints(address: string): Promise<{ sha256: string; sha512: string; size: number }>;
  exists(address: string): Promise<boolean>;
  /** Disposal only. Resolves false when nothing was there. */
  remove(address: string): Promise<boolean>;
  /** Every address held, in no particular order. */
  addresses(): AsyncIterable<string>;
}

export const ADDRESS = /^[0-9a-f]{128}$/;
