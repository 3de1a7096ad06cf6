/** The PDF object model shared by the reader and the incremental writer. */

export class PdfName {
  constructor(readonly name: string) {}
}

export class PdfRef {
  constructor(readonly num: number, readonly gen: number) {}
  key(): string {
    return `${this.num} ${this.gen}`;
  }
}

/** A string's raw bytes, remembering whether it was written in hex. */
export class PdfString {
  constructor(readonly bytes: Uint8Array, readonly hex = false) {}
  static text(s: string): PdfString {
    return new PdfString(encodeTextString(s));
  }
}

/**
 * A nested dictionary or array kept as its source bytes until someone reads it:
 * most of what a signature update copies (resources, fonts) is never looked at.
 */
export class PdfLazy {
  constructor(readonly raw: Uint8Array, private readonly parse: (raw: Uint8Array) => PdfValue) {}
  value(): PdfValue {
    return this.parse(this.raw);
  }
}

export class PdfDict {
  readonly map = new Map<string, PdfValue | PdfLazy>();
  constructor(entries?: Record<string, PdfValue>) {
    if (entries) for (const k in entries) this.map.set(k, entries[k]!);
  }
  get(key: string): PdfValue | undefined {
    const v = this.map.get(key);
    if (v instanceof PdfLazy) {
      const parsed = v.value();
      this.map.set(key, parsed);
      return parsed;
    }
    return v;
  }
  set(key: string, value: PdfValue): this {
    this.map.set(key, value);
    return this;
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
}

export class PdfStream {
  /** `data` is the raw (still encoded) stream content. */
  constructor(readonly dict: PdfDict, readonly data: Uint8Array) {}
}

/** Bytes written verbatim: used for fixed-width placeholders patched after layout. */
export class PdfRaw {
  constructor(readonly text: string) {}
}

/** `<00…00>`: room for `bytes` bytes of hex, written as a fill rather than built as a string. */
export class PdfHexPlaceholder {
  constructor(readonly bytes: number) {}
}

export type PdfValue =
  | null
  | boolean
  | number
  | PdfName
  | PdfRef
  | PdfString
  | PdfDict
  | PdfValue[]
  | PdfStream
  | PdfRaw
  | PdfHexPlaceholder;

export const name = (n: string): PdfName => new PdfName(n);

/** PDF text strings: PDFDocEncoding when plain ASCII, UTF-16BE with BOM otherwise. */
export function encodeTextString(s: string): Uint8Array {
  if (/^[\x20-\x7e]*$/.test(s)) return Buffer.from(s, 'latin1');
  const out = Buffer.alloc(2 + s.length * 2);
  out[0] = 0xfe;
  out[1] = 0xff;
  for (let i = 0; i < s.length; i++) out.writeUInt16BE(s.charCodeAt(i), 2 + i * 2);
  return out;
}

export function isName(v: PdfValue | undefined, n?: string): v is PdfName {
  return v instanceof PdfName && (n === undefined || v.name === n);
}
