import { PdfError } from './errors.ts';
import { Budget, DEFAULT_PDF_LIMITS, sizeText, type PdfLimits } from './limits.ts';
import { PdfDict, PdfLazy, PdfRef, PdfStream, dictOf, nameOf, type PdfValue } from './objects.ts';
import { PdfParser, latin1, type ParseConfig } from './parser.ts';
import { StreamDecoder } from './streams.ts';

export type XrefEntry = { kind: 'n'; offset: number; gen: number } | { kind: 'c'; stream: number; index: number } | { kind: 'f' };

/** Rows of a classic table kept as bytes: fixed 20-byte rows decoded when an object is asked for. */
interface FixedRun {
  start: number;
  count: number;
  at: number;
}

/** One cross-reference section (a revision's own xref table or stream) and its trailer. */
export class XrefSection {
  /** Subsections in file order (a later one overrides an earlier one): decoded maps or raw rows. */
  private readonly runs: (Map<number, XrefEntry> | FixedRun)[] = [];
  /** A hybrid file's /XRefStm entries: they fill what the table leaves out or lists as free. */
  private hybrid: Map<number, XrefEntry> | undefined;
  private all: Map<number, XrefEntry> | undefined;
  /** Entries declared, and the highest object number, over all subsections. */
  count = 0;
  maxNumber = 0;
  /** A table's `trailer` dictionary or a stream's own: set once the reader reaches it. */
  trailer = new PdfDict();

  constructor(
    readonly offset: number,
    readonly isStream: boolean,
    private readonly bytes: Uint8Array,
  ) {}

  addEntries(entries: Map<number, XrefEntry>, declared: number): void {
    this.runs.push(entries);
    this.count += declared;
    for (const k of entries.keys()) if (k > this.maxNumber) this.maxNumber = k;
  }

  addFixedRun(run: FixedRun): void {
    this.runs.push(run);
    this.count += run.count;
    if (run.start + run.count - 1 > this.maxNumber) this.maxNumber = run.start + run.count - 1;
  }

  setHybrid(entries: Map<number, XrefEntry>): void {
    this.hybrid = entries;
    for (const k of entries.keys()) if (k > this.maxNumber) this.maxNumber = k;
  }

  /** The entry of `num` in this section, if it has one. */
  entry(num: number): XrefEntry | undefined {
    if (this.all) return this.all.get(num);
    let e: XrefEntry | undefined;
    for (let i = this.runs.length - 1; i >= 0 && !e; i--) {
      const run = this.runs[i]!;
      if (run instanceof Map) e = run.get(num);
      else if (num >= run.start && num < run.start + run.count && num !== 0) e = decodeRow(this.bytes, run.at + (num - run.start) * 20);
    }
    if (this.hybrid && (e === undefined || e.kind === 'f')) return this.hybrid.get(num) ?? e;
    return e;
  }

  /** Every entry, every row decoded (a malformed one refused). */
  get entries(): Map<number, XrefEntry> {
    if (!this.all) {
      const all = new Map<number, XrefEntry>();
      for (const run of this.runs) {
        if (run instanceof Map) for (const [num, e] of run) all.set(num, e);
        else for (let i = 0; i < run.count; i++) if (run.start + i !== 0) all.set(run.start + i, decodeRow(this.bytes, run.at + i * 20));
      }
      if (this.hybrid) {
        for (const [num, e] of this.hybrid) {
          const own = all.get(num);
          if (own === undefined || own.kind === 'f') all.set(num, e);
        }
      }
      this.all = all;
    }
    return this.all;
  }
}

export interface ReadOptions {
  limits?: Partial<PdfLimits>;
  /** Shared with the caller's own loops; a new one from `limits.timeBudgetMs` otherwise. */
  budget?: Budget;
  /**
   * Keep the nested values of each object's dictionary as raw bytes until they are
   * read (the signer: it copies them back unread); the verifier parses everything.
   */
  lazy?: boolean;
}

type Parsed = { num: number; gen: number; obj: PdfValue };

const DIGITS = /^\d+$/;
const xrefError = (detail: string): PdfError => new PdfError('PDF_XREF', detail);

/**
 * Every revision of a PDF, read from the last `startxref` back through /Prev:
 * xref tables, xref streams, object streams and hybrid files, with loops, excess
 * revisions, objects, nesting and decoded bytes refused.
 */
