/** The PDF object model the verifier reads: plain values plus byte positions. */
export class PdfName {
  constructor(readonly name: string) {}
}

export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
}

export class PdfString {
  constructor(
    readonly bytes: Uint8Array,
    readonly hex: boolean,
    /** Offset of the opening `<` or `(`. */
    readonly start: number,
    /** Offset just after the closing `>` or `)`. */
    readonly end: number,
  ) {}
}

export class PdfDict {
  constructor(
    readonly entries: Map<string, PdfObject>,
    readonly start: number,
    readonly end: number,
  ) {}
  get(key: string): PdfObject | undefined {
    return this.entries.get(key);
  }
}

export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    readonly dataStart: number,
    readonly dataEnd: number,
  ) {}
}

export type PdfObject = null | boolean | number | PdfName | PdfRef | PdfString | PdfDict | PdfStream | PdfObject[];

export function isName(o: PdfObject | undefined, name?: string): o is PdfName {
  return o instanceof PdfName && (name === undefined || o.name === name);
}

export function nameOf(o: PdfObject | undefined): string | undefined {
  return o instanceof PdfName ? o.name : undefined;
}

/** Deep structural equality; references compare by number and generation, never resolved. */
export function sameObject(a: PdfObject | undefined, b: PdfObject | undefined, depth = 0): boolean {
  if (depth > 64) return false;
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (a instanceof PdfName) return b instanceof PdfName && a.name === b.name;
  if (a instanceof PdfRef) return b instanceof PdfRef && a.num === b.num && a.gen === b.gen;
  if (a instanceof PdfString) return b instanceof PdfString && Buffer.from(a.bytes).equals(b.bytes);
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameObject(x, b[i], depth + 1));
  }
  if (a instanceof PdfDict) return b instanceof PdfDict && sameDict(a, b, [], depth);
  if (a instanceof PdfStream) return false; // streams are compared by the caller, bytes included
  return false;
}

/** Keys whose values differ between two dictionaries (added, removed or changed). */
export function changedKeys(a: PdfDict, b: PdfDict): string[] {
  const keys = new Set([...a.entries.keys(), ...b.entries.keys()]);
  return [...keys].filter((k) => !sameObject(a.get(k), b.get(k)));
}

function sameDict(a: PdfDict, b: PdfDict, ignore: string[], depth: number): boolean {
  const keys = new Set([...a.entries.keys(), ...b.entries.keys()]);
  for (const k of keys) {
    if (ignore.includes(k)) continue;
    if (!sameObject(a.get(k), b.get(k), depth + 1)) return false;
  }
  return true;
}
