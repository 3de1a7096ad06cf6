import { createHash } from 'node:crypto';

/**
 * Bounded memory of pure results keyed by content: the same certificates, CRLs and
 * OCSP responses come back for every signature and timestamp of a file, and for
 * every file of a batch. Values must be treated as read-only by every caller.
 */
export class Memo<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly max: number) {
    all.push(this);
  }

  clear(): void {
    this.map.clear();
  }

  get(key: string, compute: () => V): V {
    const hit = this.map.get(key);
    if (hit !== undefined) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const value = compute();
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
    return value;
  }
}

const all: Memo<unknown>[] = [];

/** Forgets everything (benchmarks measure cold validations with it). */
export function clearMemos(): void {
  for (const memo of all) memo.clear();
}

/** A collision-resistant key for byte strings (and labels) of any size. */
export function contentKey(...parts: (Uint8Array | string)[]): string {
  // Framing first (the count, then every length), so no two lists of parts hash the same bytes.
  let framing = `${parts.length}|`;
  for (const part of parts) framing += `${typeof part === 'string' ? Buffer.byteLength(part) : part.length}:`;
  const h = createHash('sha256').update(framing);
  for (const part of parts) h.update(part);
  return h.digest('base64');
}
