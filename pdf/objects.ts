/** The PDF object model read by the parser and written by the serializer. */
import { encodeTextString } from './text.ts';

export class PdfName {
  constructor(readonly name: string) {}
}

export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
}

/** A string's raw bytes, remembering whether it was written in hex and, when read from a file, where. */
export class PdfString {
  constructor(
    readonly bytes: Uint8Array,
    readonly hex = false,
    /** Offset of the opening `<` or `(` in the buffer it was read from; -1 when built in memory. */
    readonly start = -1,
    /** Offset just past the closing `>` or `)`; -1 when built in memory. */
    readonly end = -1,
  ) {}
  /** A text string (PDFDocEncoding or UTF-16BE). */
  static text(s: string): PdfString {
    return new PdfString(encodeTextString(s));
  }
}

/** Where a lazy value comes from: the parser cursor that skipped it. */
export interface LazySource {
  readonly bytes: Uint8Array;
  valueAt(pos: number, depth: number): PdfValue;
  itemsAt(pos: number, depth: number): Iterable<PdfValue>;
}

/**
 * A nested dictionary or array kept as its source bytes until someone reads it:
 * most of what a signature update copies (resources, fonts) is never looked at,
 * and the serializer writes it back as a borrowed slice.
 */
export class PdfLazy {
  constructor(
    private readonly source: LazySource,
    private readonly start: number,
    private readonly end: number,
  ) {}
  get raw(): Uint8Array {
    return this.source.bytes.subarray(this.start, this.end);
  }
  value(): PdfValue {
    return this.source.valueAt(this.start, 1);
  }
  /** An array's items parsed one by one as they are asked for (nothing when the value is a dictionary). */
  items(): Iterable<PdfValue> {
    return this.source.itemsAt(this.start, 1);
  }
  get isArray(): boolean {
    return this.source.bytes[this.start] === 0x5b;
  }
}

export class PdfDict {
  /** Values as stored: a PdfLazy until `get` parses it. */
  readonly entries = new Map<string, PdfValue | PdfLazy>();
  constructor(entries?: Record<string, PdfValue>) {
    if (entries) for (const k in entries) this.entries.set(k, entries[k]!);
  }
  get(key: string): PdfValue | undefined {
    const v = this.entries.get(key);
    if (v instanceof PdfLazy) {
      const parsed = v.value();
      this.entries.set(key, parsed);
      return parsed;
    }
    return v;
  }
  set(key: string, value: PdfValue): this {
    this.entries.set(key, value);
    return this;
  }
  has(key: string): boolean {
    return this.entries.has(key);
  }
  keys(): IterableIterator<string> {
    return this.entries.keys();
  }
  get size(): number {
    return this.entries.size;
  }
  /** A shallow copy: nested values are shared, lazy ones stay unparsed. */
  clone(): PdfDict {
    const c = new PdfDict();
    for (const [k, v] of this.entries) c.entries.set(k, v);
    return c;
  }
}

export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    /** The raw (still encoded) stream content. */
    readonly data: Uint8Array,
  ) {}
}

/** Bytes written verbatim: used for fixed-width placeholders patched after layout. */
export class PdfRaw {
  constructor(readonly text: string) {}
}

/** `<00…00>`: room for `bytes` bytes of hex, written as a fill rather than built as a string. */
export class PdfHexPlaceholder {
  constructor(readonly bytes: number) {}
}

export type PdfValue = null | boolean | number | PdfName | PdfRef | PdfString | PdfDict | PdfValue[] | PdfStream | PdfRaw | PdfHexPlaceholder;

export function nameOf(v: PdfValue | undefined): string | undefined {
  return v instanceof PdfName ? v.name : undefined;
}

/** The dictionary of a dictionary or of a stream. */
export function dictOf(v: PdfValue | undefined): PdfDict | undefined {
  return v instanceof PdfDict ? v : v instanceof PdfStream ? v.dict : undefined;
}

/** Deep structural equality; references compare by number and generation, never resolved. */
export function sameObject(a: PdfValue | undefined, b: PdfValue | undefined, depth = 0): boolean {
  if (depth > 64) return false;
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (a instanceof PdfName) return b instanceof PdfName && a.name === b.name;
  if (a instanceof PdfRef) return b instanceof PdfRef && a.num === b.num && a.gen === b.gen;
  if (a instanceof PdfString) return b instanceof PdfString && Buffer.from(a.bytes).equals(b.bytes);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameObject(x, b[i], depth + 1));
  if (a instanceof PdfDict) return b instanceof PdfDict && sameDict(a, b, depth);
  return false; // streams are compared by the caller, bytes included
}

/** Keys whose values differ between two dictionaries (added, removed or changed). */
export function changedKeys(a: PdfDict, b: PdfDict): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => !sameObject(a.get(k), b.get(k)));
}

function sameDict(a: PdfDict, b: PdfDict, depth: number): boolean {
  const keys = new Set([...a.keys(), ...b.keys()]);
  for (const k of keys) if (!sameObject(a.get(k), b.get(k), depth + 1)) return false;
  return true;
}
