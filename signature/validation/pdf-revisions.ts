import { PdfParser } from './pdf-parser.ts';
import { PdfDict, PdfRef, PdfStream, nameOf, type PdfObject } from './pdf-objects.ts';
import { decodeStream } from './pdf-streams.ts';
import { PdfFormatError, type Budget, type VerifyLimits } from './limits.ts';

export type XrefEntry =
  | { kind: 'n'; offset: number; gen: number }
  | { kind: 'c'; stream: number; index: number }
  | { kind: 'f' };

/** One cross-reference section (a revision's own xref table or stream) and its trailer. */
export interface XrefSection {
  offset: number;
  entries: Map<number, XrefEntry>;
  trailer: PdfDict;
  isStream: boolean;
}

/**
 * Every revision of a PDF, read from the last `startxref` back through /Prev,
 * with loops, excess revisions and excess objects refused.
 */
export class PdfRevisions {
  readonly parser: PdfParser;
  /** Sections sorted by file offset: the order in which they were appended. */
  readonly sections: XrefSection[];
  /** Objects parsed at a file offset, shared by every revision's resolver. */
  readonly parsedAt = new Map<number, { num: number; gen: number; obj: PdfObject }>();
  private readonly objStmCache = new Map<string, { offsets: [number, number][]; data: Uint8Array; parser: PdfParser }>();

  constructor(
    readonly bytes: Uint8Array,
    readonly limits: VerifyLimits,
    readonly budget: Budget,
  ) {
    if (bytes.length > limits.maxFileBytes) throw new PdfFormatError(`file larger than ${limits.maxFileBytes} bytes`);
    this.parser = new PdfParser(bytes, limits.maxDepth, limits.maxContentsHexChars);
    const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
    if (!head.includes('%PDF-')) throw new PdfFormatError('not a PDF file (no %PDF- header)');
    this.sections = this.readChain();
  }

  private readChain(): XrefSection[] {
    const buf = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
    const at = buf.lastIndexOf('startxref', undefined, 'latin1');
    if (at < 0) throw new PdfFormatError('no startxref');
    const tok = this.parser.readToken(at + 9);
    if (!/^\d+$/.test(tok.text)) throw new PdfFormatError('startxref is not a number');
    const sections: XrefSection[] = [];
    const seen = new Set<number>();
    let totalEntries = 0;
    let next: number | undefined = Number(tok.text);
    while (next !== undefined) {
      this.budget.check();
      if (seen.has(next)) throw new PdfFormatError('cross-reference /Prev loop');
      if (seen.size >= this.limits.maxRevisions) throw new PdfFormatError(`more than ${this.limits.maxRevisions} cross-reference sections`);
      seen.add(next);
      const section = this.readSection(next);
      totalEntries += section.entries.size;
      if (totalEntries > this.limits.maxObjects) throw new PdfFormatError(`more than ${this.limits.maxObjects} objects`);
      sections.push(section);
      const prev = section.trailer.get('Prev');
      next = typeof prev === 'number' && Number.isInteger(prev) && prev >= 0 ? prev : undefined;
    }
    return sections.sort((a, b) => a.offset - b.offset);
  }

  private readSection(offset: number): XrefSection {
    if (offset >= this.bytes.length) throw new PdfFormatError(`cross-reference offset ${offset} outside the file`);
    const tok = this.parser.readToken(offset);
    if (tok.text === 'xref') {
      const section = this.readTable(tok.end, offset);
      const hybrid = section.trailer.get('XRefStm');
      if (typeof hybrid === 'number') {
        const stream = this.readXrefStream(hybrid);
        for (const [num, e] of stream.entries) {
          const own = section.entries.get(num);
          if (own === undefined || own.kind === 'f') section.entries.set(num, e);
        }
      }
      return section;
    }
    return this.readXrefStream(offset);
  }

  private readTable(pos: number, offset: number): XrefSection {
    const entries = new Map<number, XrefEntry>();
    for (;;) {
      this.budget.check();
      const first = this.parser.readToken(pos);
      if (first.text === 'trailer') {
        const { obj } = this.parser.parseObject(first.end);
        if (!(obj instanceof PdfDict)) throw new PdfFormatError('trailer is not a dictionary');
        return { offset, entries, trailer: obj, isStream: false };
      }
      const count = this.parser.readToken(first.end);
      if (!/^\d+$/.test(first.text) || !/^\d+$/.test(count.text)) throw new PdfFormatError(`broken xref table at ${pos}`);
      const start = Number(first.text);
      const n = Number(count.text);
      if (n > this.limits.maxObjects || entries.size + n > this.limits.maxObjects) throw new PdfFormatError('too many xref entries');
      pos = count.end;
      for (let i = 0; i < n; i++) {
        const off = this.parser.readToken(pos);
        const gen = this.parser.readToken(off.end);
        const type = this.parser.readToken(gen.end);
        if (!/^\d+$/.test(off.text) || !/^\d+$/.test(gen.text) || (type.text !== 'n' && type.text !== 'f')) {
          throw new PdfFormatError(`broken xref entry at ${pos}`);
        }
        pos = type.end;
        const num = start + i;
        if (num === 0) continue;
        entries.set(num, type.text === 'n' ? { kind: 'n', offset: Number(off.text), gen: Number(gen.text) } : { kind: 'f' });
      }
    }
  }