export class PdfRevisions {
  readonly limits: PdfLimits;
  readonly budget: Budget;
  /** Sections sorted by file offset: the order in which they were appended. */
  readonly sections: XrefSection[];
  /** The offset `startxref` gives: the next update's /Prev. */
  readonly startxref: number;
  /** The section at `startxref`: an update appends a cross-reference section of the same kind. */
  readonly lastSection: XrefSection;
  /** Objects parsed at a file offset, shared by every revision's resolver. */
  readonly parsedAt = new Map<number, Parsed>();
  private readonly config: ParseConfig;
  private readonly streams: StreamDecoder;
  private readonly objectStreams = new Map<string, { offsets: [number, number][]; data: Uint8Array } | undefined>();
  private latestState: PdfState | undefined;

  constructor(
    readonly bytes: Uint8Array,
    options: ReadOptions = {},
  ) {
    const limits = options.limits ? { ...DEFAULT_PDF_LIMITS, ...options.limits } : DEFAULT_PDF_LIMITS;
    this.limits = limits;
    this.budget = options.budget ?? new Budget(limits.timeBudgetMs);
    this.config = { maxDepth: limits.maxDepth, maxHexChars: limits.maxContentsHexChars, lazy: options.lazy ?? false };
    this.streams = new StreamDecoder(limits.maxDecodedStreamBytes, limits.maxDecodedTotalBytes);
    if (bytes.length > limits.maxFileBytes) throw new PdfError('PDF_LIMIT', `le fichier dépasse ${sizeText(limits.maxFileBytes)}`);
    if (Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(1024, bytes.length)).indexOf('%PDF-', 0, 'latin1') < 0) {
      throw new PdfError('PDF_NOT_PDF', 'le fichier n’est pas un PDF (en-tête %PDF- absent)', 'Le fichier n’est pas un PDF.');
    }
    this.startxref = this.findStartxref();
    this.sections = this.readChain(this.startxref);
    this.lastSection = this.sections.find((s) => s.offset === this.startxref)!;
  }

  /** A parser cursor over the file. */
  cursor(pos = 0): PdfParser {
    return new PdfParser(this.bytes, pos, this.config);
  }

  /** A stream's data, decoded within the per-stream and per-file limits. */
  decode(stream: PdfStream): Uint8Array {
    return this.streams.decode(stream);
  }

  /** The document as it stood before byte `limit`: every section appended before it, overlaid in order. */
  stateAt(limit: number): PdfState {
    return new PdfState(
      this,
      this.sections.filter((s) => s.offset < limit),
    );
  }

  /** The whole file as a reader sees it. */
  latest(): PdfState {
    return (this.latestState ??= new PdfState(this, this.sections));
  }

  private findStartxref(): number {
    const buf = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
    const at = buf.lastIndexOf('startxref', undefined, 'latin1');
    if (at < 0) throw xrefError('mot-clé startxref absent');
    const tok = this.cursor(at + 9).token();
    if (!DIGITS.test(tok)) throw xrefError('startxref n’est pas suivi d’un nombre');
    return Number(tok);
  }

  private readChain(first: number): XrefSection[] {
    const sections: XrefSection[] = [];
    const seen = new Set<number>();
    let totalEntries = 0;
    let next: number | undefined = first;
    while (next !== undefined) {
      this.budget.check();
      if (seen.has(next)) throw xrefError('les sections de références croisées bouclent (/Prev)');
      if (seen.size >= this.limits.maxRevisions) throw new PdfError('PDF_LIMIT', `plus de ${this.limits.maxRevisions} sections de références croisées`);
      seen.add(next);
      const section = this.readSection(next);
      totalEntries += section.count;
      if (totalEntries > this.limits.maxObjects) throw new PdfError('PDF_LIMIT', `plus de ${this.limits.maxObjects} objets déclarés`);
      sections.push(section);
      const prev = section.trailer.get('Prev');
      next = typeof prev === 'number' && Number.isInteger(prev) && prev >= 0 ? prev : undefined;
    }
    return sections.sort((a, b) => a.offset - b.offset);
  }

  private readSection(offset: number): XrefSection {
    if (offset >= this.bytes.length) throw xrefError(`section de références croisées annoncée hors du fichier (position ${offset})`);
    const p = this.cursor(offset);
    if (p.token() !== 'xref') return this.readXrefStream(offset);
    const section = this.readTable(p, offset);
    const hybrid = section.trailer.get('XRefStm');
    if (typeof hybrid === 'number') section.setHybrid(this.readXrefStream(hybrid).entries);
    // The verifier reads every row now, so a damaged one fails the file whether or not its object is used.
    if (!this.config.lazy) void section.entries;
    return section;
  }

  private readTable(p: PdfParser, offset: number): XrefSection {
    const section = new XrefSection(offset, false, this.bytes);
    const b = this.bytes;
    for (;;) {
      this.budget.check();
      const at = p.pos;
      const first = p.token();
      if (first === 'trailer') {
        const trailer = p.value();
        if (!(trailer instanceof PdfDict)) throw xrefError('le trailer n’est pas un dictionnaire');
        section.trailer = trailer;
        return section;
      }
      const count = p.token();
      if (!DIGITS.test(first) || !DIGITS.test(count)) throw xrefError(`table de références croisées illisible (position ${at})`);
      const start = Number(first);
      const n = Number(count);
      if (n > this.limits.maxObjects || section.count + n > this.limits.maxObjects) throw new PdfError('PDF_LIMIT', `plus de ${this.limits.maxObjects} objets déclarés`);
      p.skipWhite();
      // The common shape — rows of exactly 20 bytes, first and last checked — is kept as bytes and decoded on demand.
      if (n > 0 && fixedRow(b, p.pos) && fixedRow(b, p.pos + (n - 1) * 20) && /^\s*(trailer|\d)/.test(latin1(b, p.pos + n * 20, Math.min(b.length, p.pos + n * 20 + 16)))) {
        section.addFixedRun({ start, count: n, at: p.pos });
        p.pos += n * 20;
        continue;
      }
      const entries = new Map<number, XrefEntry>();
      for (let i = 0; i < n; i++) {
        p.skipWhite();
        const rowStart = p.pos;
        let entry = fixedRow(b, rowStart);
        if (entry) p.pos = rowStart + 20;
        else {
          const off = p.token();
          const gen = p.token();
          const type = p.token();
          if (!DIGITS.test(off) || !DIGITS.test(gen) || (type !== 'n' && type !== 'f'))
            throw xrefError(`entrée de la table de références croisées illisible (position ${rowStart})`);
          entry = type === 'n' ? { kind: 'n', offset: Number(off), gen: Number(gen) } : { kind: 'f' };
        }
        if (start + i !== 0) entries.set(start + i, entry);
      }
      section.addEntries(entries, n);
    }
  }

  private readXrefStream(offset: number): XrefSection {
    const { obj } = this.cursor().indirectAt(offset, () => undefined);
    if (!(obj instanceof PdfStream) || nameOf(obj.dict.get('Type')) !== 'XRef') throw xrefError(`aucune section de références croisées à la position ${offset}`);
    const dict = obj.dict;
    const data = this.decode(obj);
    const w = dict.get('W');
    if (!Array.isArray(w) || w.length !== 3 || !w.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 8)) {
      throw xrefError('flux de références croisées : /W invalide');
    }
    const [w0, w1, w2] = w as [number, number, number];
    const size = dict.get('Size');
    const index = dict.get('Index') ?? [0, typeof size === 'number' ? size : 0];
    if (!Array.isArray(index) || index.length % 2 !== 0) throw xrefError('flux de références croisées : /Index invalide');
    const rowLength = w0 + w1 + w2;
    if (rowLength === 0) throw xrefError('flux de références croisées : lignes vides');
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
      if (typeof start !== 'number' || typeof count !== 'number' || count < 0 || start < 0) throw xrefError('flux de références croisées : /Index invalide');
      if (entries.size + count > this.limits.maxObjects) throw new PdfError('PDF_LIMIT', `plus de ${this.limits.maxObjects} objets déclarés`);
      for (let k = 0; k < count; k++, row++) {
        const at = row * rowLength;
        if (at + rowLength > data.length) throw xrefError('flux de références croisées plus court que son /Index');
        const type = w0 === 0 ? 1 : field(at, w0);
        const a = field(at + w0, w1);
        const c = field(at + w0 + w1, w2);
        const num = start + k;
        if (num === 0) continue;
        if (type === 0) entries.set(num, { kind: 'f' });
        else if (type === 1) entries.set(num, { kind: 'n', offset: a, gen: c });
        else if (type === 2) entries.set(num, { kind: 'c', stream: a, index: c });
      }
    }
    const section = new XrefSection(offset, true, this.bytes);
    section.addEntries(entries, entries.size);
    section.trailer = dict;
    return section;
  }

  /** Offset of `num gen obj` within 64 bytes of `offset`, if any. */
  findHeaderNear(num: number, gen: number, offset: number): number | undefined {
    const from = Math.max(0, offset - 64);
    const window = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + from, Math.min(this.bytes.length, offset + 64) - from).toString('latin1');
    const m = new RegExp(`(^|[^0-9])${num}\\s+${gen}\\s+obj`).exec(window);
    return m ? from + m.index + m[1]!.length : undefined;
  }

  /** Object `index` of object stream `streamNum` as found in `state`. */
  objectFromStream(state: PdfState, streamNum: number, index: number, num: number): PdfValue | undefined {
    const entry = state.entry(streamNum);
    if (entry?.kind !== 'n') return undefined;
    const key = `${streamNum}@${entry.offset}`;
    let cached = this.objectStreams.get(key);
    if (!this.objectStreams.has(key)) {
      cached = this.readObjectStream(state.resolve(new PdfRef(streamNum, entry.gen)));
      this.objectStreams.set(key, cached);
    }
    if (!cached) return undefined;
    const slot = cached.offsets[index]?.[0] === num ? cached.offsets[index] : cached.offsets.find(([n]) => n === num);
    return slot ? new PdfParser(cached.data, slot[1], this.config).value() : undefined;
  }

  private readObjectStream(stream: PdfValue | undefined): { offsets: [number, number][]; data: Uint8Array } | undefined {
    if (!(stream instanceof PdfStream) || nameOf(stream.dict.get('Type')) !== 'ObjStm') return undefined;
    const data = this.decode(stream);
    const n = stream.dict.get('N');
    const first = stream.dict.get('First');
    if (typeof n !== 'number' || typeof first !== 'number' || n < 0 || n > this.limits.maxObjects) return undefined;
    const p = new PdfParser(data, 0, this.config);
    const offsets: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      const a = p.token();
      const b = p.token();
      if (!DIGITS.test(a) || !DIGITS.test(b)) break;
      offsets.push([Number(a), first + Number(b)]);
    }
    return { offsets, data };
  }
}

