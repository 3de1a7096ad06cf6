import { PdfDict, PdfHexPlaceholder, PdfLazy, PdfName, PdfRaw, PdfRef, PdfStream, PdfString, type PdfValue } from './objects.ts';

const NAME_SAFE = /^[A-Za-z0-9._+\-:*]+$/;
/** Encoded `/Name` tokens: the same few dozen keys and names recur in every update. */
const nameTokens = new Map<string, string>();
function nameToken(n: string): string {
  let t = nameTokens.get(n);
  if (t === undefined) {
    t = '/' + (NAME_SAFE.test(n) ? n : escapeName(n));
    if (n.length <= 64 && nameTokens.size < 4096) nameTokens.set(n, t);
  }
  return t;
}

/**
 * The bytes of an update as text runs, borrowed binary slices and byte fills,
 * copied once into the output: no intermediate Buffer per object, and the large
 * /Contents placeholder never exists as a string.
 */
export class ChunkWriter {
  private readonly chunks: (string | Uint8Array | { byte: number; count: number })[] = [];
  private pending = '';
  /** Bytes written so far. */
  length = 0;

  /** Text whose every character is one byte (latin1). */
  text(s: string): void {
    this.pending += s;
    this.length += s.length;
  }

  bytes(b: Uint8Array): void {
    this.flush();
    this.chunks.push(b);
    this.length += b.length;
  }

  fill(byte: number, count: number): void {
    this.flush();
    this.chunks.push({ byte, count });
    this.length += count;
  }

  /** Copies everything into `out` from `at`; returns the offset past the last byte. */
  copyInto(out: Buffer, at: number): number {
    this.flush();
    for (const c of this.chunks) {
      if (typeof c === 'string') at += out.write(c, at, 'latin1');
      else if (c instanceof Uint8Array) {
        out.set(c, at);
        at += c.length;
      } else {
        out.fill(c.byte, at, at + c.count);
        at += c.count;
      }
    }
    return at;
  }

  toBuffer(): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    this.copyInto(out, 0);
    return out;
  }

  private flush(): void {
    if (this.pending) {
      this.chunks.push(this.pending);
      this.pending = '';
    }
  }
}

/** Writes a direct value (streams only as indirect objects: see writeIndirect). */
export function writeValue(v: PdfValue | PdfLazy, w: ChunkWriter): void {
  if (v instanceof PdfLazy) w.bytes(v.raw);
  else if (v === null) w.text('null');
  else if (typeof v === 'boolean') w.text(v ? 'true' : 'false');
  else if (typeof v === 'number') w.text(formatNumber(v));
  else if (v instanceof PdfName) w.text(nameToken(v.name));
  else if (v instanceof PdfRef) w.text(`${v.num} ${v.gen} R`);
  else if (v instanceof PdfString) w.text(v.hex ? `<${Buffer.from(v.bytes.buffer, v.bytes.byteOffset, v.bytes.length).toString('hex')}>` : literal(v.bytes));
  else if (v instanceof PdfRaw) w.text(v.text);
  else if (v instanceof PdfHexPlaceholder) {
    w.text('<');
    w.fill(0x30, v.bytes * 2);
    w.text('>');
  } else if (Array.isArray(v)) {
    w.text('[');
    for (let i = 0; i < v.length; i++) {
      if (i) w.text(' ');
      writeValue(v[i]!, w);
    }
    w.text(']');
  } else if (v instanceof PdfDict) {
    w.text('<<');
    for (const [k, x] of v.entries) {
      w.text(nameToken(k));
      w.text(' ');
      writeValue(x, w);
      w.text('\n');
    }
    w.text('>>');
  } else if (v instanceof PdfStream) throw new Error('Un flux ne peut être écrit que comme objet indirect (erreur interne).');
}

/** A direct value as PDF source text (latin1). */
export function serialize(v: PdfValue | PdfLazy): string {
  const w = new ChunkWriter();
  writeValue(v, w);
  return w.toBuffer().toString('latin1');
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
}

function escapeName(n: string): string {
  let s = '';
  for (const ch of Buffer.from(n, 'latin1')) {
    s += ch > 0x20 && ch < 0x7f && !'()<>[]{}/%#'.includes(String.fromCharCode(ch)) ? String.fromCharCode(ch) : '#' + ch.toString(16).padStart(2, '0');
  }
  return s;
}

function literal(bytes: Uint8Array): string {
  let s = '(';
  for (const b of bytes) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) s += '\\' + String.fromCharCode(b);
    else if (b === 0x0d) s += '\\r';
    else if (b === 0x0a) s += '\\n';
    else if (b < 0x20 || b > 0x7e) s += '\\' + b.toString(8).padStart(3, '0');
    else s += String.fromCharCode(b);
  }
  return s + ')';
}

/** `N G obj ... endobj`. */
export function writeIndirect(num: number, gen: number, v: PdfValue, w: ChunkWriter): void {
  w.text(`${num} ${gen} obj\n`);
  if (v instanceof PdfStream) {
    v.dict.set('Length', v.data.length);
    writeValue(v.dict, w);
    w.text('\nstream\n');
    w.bytes(v.data);
    w.text('\nendstream\nendobj\n');
    return;
  }
  writeValue(v, w);
  w.text('\nendobj\n');
}