  private readXrefStream(offset: number): XrefSection {
    const { obj } = this.parser.parseIndirect(offset, () => undefined);
    if (!(obj instanceof PdfStream) || nameOf(obj.dict.get('Type')) !== 'XRef') {
      throw new PdfFormatError(`no cross-reference at offset ${offset}`);
    }
    const dict = obj.dict;
    const data = decodeStream(this.bytes, obj, this.limits.maxDecodedStreamBytes);
    const w = dict.get('W');
    if (!Array.isArray(w) || w.length !== 3 || !w.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 8)) {
      throw new PdfFormatError('invalid /W in xref stream');
    }
    const [w0, w1, w2] = w as [number, number, number];
    const size = dict.get('Size');
    const index = dict.get('Index') ?? [0, typeof size === 'number' ? size : 0];
    if (!Array.isArray(index) || index.length % 2 !== 0) throw new PdfFormatError('invalid /Index in xref stream');
    const rowLength = w0 + w1 + w2;
    if (rowLength === 0) throw new PdfFormatError('empty xref stream rows');
    const entries = new Map<number, XrefEntry>();
    let row = 0;
    const field = (at: number, width: number): number => {
      let v = 0;
      for (let k = 0; k < width; k++) v = v * 256 + data[at + k]!;
      return v;
    };
    for (let i = 0; i < index.length; i += 2) {
      const start = index[i];
      const count = index[i + 1];
      if (typeof start !== 'number' || typeof count !== 'number' || count < 0 || start < 0) throw new PdfFormatError('invalid /Index');
      if (entries.size + count > this.limits.maxObjects) throw new PdfFormatError('too many xref entries');
      for (let k = 0; k < count; k++, row++) {
        const at = row * rowLength;
        if (at + rowLength > data.length) throw new PdfFormatError('xref stream shorter than its /Index');
        const type = w0 === 0 ? 1 : field(at, w0);
        const a = field(at + w0, w1);
        const b = field(at + w0 + w1, w2);
        const num = start + k;
        if (num === 0) continue;
        if (type === 0) entries.set(num, { kind: 'f' });
        else if (type === 1) entries.set(num, { kind: 'n', offset: a, gen: b });
        else if (type === 2) entries.set(num, { kind: 'c', stream: a, index: b });
      }
    }
    return { offset, entries, trailer: dict, isStream: true };
  }

  /** Offset of `num gen obj` within 64 bytes of `offset`, if any. */
  findHeaderNear(num: number, gen: number, offset: number): number | undefined {
    const from = Math.max(0, offset - 64);
    const window = Buffer.from(this.bytes.subarray(from, Math.min(this.bytes.length, offset + 64))).toString('latin1');
    const m = new RegExp(`(^|[^0-9])${num}\\s+${gen}\\s+obj`).exec(window);
    return m ? from + m.index + m[1]!.length : undefined;
  }

  /** The document as it stood before byte `limit`: every section appended before it, overlaid in order. */
  stateAt(limit: number): PdfState {
    const included = this.sections.filter((s) => s.offset < limit);
    return new PdfState(this, included);
  }

  /** The whole file as a reader sees it. */
  latest(): PdfState {
    return new PdfState(this, this.sections);
  }

  /** Object `index` of object stream `streamNum` as found in `state`. */
  objectFromStream(state: PdfState, streamNum: number, index: number, num: number): PdfObject | undefined {
    const entry = state.entries.get(streamNum);
    if (entry?.kind !== 'n') return undefined;
    const key = `${streamNum}@${entry.offset}`;
    let cached = this.objStmCache.get(key);
    if (!cached) {
      const stream = state.resolve(new PdfRef(streamNum, entry.gen));
      if (!(stream instanceof PdfStream) || nameOf(stream.dict.get('Type')) !== 'ObjStm') return undefined;
      const data = decodeStream(this.bytes, stream, this.limits.maxDecodedStreamBytes);
      const n = stream.dict.get('N');
      const first = stream.dict.get('First');
      if (typeof n !== 'number' || typeof first !== 'number' || n < 0 || n > this.limits.maxObjects) return undefined;
      const parser = new PdfParser(data, this.limits.maxDepth, this.limits.maxContentsHexChars);
      const offsets: [number, number][] = [];
      let pos = 0;
      for (let i = 0; i < n; i++) {
        const a = parser.readToken(pos);
        const b = parser.readToken(a.end);
        if (!/^\d+$/.test(a.text) || !/^\d+$/.test(b.text)) break;
        offsets.push([Number(a.text), first + Number(b.text)]);
        pos = b.end;
      }
      cached = { offsets, data, parser };
      this.objStmCache.set(key, cached);
    }
    const slot = cached.offsets[index];
    if (!slot || slot[0] !== num) {
      const found = cached.offsets.find(([n]) => n === num);
      if (!found) return undefined;
      return cached.parser.parseObject(found[1]).obj;
    }
    return cached.parser.parseObject(slot[1]).obj;
  }
}

