import { PdfDict, PdfLazy, PdfName, PdfRef, PdfStream, PdfString, type PdfValue } from './objects.ts';

/** Bounded recursion: hostile files nest arrays thousands deep. */
const MAX_DEPTH = 200;

const WHITESPACE = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) WHITESPACE[c] = 1;
const DELIMITER = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIMITER[c.charCodeAt(0)] = 1;

export class PdfSyntaxError extends Error {}

/** A tokenizer and object parser over the file's bytes, positioned by offset. */
export class Parser {
  pos: number;
  constructor(readonly buf: Uint8Array, pos = 0) {
    this.pos = pos;
  }

  skipSpace(): void {
    const b = this.buf;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (WHITESPACE[c]) this.pos++;
      else if (c === 0x25) {
        while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      } else break;
    }
  }

  /** A bare keyword or number token (no delimiters). */
  private word(): string {
    const b = this.buf;
    const start = this.pos;
    while (this.pos < b.length && !WHITESPACE[b[this.pos]!] && !DELIMITER[b[this.pos]!]) this.pos++;
    return latin1(b, start, this.pos);
  }

  /** An unsigned integer read straight from the bytes, or -1 (position unchanged). */
  private digits(): number {
    const b = this.buf;
    let p = this.pos;
    let n = 0;
    const start = p;
    while (p < b.length && b[p]! >= 0x30 && b[p]! <= 0x39) n = n * 10 + b[p++]! - 0x30;
    if (p === start || (p < b.length && !WHITESPACE[b[p]!] && !DELIMITER[b[p]!])) return -1;
    this.pos = p;
    return n;
  }

  keyword(expected: string): void {
    this.skipSpace();
    const w = this.word();
    if (w !== expected) throw new PdfSyntaxError(`expected ${expected} at ${this.pos}, found "${w.slice(0, 20)}"`);
  }

  peekWord(): string {
    this.skipSpace();
    const save = this.pos;
    const w = this.word();
    this.pos = save;
    return w;
  }

  integer(): number {
    this.skipSpace();
    const w = this.word();
    if (!/^[+-]?\d+$/.test(w)) throw new PdfSyntaxError(`expected an integer at ${this.pos}`);
    return Number(w);
  }

  value(depth = 0): PdfValue {
    if (depth > MAX_DEPTH) throw new PdfSyntaxError('objects nested too deeply');
    this.skipSpace();
    const b = this.buf;
    const c = b[this.pos];
    if (c === undefined) throw new PdfSyntaxError('unexpected end of file');
    if (c === 0x2f) return this.name();
    if (c === 0x3c) {
      if (b[this.pos + 1] === 0x3c) return this.dict(depth);
      return this.hexString();
    }
    if (c === 0x28) return this.literalString();
    if (c === 0x5b) {
      this.pos++;
      const arr: PdfValue[] = [];
      for (;;) {
        this.skipSpace();
        if (b[this.pos] === 0x5d) {
          this.pos++;
          return arr;
        }
        if (this.pos >= b.length) throw new PdfSyntaxError('unterminated array');
        arr.push(this.value(depth + 1));
      }
    }
    if (c >= 0x30 && c <= 0x39) {
      // Fast path: "N", or "N G R" read without building strings.
      const n = this.digits();
      if (n >= 0) {
        const save = this.pos;
        this.skipSpace();
        const g = this.digits();
        if (g >= 0) {
          this.skipSpace();
          if (b[this.pos] === 0x52 && (this.pos + 1 >= b.length || WHITESPACE[b[this.pos + 1]!] || DELIMITER[b[this.pos + 1]!])) {
            this.pos++;
            return new PdfRef(n, g);
          }
        }
        this.pos = save;
        return n;
      }
    }
    const w = this.word();
    if (w === '') throw new PdfSyntaxError(`unexpected byte 0x${c.toString(16)} at ${this.pos}`);
    if (w === 'true') return true;
    if (w === 'false') return false;
    if (w === 'null') return null;
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(w)) {
      // "N G R" is a reference: look ahead without consuming when it is not.
      if (/^\d+$/.test(w)) {
        const save = this.pos;
        this.skipSpace();
        const g = this.word();
        if (/^\d+$/.test(g)) {
          this.skipSpace();
          if (b[this.pos] === 0x52 && (this.pos + 1 >= b.length || WHITESPACE[b[this.pos + 1]!] || DELIMITER[b[this.pos + 1]!])) {
            this.pos++;
            return new PdfRef(Number(w), Number(g));
          }
        }
        this.pos = save;
      }
      return Number(w);
    }
    throw new PdfSyntaxError(`unexpected token "${w.slice(0, 20)}" at ${this.pos}`);
  }

  private name(): PdfName {
    this.pos++;
    const w = this.word();
    return new PdfName(w.includes('#') ? w.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : w);
  }

  private dict(depth: number): PdfDict | PdfStream {
    this.pos += 2;
    const d = new PdfDict();
    const b = this.buf;
    for (;;) {
      this.skipSpace();
      if (b[this.pos] === 0x3e && b[this.pos + 1] === 0x3e) {
        this.pos += 2;
        break;
      }
      if (this.pos >= b.length) throw new PdfSyntaxError('unterminated dictionary');
      const key = this.value(depth + 1);
      if (!(key instanceof PdfName)) throw new PdfSyntaxError(`dictionary key is not a name at ${this.pos}`);
      this.skipSpace();
      const c = b[this.pos];
      if (depth === 0 && (c === 0x5b || (c === 0x3c && b[this.pos + 1] === 0x3c))) {
        const start = this.pos;
        this.skipComposite();
        d.map.set(key.name, new PdfLazy(b.subarray(start, this.pos), (raw) => new Parser(raw).value(1)));
      } else d.set(key.name, this.value(depth + 1));
    }
    return d;
  }

  /** Moves past a dictionary or array without building it (strings, hex and comments honoured). */
  skipComposite(): void {
    const b = this.buf;
    let depth = 0;
    let p = this.pos;
    do {
      if (p >= b.length) throw new PdfSyntaxError('unterminated dictionary or array');
      const c = b[p]!;
      if (c === 0x28) {
        let nest = 1;
        p++;
        while (p < b.length && nest > 0) {
          const x = b[p++]!;
          if (x === 0x5c) p++;
          else if (x === 0x28) nest++;
          else if (x === 0x29) nest--;
        }
      } else if (c === 0x3c) {
        if (b[p + 1] === 0x3c) {
          depth++;
          p += 2;
        } else {
          while (p < b.length && b[p] !== 0x3e) p++;
          p++;
        }
      } else if (c === 0x3e && b[p + 1] === 0x3e) {
        depth--;
        p += 2;
      } else if (c === 0x5b) {
        depth++;
        p++;
      } else if (c === 0x5d) {
        depth--;
        p++;
      } else if (c === 0x25) {
        while (p < b.length && b[p] !== 0x0a && b[p] !== 0x0d) p++;
      } else p++;
      if (depth > MAX_DEPTH) throw new PdfSyntaxError('objects nested too deeply');
    } while (depth > 0);
    this.pos = p;
  }

  /** After a dictionary inside an indirect object: its stream data, if any. */
  streamAfter(d: PdfDict, resolveLength: (v: PdfValue | undefined) => number | undefined): PdfValue {
    const save = this.pos;
    this.skipSpace();
    if (this.peekWord() !== 'stream') {
      this.pos = save;
      return d;
    }
    this.word();
    const b = this.buf;
    if (b[this.pos] === 0x0d) this.pos++;
    if (b[this.pos] === 0x0a) this.pos++;
    const start = this.pos;
    let length = resolveLength(d.get('Length'));
    if (length === undefined || start + length > b.length || !endstreamAt(b, start + length)) {
      const idx = Buffer.from(b.buffer, b.byteOffset, b.length).indexOf('endstream', start, 'latin1');
      if (idx < 0) throw new PdfSyntaxError('stream without endstream');
      let end = idx;
      if (b[end - 1] === 0x0a) end--;
      if (b[end - 1] === 0x0d) end--;
      length = end - start;
    }
    this.pos = start + length;
    this.skipSpace();
    this.word();
    return new PdfStream(d, b.subarray(start, start + length));
  }

  private hexString(): PdfString {
    const b = this.buf;
    const end = Buffer.from(b.buffer, b.byteOffset, b.length).indexOf(0x3e, this.pos);
    if (end < 0) throw new PdfSyntaxError('unterminated hex string');
    let hex = Buffer.from(b.buffer, b.byteOffset + this.pos + 1, end - this.pos - 1).toString('latin1').replace(/[^0-9a-fA-F]/g, '');
    if (hex.length % 2) hex += '0';
    this.pos = end + 1;
    return new PdfString(Buffer.from(hex, 'hex'), true);
  }

  private literalString(): PdfString {
    const b = this.buf;
    this.pos++;
    const out: number[] = [];
    let depth = 1;
    while (this.pos < b.length) {
      const c = b[this.pos++]!;
      if (c === 0x5c) {
        const n = b[this.pos++];
        if (n === undefined) break;
        const map: Record<number, number> = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12 };
        if (map[n] !== undefined) out.push(map[n]);
        else if (n >= 0x30 && n <= 0x37) {
          let v = n - 0x30;
          for (let i = 0; i < 2 && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x37; i++) v = v * 8 + b[this.pos++]! - 0x30;
          out.push(v & 0xff);
        } else if (n === 0x0d) {
          if (b[this.pos] === 0x0a) this.pos++;
        } else if (n !== 0x0a) out.push(n);
      } else if (c === 0x28) {
        depth++;
        out.push(c);
      } else if (c === 0x29) {
        if (--depth === 0) return new PdfString(Uint8Array.from(out));
        out.push(c);
      } else out.push(c);
    }
    throw new PdfSyntaxError('unterminated literal string');
  }
}

/** The elements of the array written in `raw` (which starts with `[`), parsed as they are asked for. */
export function* arrayItems(raw: Uint8Array): Generator<PdfValue> {
  const p = new Parser(raw, 1);
  for (;;) {
    p.skipSpace();
    if (raw[p.pos] === 0x5d) return;
    if (p.pos >= raw.length) throw new PdfSyntaxError('unterminated array');
    yield p.value(1);
  }
}

function endstreamAt(b: Uint8Array, at: number): boolean {
  let p = at;
  while (p < b.length && WHITESPACE[b[p]!]) p++;
  return latin1(b, p, Math.min(b.length, p + 9)) === 'endstream';
}

/** Short tokens decode faster by hand than through a Buffer view. */
function latin1(b: Uint8Array, start: number, end: number): string {
  if (end - start > 64) return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}
