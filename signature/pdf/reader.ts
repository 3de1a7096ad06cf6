import { inflateSync } from 'node:zlib';
import { PdfDict, PdfLazy, PdfName, PdfRef, PdfStream, type PdfValue } from './objects.ts';
import { arrayItems, Parser, PdfSyntaxError } from './parser.ts';

type XrefEntry = { kind: 'offset'; offset: number; gen: number } | { kind: 'compressed'; stream: number; index: number } | { kind: 'free' };

/**
 * A lazy reader: it parses the cross-reference sections (tables, streams, hybrid
 * files, /Prev chains) and then only the objects asked for.
 */
export class PdfReader {
  /** Entries read eagerly, each with the rank of its section (0 = newest). */
  private readonly xref = new Map<number, XrefEntry>();
  private readonly rankOf = new Map<number, number>();
  /** Classic-table subsections of fixed 20-byte rows, decoded only when an object is asked for. */
  private readonly lazyRows: { start: number; count: number; at: number; rank: number }[] = [];
  private rank = 0;
  readonly trailer: PdfDict;
  /** Offset of the last cross-reference section (the next update's /Prev). */
  readonly startxref: number;
  /** Kind of the last cross-reference section: the next update must use the same. */
  readonly xrefKind: 'table' | 'stream';
  private readonly cache = new Map<number, PdfValue>();
  private readonly objectStreams = new Map<number, { offsets: number[]; data: Uint8Array; first: number }>();

  constructor(readonly bytes: Uint8Array) {
    this.startxref = findStartxref(bytes);
    const seen = new Set<number>();
    let offset: number | undefined = this.startxref;
    let first: { trailer: PdfDict; kind: 'table' | 'stream' } | undefined;
    while (offset !== undefined) {
      if (seen.has(offset) || seen.size > 10_000) throw new PdfSyntaxError('cross-reference loop');
      seen.add(offset);
      const section = this.readSection(offset);
      first ??= section;
      const stm = section.trailer.get('XRefStm');
      if (section.kind === 'table' && typeof stm === 'number' && !seen.has(stm)) {
        seen.add(stm);
        // A hybrid file lists its compressed objects as free in the table: the stream outranks it.
        this.rank -= 0.5;
        this.readSection(stm);
        this.rank += 0.5;
      }
      this.rank++;
      const prev = section.trailer.get('Prev');
      offset = typeof prev === 'number' ? prev : undefined;
    }
    this.trailer = first!.trailer;
    this.xrefKind = first!.kind;
  }

  private readSection(offset: number): { trailer: PdfDict; kind: 'table' | 'stream' } {
    if (offset < 0 || offset >= this.bytes.length) throw new PdfSyntaxError('startxref points outside the file');
    const p = new Parser(this.bytes, offset);
    if (p.peekWord() === 'xref') {
      p.keyword('xref');
      for (;;) {
        const w = p.peekWord();
        if (w === 'trailer') break;
        const start = p.integer();
        const count = p.integer();
        p.skipSpace();
        if (this.looksFixed(p.pos, count)) {
          this.lazyRows.push({ start, count, at: p.pos, rank: this.rank });
          p.pos += count * 20;
          continue;
        }
        for (let i = 0; i < count; i++) {
          const off = p.integer();
          const gen = p.integer();
          p.skipSpace();
          const type = this.bytes[p.pos++];
          this.record(start + i, type === 0x6e ? { kind: 'offset', offset: off, gen } : { kind: 'free' });
        }
      }
      p.keyword('trailer');
      const trailer = p.value();
      if (!(trailer instanceof PdfDict)) throw new PdfSyntaxError('trailer is not a dictionary');
      return { trailer, kind: 'table' };
    }
    const obj = this.parseIndirectAt(offset);
    if (!(obj instanceof PdfStream) || !(obj.dict.get('Type') instanceof PdfName)) throw new PdfSyntaxError('no cross-reference section at startxref');
    const d = obj.dict;
    const w = (d.get('W') as number[] | undefined) ?? [];
    const size = d.get('Size') as number;
    const index = (d.get('Index') as number[] | undefined) ?? [0, size];
    const data = decodeStream(obj);
    const [w0 = 0, w1 = 0, w2 = 0] = w;
    const rowLen = w0 + w1 + w2;
    let row = 0;
    for (let k = 0; k + 1 < index.length; k += 2) {
      const start = index[k]!;
      const count = index[k + 1]!;
      for (let i = 0; i < count; i++, row++) {
        const at = row * rowLen;
        if (at + rowLen > data.length) break;
        const type = w0 === 0 ? 1 : readInt(data, at, w0);
        const f2 = readInt(data, at + w0, w1);
        const f3 = readInt(data, at + w0 + w1, w2);
        const num = start + i;
        if (type === 1) this.record(num, { kind: 'offset', offset: f2, gen: f3 });
        else if (type === 2) this.record(num, { kind: 'compressed', stream: f2, index: f3 });
        else this.record(num, { kind: 'free' });
      }
    }
    return { trailer: d, kind: 'stream' };
  }

