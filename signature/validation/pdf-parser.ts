import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from './pdf-objects.ts';
import { PdfFormatError } from './limits.ts';

/** Byte classes: 1 white-space, 2 delimiter, 0 regular. */
const CLASS = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) CLASS[c] = 1;
for (const c of [0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]) CLASS[c] = 2;

export function isWhite(c: number | undefined): boolean {
  return c !== undefined && CLASS[c] === 1;
}

function isRegular(c: number | undefined): boolean {
  return c !== undefined && CLASS[c] === 0;
}

/** Latin-1 text of a short range without copying it into a Buffer first. */
function latin1(b: Uint8Array, start: number, end: number): string {
  if (end - start > 32) return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Resolves an indirect /Length; returns undefined when it cannot be trusted. */
export type LengthResolver = (ref: PdfRef) => number | undefined;

/**
 * A careful PDF object parser over the raw bytes. Recursion is bounded by
 * `maxDepth`, every scan by the buffer's end; malformed input raises PdfFormatError.
 */
export class PdfParser {
  constructor(
    readonly bytes: Uint8Array,
    private readonly maxDepth: number,
    private readonly maxHexChars: number,
  ) {}

  skipWhite(pos: number): number {
    const b = this.bytes;
    while (pos < b.length) {
      const c = b[pos]!;
      if (CLASS[c] === 1) pos++;
      else if (c === 0x25) {
        while (pos < b.length && b[pos] !== 10 && b[pos] !== 13) pos++;
      } else break;
    }
    return pos;
  }

  /** Reads a bare keyword or number token starting at pos (after whitespace). */
  readToken(pos: number): { text: string; end: number } {
    const start = this.skipWhite(pos);
    let end = start;
    while (end < this.bytes.length && isRegular(this.bytes[end]) && end - start < 256) end++;
    return { text: latin1(this.bytes, start, end), end };
  }

  /** Parses one object at pos; references `n g R` are recognised. */
  parseObject(pos: number, depth = 0): { obj: PdfObject; end: number } {
    if (depth > this.maxDepth) throw new PdfFormatError(`nesting deeper than ${this.maxDepth}`);
    const b = this.bytes;
    pos = this.skipWhite(pos);
    if (pos >= b.length) throw new PdfFormatError('unexpected end of file');
    const c = b[pos]!;
    if (c === 0x2f) return this.parseName(pos);
    if (c === 0x28) return this.parseLiteralString(pos);
    if (c === 0x3c) {
      if (b[pos + 1] === 0x3c) return this.parseDict(pos, depth);
      return this.parseHexString(pos);
    }
    if (c === 0x5b) {
      const items: PdfObject[] = [];
      let p = pos + 1;
      for (;;) {
        p = this.skipWhite(p);
        if (p >= b.length) throw new PdfFormatError('unterminated array');
        if (b[p] === 0x5d) return { obj: items, end: p + 1 };
        const item = this.parseObject(p, depth + 1);
        items.push(item.obj);
        p = item.end;
      }
    }
    const tok = this.readToken(pos);
    if (tok.text === '') throw new PdfFormatError(`unexpected byte 0x${c.toString(16)} at ${pos}`);
    if (tok.text === 'null') return { obj: null, end: tok.end };
    if (tok.text === 'true') return { obj: true, end: tok.end };
    if (tok.text === 'false') return { obj: false, end: tok.end };
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(tok.text)) {
      const value = Number(tok.text);
      if (/^\d+$/.test(tok.text)) {
        // Maybe `num gen R`.
        const gen = this.readToken(tok.end);
        if (/^\d+$/.test(gen.text)) {
          const r = this.readToken(gen.end);
          if (r.text === 'R') return { obj: new PdfRef(value, Number(gen.text)), end: r.end };
        }
      }
      return { obj: value, end: tok.end };
    }
    throw new PdfFormatError(`unexpected token "${tok.text.slice(0, 20)}" at ${pos}`);
  }

  private parseName(pos: number): { obj: PdfName; end: number } {
    const b = this.bytes;
    let end = pos + 1;
    // Most names have no #xx escape: read them straight from the bytes.
    while (end < b.length && isRegular(b[end]) && b[end] !== 0x23 && end - pos <= 512) end++;
    if (!(end < b.length && b[end] === 0x23) && end - pos <= 512) return { obj: new PdfName(latin1(b, pos + 1, end)), end };
    end = pos + 1;
    const out: number[] = [];
    while (end < b.length && isRegular(b[end]) && out.length < 512) {
      const c = b[end]!;
      if (c === 0x23 && end + 2 < b.length) {
        const h = hexValue(b[end + 1]!) * 16 + hexValue(b[end + 2]!);
        if (h >= 0) {
          out.push(h);
          end += 3;
          continue;
        }
      }
      out.push(c);
      end++;
    }
    return { obj: new PdfName(Buffer.from(out).toString('latin1')), end };
  }

  private parseLiteralString(pos: number): { obj: PdfString; end: number } {
    const b = this.bytes;
    const out: number[] = [];
    let nest = 1;
    let p = pos + 1;
    while (p < b.length) {
      const c = b[p]!;
      if (c === 0x5c) {
        const n = b[p + 1];
        p += 2;
        if (n === undefined) break;
        const map: Record<number, number> = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12 };
        if (map[n] !== undefined) out.push(map[n]!);
        else if (n >= 0x30 && n <= 0x37) {
          let v = n - 0x30;
          for (let k = 0; k < 2 && b[p] !== undefined && b[p]! >= 0x30 && b[p]! <= 0x37; k++) v = v * 8 + (b[p++]! - 0x30);
          out.push(v & 0xff);
        } else if (n === 10) {
          // line continuation
        } else if (n === 13) {
          if (b[p] === 10) p++;
        } else out.push(n);
        continue;
      }
      if (c === 0x28) nest++;
      if (c === 0x29 && --nest === 0) return { obj: new PdfString(Uint8Array.from(out), false, pos, p + 1), end: p + 1 };
      out.push(c);
      p++;
    }
    throw new PdfFormatError('unterminated string');
  }

  private parseHexString(pos: number): { obj: PdfString; end: number } {
    const b = this.bytes;
    const close = b.indexOf(0x3e, pos + 1);
    if (close < 0) throw new PdfFormatError('unterminated hex string');
    if (close - pos > this.maxHexChars + 2) throw new PdfFormatError(`hex string longer than ${this.maxHexChars} characters`);
    // Fast path: contiguous hex digits (signature values) decode natively; Buffer stops at the first non-hex pair.
    if ((close - pos - 1) % 2 === 0) {
      const digits = b.subarray(pos + 1, close);
      const decoded = Buffer.from(Buffer.from(digits.buffer, digits.byteOffset, digits.length).toString('latin1'), 'hex');
      if (decoded.length * 2 === digits.length) return { obj: new PdfString(decoded, true, pos, close + 1), end: close + 1 };
    }
    const out = new Uint8Array(Math.ceil((close - pos) / 2));
    let n = 0;
    let high = -1;
    for (let p = pos + 1; p < close; p++) {
      const c = b[p]!;
      if (CLASS[c] === 1) continue;
      const v = hexValue(c);
      if (v < 0) throw new PdfFormatError(`invalid hex digit at ${p}`);
      if (high < 0) high = v;
      else {
        out[n++] = high * 16 + v;
        high = -1;
      }
    }
    if (high >= 0) out[n++] = high * 16;
    return { obj: new PdfString(out.subarray(0, n), true, pos, close + 1), end: close + 1 };
  }

  private parseDict(pos: number, depth: number): { obj: PdfDict; end: number } {
    const b = this.bytes;
    const entries = new Map<string, PdfObject>();
    let p = pos + 2;
    for (;;) {
      p = this.skipWhite(p);
      if (p >= b.length) throw new PdfFormatError('unterminated dictionary');
      if (b[p] === 0x3e && b[p + 1] === 0x3e) return { obj: new PdfDict(entries, pos, p + 2), end: p + 2 };
      if (b[p] !== 0x2f) throw new PdfFormatError(`dictionary key expected at ${p}`);
      const key = this.parseName(p);
      const value = this.parseObject(key.end, depth + 1);
      entries.set(key.obj.name, value.obj);
      p = value.end;
    }
  }

  /**
   * Parses `num gen obj … endobj` at offset. A dictionary followed by `stream`
   * becomes a PdfStream whose data bounds come from /Length (resolved when
   * indirect) or, failing that, from the next `endstream`.
   */
  parseIndirect(offset: number, resolveLength: LengthResolver): { num: number; gen: number; obj: PdfObject } {
    const num = this.readToken(offset);
    const gen = this.readToken(num.end);
    const kw = this.readToken(gen.end);
    if (!/^\d+$/.test(num.text) || !/^\d+$/.test(gen.text) || kw.text !== 'obj') {
      throw new PdfFormatError(`no object header at offset ${offset}`);
    }
    const { obj, end } = this.parseObject(kw.end);
    const next = this.readToken(end);
    if (obj instanceof PdfDict && next.text === 'stream') {
      let dataStart = next.end;
      if (this.bytes[dataStart] === 13) dataStart++;
      if (this.bytes[dataStart] === 10) dataStart++;
      const lengthObj = obj.get('Length');
      let length = typeof lengthObj === 'number' ? lengthObj : lengthObj instanceof PdfRef ? resolveLength(lengthObj) : undefined;
      if (length !== undefined && (!Number.isInteger(length) || length < 0 || dataStart + length > this.bytes.length)) length = undefined;
      if (length !== undefined && this.readToken(dataStart + length).text !== 'endstream') length = undefined;
      if (length === undefined) {
        const endstream = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length).indexOf('endstream', dataStart, 'latin1');
        if (endstream < 0) throw new PdfFormatError('unterminated stream');
        let dataEnd = endstream;
        if (this.bytes[dataEnd - 1] === 10) dataEnd--;
        if (this.bytes[dataEnd - 1] === 13) dataEnd--;
        length = Math.max(0, dataEnd - dataStart);
      }
      return { num: Number(num.text), gen: Number(gen.text), obj: new PdfStream(obj, dataStart, dataStart + length) };
    }
    return { num: Number(num.text), gen: Number(gen.text), obj };
  }
}