/** A row of a fixed run, re-checked as it is decoded. */
function decodeRow(b: Uint8Array, at: number): XrefEntry {
  const row = fixedRow(b, at);
  if (!row) throw xrefError(`entrée de la table de références croisées illisible (position ${at})`);
  return row;
}

/** "oooooooooo ggggg n\r\n" (any two-byte end of line), or null when the row differs. */
function fixedRow(b: Uint8Array, r: number): XrefEntry | null {
  if (r + 20 > b.length) return null;
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
  return type === 0x6e ? { kind: 'n', offset: off, gen } : { kind: 'f' };
}

/** A resolver for one revision of the document. */
export class PdfState {
  readonly trailer: PdfDict;
  /** Objects loaded so far; an entry set to undefined while its object is being read stops a cycle. */
  private readonly cache = new Map<number, PdfValue | undefined>();
  /** An indirect /Length, resolved in this revision (bound once: a named closure per object costs more than the parse). */
  private readonly lengthOf: (ref: PdfRef) => number | undefined = this.numberAt.bind(this);

  constructor(
    readonly doc: PdfRevisions,
    /** In file order: a later section's entries override an earlier one's. */
    private readonly sections: XrefSection[],
  ) {
    if (sections.length === 0) throw xrefError('aucune section de références croisées avant ce point');
    // Hybrid and linearized files split the trailer; merge so /Root and /Info are found.
    if (sections.length === 1) this.trailer = sections[0]!.trailer;
    else {
      this.trailer = new PdfDict();
      for (const s of sections) for (const [k, v] of s.trailer.entries) this.trailer.entries.set(k, v);
    }
  }

