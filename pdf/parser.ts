import { PdfError } from './errors.ts';
import { PdfDict, PdfLazy, PdfName, PdfRef, PdfStream, PdfString, type LazySource, type PdfValue } from './objects.ts';

/** Byte classes: 1 white-space, 2 delimiter, 0 regular. */
const CLASS = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) CLASS[c] = 1;
for (const c of [0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]) CLASS[c] = 2;

function isRegular(c: number | undefined): boolean {
  return c !== undefined && CLASS[c] === 0;
}

/** Bytes that open or close something skipComposite must track: ( < > [ ] %. */
const SKIP_SPECIAL = new Uint8Array(256);
for (const c of [0x28, 0x3c, 0x3e, 0x5b, 0x5d, 0x25]) SKIP_SPECIAL[c] = 1;

const ESCAPES: Record<number, number> = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12 };
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const DIGITS = /^\d+$/;

/** What bounds a parse: recursion and hex strings; `lazy` keeps nested values of a top-level dictionary as raw bytes. */
export interface ParseConfig {
  maxDepth: number;
  maxHexChars: number;
  lazy: boolean;
}

/** Resolves an indirect /Length; undefined when it cannot be trusted. */
export type LengthResolver = (ref: PdfRef) => number | undefined;

const syntax = (detail: string): PdfError => new PdfError('PDF_SYNTAX', detail);

/**
 * The PDF lexer and object parser: a cursor over a buffer (the file, or a decoded
 * object stream). Recursion is bounded by `maxDepth`, every scan by the buffer's
 * end; malformed input raises PdfError. A cursor is cheap: one per indirect object.
 */