  /** Newest section wins: an entry is kept unless a better-ranked one is already there. */
  private record(num: number, e: XrefEntry): void {
    const r = this.rankOf.get(num);
    if (r !== undefined && r <= this.rank) return;
    this.xref.set(num, e);
    this.rankOf.set(num, this.rank);
  }

  /** Whether a subsection has the common shape: rows of exactly 20 bytes (first and last checked; rows are re-checked when read). */
  private looksFixed(at: number, count: number): boolean {
    if (count === 0 || at + count * 20 > this.bytes.length) return false;
    return this.rowAt(at) !== null && this.rowAt(at + (count - 1) * 20) !== null && /^\s*(trailer|\d)/.test(latin1Of(this.bytes, at + count * 20, at + count * 20 + 16));
  }

  /** "oooooooooo ggggg n\r\n" read without tokenising, or null when the row differs. */
  private rowAt(r: number): XrefEntry | null {
    const b = this.bytes;
    let off = 0;
    for (let k = 0; k < 10; k++) {
      const d = b[r + k]! - 48;
      if (d < 0 || d > 9) return null;
      off = off * 10 + d;
    }
    let gen = 0;
    for (let k = 11; k < 16; k++) {
      const d = b[r + k]! - 48;
      if (d < 0 || d > 9) return null;
      gen = gen * 10 + d;
    }
    const type = b[r + 17];
    const e1 = b[r + 18]!;
    const e2 = b[r + 19]!;
    if (b[r + 10] !== 0x20 || b[r + 16] !== 0x20 || (type !== 0x6e && type !== 0x66)) return null;
    if (!((e1 === 0x20 || e1 === 0x0d || e1 === 0x0a) && (e2 === 0x0a || e2 === 0x0d || e2 === 0x20))) return null;
    return type === 0x6e ? { kind: 'offset', offset: off, gen } : { kind: 'free' };
  }

  /** The cross-reference entry of `num`, from whichever section ranks first. */
  entry(num: number): XrefEntry | undefined {
    let best = this.xref.get(num);
    let rank = this.rankOf.get(num) ?? Infinity;
    for (const sub of this.lazyRows) {
      if (sub.rank >= rank || num < sub.start || num >= sub.start + sub.count) continue;
      const row = this.rowAt(sub.at + (num - sub.start) * 20);
      if (!row) throw new PdfSyntaxError(`malformed cross-reference row for object ${num}`);
      best = row;
      rank = sub.rank;
    }
    return best;
  }

  private parseIndirectAt(offset: number): PdfValue {
    const p = new Parser(this.bytes, offset);
    p.integer();
    p.integer();
    p.keyword('obj');
    const v = p.value();
    return v instanceof PdfDict ? p.streamAfter(v, (len) => this.lengthOf(len)) : v;
  }

  private lengthOf(len: PdfValue | undefined): number | undefined {
    if (typeof len === 'number') return len;
    if (len instanceof PdfRef) {
      const v = this.get(len.num);
      return typeof v === 'number' ? v : undefined;
    }
    return undefined;
  }

  /** The object numbered `num` in its latest revision (null when free or missing). */
  get(num: number): PdfValue {
    if (this.cache.has(num)) return this.cache.get(num)!;
    const entry = this.entry(num);
    let value: PdfValue = null;
    if (entry?.kind === 'offset') value = this.parseIndirectAt(entry.offset);
    else if (entry?.kind === 'compressed') value = this.fromObjectStream(entry.stream, entry.index);
    this.cache.set(num, value);
    return value;
  }

  resolve(v: PdfValue | undefined): PdfValue | undefined {
    let depth = 0;
    while (v instanceof PdfRef && depth++ < 32) v = this.get(v.num);
    return v;
  }

  dict(v: PdfValue | undefined): PdfDict | undefined {
    const r = this.resolve(v);
    return r instanceof PdfDict ? r : r instanceof PdfStream ? r.dict : undefined;
  }

  private fromObjectStream(streamNum: number, index: number): PdfValue {
    let os = this.objectStreams.get(streamNum);
    if (!os) {
      const s = this.get(streamNum);
      if (!(s instanceof PdfStream)) throw new PdfSyntaxError('object stream missing');
      const data = decodeStream(s);
      const n = s.dict.get('N') as number;
      const first = s.dict.get('First') as number;
      const p = new Parser(data);
      const offsets: number[] = [];
      for (let i = 0; i < n; i++) {
        p.integer();
        offsets.push(p.integer());
      }
      os = { offsets, data, first };
      this.objectStreams.set(streamNum, os);
    }
    const off = os.offsets[index];
    if (off === undefined) return null;
    return new Parser(os.data, os.first + off).value();
  }

  get catalog(): PdfDict {
    const root = this.trailer.get('Root');
    const d = this.dict(root);
    if (!(root instanceof PdfRef) || !d) throw new PdfSyntaxError('no document catalog');
    return d;
  }