  /** The cross-reference entry of `num` in this revision. */
  entry(num: number): XrefEntry | undefined {
    for (let i = this.sections.length - 1; i >= 0; i--) {
      const e = this.sections[i]!.entry(num);
      if (e) return e;
    }
    return undefined;
  }

  /** Numbers of the objects in use in this revision (free entries left out). */
  objectNumbers(): number[] {
    const live = new Map<number, boolean>();
    for (const s of this.sections) for (const [num, e] of s.entries) live.set(num, e.kind !== 'f');
    return [...live].filter(([, inUse]) => inUse).map(([num]) => num);
  }

  /** Follows a reference (chains of references up to a few hops). */
  resolve(obj: PdfValue | undefined): PdfValue | undefined {
    let hops = 0;
    while (obj instanceof PdfRef) {
      if (hops++ > 8) return undefined;
      obj = this.load(obj.num);
    }
    return obj;
  }

  dict(obj: PdfValue | undefined): PdfDict | undefined {
    return dictOf(this.resolve(obj));
  }

  array(obj: PdfValue | undefined): PdfValue[] | undefined {
    const r = this.resolve(obj);
    return Array.isArray(r) ? r : undefined;
  }

  /** Object `num` in this revision; undefined when free, missing or unreadable at its offset's neighbourhood. */
  load(num: number): PdfValue | undefined {
    if (this.cache.has(num)) return this.cache.get(num); // undefined while being read: a /Length that refers back to its own stream
    const doc = this.doc;
    doc.budget.check();
    this.cache.set(num, undefined);
    const lengthOf = this.lengthOf;
    let result: PdfValue | undefined;
    try {
      const entry = this.entry(num);
      if (entry?.kind === 'n') {
        if (entry.offset < doc.bytes.length) {
          let parsed = doc.parsedAt.get(entry.offset);
          if (!parsed) {
            try {
              parsed = doc.cursor().indirectAt(entry.offset, lengthOf);
            } catch (error) {
              // Writers are sometimes a few bytes off: look for the header close by, as common readers do.
              const near = doc.findHeaderNear(num, entry.gen, entry.offset);
              if (near === undefined) throw error;
              parsed = doc.cursor().indirectAt(near, lengthOf);
            }
            // Bytes never change, so an object read at an offset is the same in every revision,
            // unless its stream length came from another object.
            if (!(parsed.obj instanceof PdfStream && parsed.obj.dict.get('Length') instanceof PdfRef)) doc.parsedAt.set(entry.offset, parsed);
          }
          if (parsed.num !== num) throw xrefError(`la table de références croisées désigne l’objet ${parsed.num} pour l’objet ${num}`);
          result = parsed.obj;
        }
      } else if (entry?.kind === 'c') {
        result = doc.objectFromStream(this, entry.stream, entry.index, num);
      }
    } catch (error) {
      this.cache.delete(num);
      throw error;
    }
    this.cache.set(num, result);
    return result;
  }