export class PdfParser implements LazySource {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    private readonly config: ParseConfig,
  ) {}

  skipWhite(): void {
    const b = this.bytes;
    let p = this.pos;
    while (p < b.length) {
      const c = b[p]!;
      if (CLASS[c] === 1) p++;
      else if (c === 0x25) {
        while (p < b.length && b[p] !== 10 && b[p] !== 13) p++;
      } else break;
    }
    this.pos = p;
  }

  /** A bare keyword or number (at most 256 bytes), after white-space and comments. */
  token(): string {
    this.skipWhite();
    const b = this.bytes;
    const start = this.pos;
    let end = start;
    while (end < b.length && CLASS[b[end]!] === 0 && end - start < 256) end++;
    this.pos = end;
    return latin1(b, start, end);
  }

  /** One object; references `n g R` are recognised. */
  value(depth = 0): PdfValue {
    if (depth > this.config.maxDepth) throw new PdfError('PDF_LIMIT', `des tableaux ou dictionnaires sont imbriqués sur plus de ${this.config.maxDepth} niveaux`);
    this.skipWhite();
    const b = this.bytes;
    const c = b[this.pos];
    if (c === undefined) throw syntax('fin de fichier inattendue');
    if (c === 0x2f) return this.name();
    if (c === 0x28) return this.literalString();
    if (c === 0x3c) return b[this.pos + 1] === 0x3c ? this.dict(depth) : this.hexString();
    if (c === 0x5b) return this.array(depth);
    if (c >= 0x30 && c <= 0x39) {
      const n = this.digits();
      if (n >= 0) return this.refAfter(n) ?? n;
    }
    const at = this.pos;
    const tok = this.token();
    if (tok === '') throw syntax(`octet inattendu 0x${c.toString(16)} à la position ${at}`);
    if (tok === 'null') return null;
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    if (NUMBER.test(tok)) return (DIGITS.test(tok) && this.refAfter(Number(tok))) || Number(tok);
    throw syntax(`jeton inattendu « ${tok.slice(0, 20)} » à la position ${at}`);
  }

  /** The object at `pos`, the cursor left after it. */
  valueAt(pos: number, depth = 0): PdfValue {
    this.pos = pos;
    return this.value(depth);
  }

  /** The items of the array at `pos`, parsed one at a time as they are asked for. */
  *itemsAt(pos: number, depth = 0): Generator<PdfValue> {
    if (this.bytes[pos] !== 0x5b) return;
    let p = pos + 1;
    for (;;) {
      this.pos = p;
      this.skipWhite();
      if (this.pos >= this.bytes.length) throw syntax('tableau non terminé');
      if (this.bytes[this.pos] === 0x5d) return;
      const item = this.value(depth + 1);
      p = this.pos;
      yield item;
    }
  }

  /**
   * `num gen obj … endobj` at `offset`. A dictionary followed by `stream` becomes a
   * PdfStream whose data bounds come from /Length (resolved when indirect) or,
   * failing that, from the next `endstream`.
   */
  indirectAt(offset: number, resolveLength: LengthResolver): { num: number; gen: number; obj: PdfValue } {
    this.pos = offset;
    const num = this.token();
    const gen = this.token();
    const kw = this.token();
    if (!DIGITS.test(num) || !DIGITS.test(gen) || kw !== 'obj') throw syntax(`aucun en-tête d’objet à la position ${offset}`);
    const obj = this.value();
    const b = this.bytes;
    if (!(obj instanceof PdfDict) || this.token() !== 'stream') return { num: Number(num), gen: Number(gen), obj };
    let dataStart = this.pos;
    if (b[dataStart] === 13) dataStart++;
    if (b[dataStart] === 10) dataStart++;
    const lengthObj = obj.get('Length');
    // Resolving an indirect /Length reads another object: this cursor's position is not relied on afterwards.
    let length = typeof lengthObj === 'number' ? lengthObj : lengthObj instanceof PdfRef ? resolveLength(lengthObj) : undefined;
    if (length !== undefined && (!Number.isInteger(length) || length < 0 || dataStart + length > b.length)) length = undefined;
    if (length !== undefined && this.tokenAt(dataStart + length) !== 'endstream') length = undefined;
    if (length === undefined) {
      const endstream = Buffer.from(b.buffer, b.byteOffset, b.length).indexOf('endstream', dataStart, 'latin1');
      if (endstream < 0) throw syntax('flux sans « endstream »');
      let dataEnd = endstream;
      if (b[dataEnd - 1] === 10) dataEnd--;
      if (b[dataEnd - 1] === 13) dataEnd--;
      length = Math.max(0, dataEnd - dataStart);
    }
    this.pos = dataStart + length;
    return { num: Number(num), gen: Number(gen), obj: new PdfStream(obj, b.subarray(dataStart, dataStart + length)) };
  }

  private tokenAt(pos: number): string {
    this.pos = pos;
    return this.token();
  }

  /** An unsigned integer read straight from the bytes, or -1 (position unchanged) when the token is not one. */
  private digits(): number {
    const b = this.bytes;
    let p = this.pos;
    let n = 0;
    const start = p;
    while (p < b.length && b[p]! >= 0x30 && b[p]! <= 0x39) n = n * 10 + b[p++]! - 0x30;
    if (p === start || isRegular(b[p])) return -1;
    this.pos = p;
    return n;
  }

  /** After an unsigned integer: `gen R` makes it a reference (consumed); otherwise nothing is consumed. */
  private refAfter(num: number): PdfRef | undefined {
    const save = this.pos;
    this.skipWhite();
    const gen = this.digits();
    if (gen >= 0) {
      this.skipWhite();
      const b = this.bytes;
      if (b[this.pos] === 0x52 && !isRegular(b[this.pos + 1])) {
        this.pos++;
        return new PdfRef(num, gen);
      }
    }
    this.pos = save;
    return undefined;
  }

  private array(depth: number): PdfValue[] {
    const b = this.bytes;
    const items: PdfValue[] = [];
    this.pos++;
    for (;;) {
      this.skipWhite();
      if (this.pos >= b.length) throw syntax('tableau non terminé');
      if (b[this.pos] === 0x5d) {
        this.pos++;
        return items;
      }
      items.push(this.value(depth + 1));
    }
  }

  private dict(depth: number): PdfDict {
    const b = this.bytes;
    const d = new PdfDict();
    this.pos += 2;
    for (;;) {
      this.skipWhite();
      const p = this.pos;
      if (p >= b.length) throw syntax('dictionnaire non terminé');
      if (b[p] === 0x3e && b[p + 1] === 0x3e) {
        this.pos = p + 2;
        return d;
      }
      if (b[p] !== 0x2f) throw syntax(`clé de dictionnaire attendue à la position ${p}`);
      const key = this.name().name;
      if (this.config.lazy && depth === 0) {
        this.skipWhite();
        const c = b[this.pos];
        if (c === 0x5b || (c === 0x3c && b[this.pos + 1] === 0x3c)) {
          const start = this.pos;
          this.skipComposite();
          d.entries.set(key, new PdfLazy(this, start, this.pos));
          continue;
        }
      }
      d.entries.set(key, this.value(depth + 1));
    }
  }

  /** Moves past a dictionary or array without building it (strings, hex and comments honoured). */
  private skipComposite(): void {
    const b = this.bytes;
    const n = b.length;
    let depth = 0;
    let p = this.pos;
    do {
      while (p < n && SKIP_SPECIAL[b[p]!] === 0) p++;
      if (p >= n) throw syntax('dictionnaire ou tableau non terminé');
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
          const close = b.indexOf(0x3e, p);
          p = (close < 0 ? n : close) + 1;
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
      if (depth > this.config.maxDepth) throw new PdfError('PDF_LIMIT', `des tableaux ou dictionnaires sont imbriqués sur plus de ${this.config.maxDepth} niveaux`);
    } while (depth > 0);
    this.pos = p;
  }

  private name(): PdfName {
    const b = this.bytes;
    const pos = this.pos;
    let end = pos + 1;
    // Most names have no #xx escape: read them straight from the bytes.
    while (end < b.length && isRegular(b[end]) && b[end] !== 0x23 && end - pos <= 512) end++;
    if (!(end < b.length && b[end] === 0x23) && end - pos <= 512) {
      this.pos = end;
      return new PdfName(latin1(b, pos + 1, end));
    }
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
    this.pos = end;
    return new PdfName(Buffer.from(out).toString('latin1'));
  }

  private literalString(): PdfString {
    const b = this.bytes;
    const pos = this.pos;
    const out: number[] = [];
    let nest = 1;
    let p = pos + 1;
    while (p < b.length) {
      const c = b[p]!;
      if (c === 0x5c) {
        const n = b[p + 1];
        p += 2;
        if (n === undefined) break;
        if (ESCAPES[n] !== undefined) out.push(ESCAPES[n]!);
        else if (n >= 0x30 && n <= 0x37) {
          let v = n - 0x30;
          for (let k = 0; k < 2 && b[p] !== undefined && b[p]! >= 0x30 && b[p]! <= 0x37; k++) v = v * 8 + (b[p++]! - 0x30);
          out.push(v & 0xff);
        } else if (n === 13) {
          if (b[p] === 10) p++;
        } else if (n !== 10) out.push(n); // a backslash before a line break continues the line
        continue;
      }
      if (c === 0x28) nest++;
      if (c === 0x29 && --nest === 0) {
        this.pos = p + 1;
        return new PdfString(Uint8Array.from(out), false, pos, p + 1);
      }
      out.push(c);
      p++;
    }
    throw syntax('chaîne non terminée');
  }

  private hexString(): PdfString {
    const b = this.bytes;
    const pos = this.pos;
    const close = b.indexOf(0x3e, pos + 1);
    if (close < 0) throw syntax('chaîne hexadécimale non terminée');
    if (close - pos > this.config.maxHexChars + 2) throw new PdfError('PDF_LIMIT', `une chaîne hexadécimale dépasse ${this.config.maxHexChars} caractères`);
    this.pos = close + 1;
    // Fast path: contiguous hex digits (signature values) decode natively; Buffer stops at the first non-hex pair.
    if ((close - pos - 1) % 2 === 0) {
      const digits = b.subarray(pos + 1, close);
      const decoded = Buffer.from(Buffer.from(digits.buffer, digits.byteOffset, digits.length).toString('latin1'), 'hex');
      if (decoded.length * 2 === digits.length) return new PdfString(decoded, true, pos, close + 1);
    }
    const out = new Uint8Array(Math.ceil((close - pos) / 2));
    let n = 0;
    let high = -1;
    for (let p = pos + 1; p < close; p++) {
      const c = b[p]!;
      if (CLASS[c] === 1) continue;
      const v = hexValue(c);
      if (v < 0) throw syntax(`chiffre hexadécimal invalide à la position ${p}`);
      if (high < 0) high = v;
      else {
        out[n++] = high * 16 + v;
        high = -1;
      }
    }
    if (high >= 0) out[n++] = high * 16;
    return new PdfString(out.subarray(0, n), true, pos, close + 1);
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Latin-1 text of a short range without copying it into a Buffer first. */
export function latin1(b: Uint8Array, start: number, end: number): string {
  if (end - start > 32) return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}