  /** The highest object number in use, plus one (the next /Size). */
  get size(): number {
    let size = typeof this.trailer.get('Size') === 'number' ? (this.trailer.get('Size') as number) : 0;
    for (const k of this.xref.keys()) if (k + 1 > size) size = k + 1;
    for (const sub of this.lazyRows) if (sub.start + sub.count > size) size = sub.start + sub.count;
    return size;
  }

  /** The reference of the 1-based page `n`, walking only the branches that hold it (/Count). */
  page(n: number): PdfRef | undefined {
    let node: PdfValue | undefined = this.catalog.get('Pages');
    let skip = n - 1;
    for (let depth = 0; depth < 64 && node instanceof PdfRef; depth++) {
      const kids = this.kidsOf(this.dict(node));
      if (!kids) return skip === 0 ? node : undefined;
      let next: PdfValue | undefined;
      for (const kid of kids) {
        const kd = this.dict(kid);
        const count = kd && this.kidsOf(kd, false) ? Number(this.resolve(kd.get('Count')) ?? 0) : 1;
        if (skip < count) {
          next = kid;
          break;
        }
        skip -= count;
      }
      node = next;
    }
    return undefined;
  }

  /**
   * A page tree node's /Kids, or undefined when it has none (a page). Kept raw in
   * the file, they are parsed one by one as the walk needs them: finding page 1 of a
   * hundred-page document reads one reference, not a hundred.
   */
  private kidsOf(d: PdfDict | undefined, read = true): Iterable<PdfValue> | undefined {
    const raw = d?.map.get('Kids');
    if (raw instanceof PdfLazy) return raw.raw[0] === 0x5b ? (read ? arrayItems(raw.raw) : []) : undefined;
    const kids = this.resolve(raw);
    return Array.isArray(kids) ? kids : undefined;
  }

  /** Page references in document order. */
  pages(): PdfRef[] {
    const out: PdfRef[] = [];
    const walk = (ref: PdfValue | undefined, depth: number): void => {
      if (!(ref instanceof PdfRef) || depth > 64) return;
      const node = this.dict(ref);
      if (!node) return;
      const kids = this.resolve(node.get('Kids'));
      if (Array.isArray(kids)) for (const k of kids) walk(k, depth + 1);
      else out.push(ref);
    };
    walk(this.catalog.get('Pages'), 0);
    return out;
  }
}

function readInt(data: Uint8Array, at: number, width: number): number {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + data[at + i]!;
  return v;
}

function findStartxref(b: Uint8Array): number {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  const at = buf.lastIndexOf('startxref', b.length, 'latin1');
  if (at < 0 || at < b.length - 2048) throw new PdfSyntaxError('no startxref');
  let p = at + 9;
  while (p < b.length && (b[p] === 0x20 || b[p] === 0x0a || b[p] === 0x0d || b[p] === 0x09 || b[p] === 0x0c || b[p] === 0x00)) p++;
  const start = p;
  let n = 0;
  while (p < b.length && b[p]! >= 0x30 && b[p]! <= 0x39 && p - start < 16) n = n * 10 + b[p++]! - 0x30;
  if (p === start) throw new PdfSyntaxError('no startxref');
  return n;
}

/** Flate with PNG/TIFF predictors: enough for xref and object streams. */
export function decodeStream(s: PdfStream): Uint8Array {
  const filter = s.dict.get('Filter');
  const filters = Array.isArray(filter) ? filter : filter ? [filter] : [];
  let data = s.data;
  for (const f of filters) {
    if (!(f instanceof PdfName) || (f.name !== 'FlateDecode' && f.name !== 'Fl')) throw new PdfSyntaxError(`unsupported filter`);
    data = inflateSync(data);
  }
  const parmsRaw = s.dict.get('DecodeParms');
  const parms = Array.isArray(parmsRaw) ? parmsRaw[0] : parmsRaw;
  if (parms instanceof PdfDict) {
    const predictor = (parms.get('Predictor') as number | undefined) ?? 1;
    if (predictor >= 10) data = unpredictPng(data, (parms.get('Columns') as number | undefined) ?? 1);
  }
  return data;
}

function unpredictPng(data: Uint8Array, columns: number): Uint8Array {
  const rowLen = columns + 1;
  const rows = Math.floor(data.length / rowLen);
  const out = new Uint8Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    const type = data[r * rowLen]!;
    for (let c = 0; c < columns; c++) {
      const raw = data[r * rowLen + 1 + c]!;
      const left = c > 0 ? out[r * columns + c - 1]! : 0;
      const up = r > 0 ? out[(r - 1) * columns + c]! : 0;
      const upLeft = r > 0 && c > 0 ? out[(r - 1) * columns + c - 1]! : 0;
      let v = raw;
      if (type === 1) v = raw + left;
      else if (type === 2) v = raw + up;
      else if (type === 3) v = raw + ((left + up) >> 1);
      else if (type === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left), pb = Math.abs(p - up), pc = Math.abs(p - upLeft);
        v = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
      }
      out[r * columns + c] = v & 0xff;
    }
  }
  return out;
}

function latin1Of(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, Math.max(0, Math.min(end, b.length) - start)).toString('latin1');
}