  private numberAt(ref: PdfRef): number | undefined {
    const v = this.resolve(ref);
    return typeof v === 'number' ? v : undefined;
  }

  /** Where object `num` sits in the file, when it is stored directly. */
  offsetOf(num: number): number | undefined {
    const e = this.entry(num);
    return e?.kind === 'n' ? e.offset : undefined;
  }

  root(): PdfDict | undefined {
    return this.dict(this.trailer.get('Root'));
  }

  /** The catalog, which an update rewrites through its reference. */
  catalog(): { ref: PdfRef; dict: PdfDict } {
    const ref = this.trailer.get('Root');
    const dict = this.dict(ref);
    if (!(ref instanceof PdfRef) || !dict) throw new PdfError('PDF_NO_CATALOG', 'le catalogue du document (/Root) est introuvable');
    return { ref, dict };
  }

  /** The next free object number: past every number in use and the trailer's /Size. */
  size(): number {
    const declared = this.trailer.get('Size');
    let size = typeof declared === 'number' && Number.isSafeInteger(declared) ? declared : 0;
    for (const s of this.sections) if (s.maxNumber + 1 > size) size = s.maxNumber + 1;
    return size;
  }

  /** The reference of the 1-based page `n`, walking only the branches that hold it (/Count). */
  page(n: number): PdfRef | undefined {
    let node: PdfValue | undefined = this.root()?.get('Pages');
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
    const raw = d?.entries.get('Kids');
    if (raw instanceof PdfLazy) return raw.isArray ? (read ? raw.items() : []) : undefined;
    return this.array(raw);
  }

  /** Page references in document order. */
  pages(): PdfRef[] {
    const out: PdfRef[] = [];
    const walk = (ref: PdfValue | undefined, depth: number): void => {
      if (!(ref instanceof PdfRef) || depth > 64 || out.length > this.doc.limits.maxObjects) return;
      const node = this.dict(ref);
      if (!node) return;
      const kids = this.array(node.get('Kids'));
      if (kids) for (const k of kids) walk(k, depth + 1);
      else out.push(ref);
    };
    walk(this.root()?.get('Pages'), 0);
    return out;
  }
}