/** A resolver for one revision of the document. */
export class PdfState {
  readonly entries = new Map<number, XrefEntry>();
  readonly trailer: PdfDict;
  private readonly cache = new Map<number, PdfObject | undefined>();
  private readonly resolving = new Set<number>();

  constructor(
    private readonly doc: PdfRevisions,
    sections: XrefSection[],
  ) {
    for (const s of sections) for (const [num, e] of s.entries) this.entries.set(num, e);
    const last = sections[sections.length - 1];
    if (!last) throw new PdfFormatError('no cross-reference section before this point');
    // Hybrid and linearized files split the trailer; merge so /Root and /Info are found.
    const merged = new Map<string, PdfObject>();
    for (const s of sections) for (const [k, v] of s.trailer.entries) merged.set(k, v);
    this.trailer = new PdfDict(merged, last.trailer.start, last.trailer.end);
  }

  /** Follows a reference (once; chains of references are followed up to a few hops). */
  resolve(obj: PdfObject | undefined): PdfObject | undefined {
    let hops = 0;
    while (obj instanceof PdfRef) {
      if (hops++ > 8) return undefined;
      obj = this.load(obj.num);
    }
    return obj;
  }

  dict(obj: PdfObject | undefined): PdfDict | undefined {
    const r = this.resolve(obj);
    if (r instanceof PdfDict) return r;
    if (r instanceof PdfStream) return r.dict;
    return undefined;
  }

  array(obj: PdfObject | undefined): PdfObject[] | undefined {
    const r = this.resolve(obj);
    return Array.isArray(r) ? r : undefined;
  }

  load(num: number): PdfObject | undefined {
    if (this.cache.has(num)) return this.cache.get(num);
    if (this.resolving.has(num)) return undefined; // a /Length that refers back to its own stream
    this.doc.budget.check();
    this.resolving.add(num);
    let result: PdfObject | undefined;
    try {
      const entry = this.entries.get(num);
      if (entry?.kind === 'n') {
        if (entry.offset < this.doc.bytes.length) {
          const lengthOf = (ref: PdfRef): number | undefined => {
            const v = this.resolve(ref);
            return typeof v === 'number' ? v : undefined;
          };
          let parsed = this.doc.parsedAt.get(entry.offset);
          if (!parsed) {
            try {
              parsed = this.doc.parser.parseIndirect(entry.offset, lengthOf);
            } catch (error) {
              // Writers are sometimes a few bytes off: look for the header close by, as common readers do.
              const near = this.doc.findHeaderNear(num, entry.gen, entry.offset);
              if (near === undefined) throw error;
              parsed = this.doc.parser.parseIndirect(near, lengthOf);
            }
            // Bytes never change, so an object read at an offset is the same in every revision,
            // unless its stream length came from another object.
            if (!(parsed.obj instanceof PdfStream && parsed.obj.dict.get('Length') instanceof PdfRef)) this.doc.parsedAt.set(entry.offset, parsed);
          }
          if (parsed.num !== num) throw new PdfFormatError(`xref points object ${num} at object ${parsed.num}`);
          result = parsed.obj;
        }
      } else if (entry?.kind === 'c') {
        result = this.doc.objectFromStream(this, entry.stream, entry.index, num);
      }
    } finally {
      this.resolving.delete(num);
    }
    this.cache.set(num, result);
    return result;
  }

  /** Where object `num` sits in the file, when it is stored directly. */
  offsetOf(num: number): number | undefined {
    const e = this.entries.get(num);
    return e?.kind === 'n' ? e.offset : undefined;
  }

  root(): PdfDict | undefined {
    return this.dict(this.trailer.get('Root'));
  }
}
