import { randomFillSync } from 'node:crypto';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfValue } from './objects.ts';
import type { PdfState } from './revisions.ts';
import { ChunkWriter, writeIndirect, writeValue } from './serialize.ts';

export interface UpdateResult {
  /** The whole file: the input, unchanged, followed by the new section. */
  bytes: Buffer;
  /** Offset in `bytes` of each written object, by object number. */
  offsets: Map<number, number>;
}

/**
 * One incremental update: the changed and new objects, a cross-reference
 * section of the same kind as the file's last one, and the trailer
 * (/Prev /Size /Root /Info /ID, the first /ID element kept). The input is copied
 * once, unchanged, in front of the new bytes.
 */
export class IncrementalUpdate {
  private readonly objects = new Map<number, { gen: number; value: PdfValue }>();
  private nextNum: number;

  constructor(readonly reader: PdfState) {
    this.nextNum = reader.size();
  }

  allocate(): PdfRef {
    return new PdfRef(this.nextNum++, 0);
  }

  /** Registers a new object and returns its reference. */
  add(value: PdfValue): PdfRef {
    const ref = this.allocate();
    this.set(ref, value);
    return ref;
  }

  set(ref: PdfRef, value: PdfValue): void {
    this.objects.set(ref.num, { gen: ref.gen, value });
  }

  build(): UpdateResult {
    const input = this.reader.doc.bytes;
    const w = new ChunkWriter();
    const offsets = new Map<number, number>();
    const last = input[input.length - 1];
    if (last !== 0x0a && last !== 0x0d) w.text('\n');
    const nums = [...this.objects.keys()].sort((a, b) => a - b);
    for (const num of nums) {
      const o = this.objects.get(num)!;
      offsets.set(num, input.length + w.length);
      writeIndirect(num, o.gen, o.value, w);
    }
    const trailer = this.trailerDict();
    if (!this.reader.doc.lastSection.isStream) {
      const xrefAt = input.length + w.length;
      let text = 'xref\n';
      for (const run of runs(nums)) {
        text += `${run[0]} ${run.length}\n`;
        for (const n of run) text += `${String(offsets.get(n)!).padStart(10, '0')} ${String(this.objects.get(n)!.gen).padStart(5, '0')} n\r\n`;
      }
      trailer.set('Size', this.nextNum);
      w.text(`${text}trailer\n`);
      writeValue(trailer, w);
      w.text(`\nstartxref\n${xrefAt}\n%%EOF\n`);
    } else {
      const xrefRef = this.allocate();
      const xrefAt = input.length + w.length;
      offsets.set(xrefRef.num, xrefAt);
      const all = [...nums, xrefRef.num];
      const rows = Buffer.alloc(all.length * 7);
      all.forEach((n, i) => {
        rows[i * 7] = 1;
        rows.writeUInt32BE(offsets.get(n)!, i * 7 + 1);
        rows.writeUInt16BE(n === xrefRef.num ? 0 : this.objects.get(n)!.gen, i * 7 + 5);
      });
      const dict = new PdfDict({ Type: new PdfName('XRef') });
      for (const [k, v] of trailer.entries) dict.entries.set(k, v);
      dict.set('Size', this.nextNum);
      dict.set('W', [1, 4, 2]);
      dict.set(
        'Index',
        runs(all).flatMap((r) => [r[0]!, r.length]),
      );
      writeIndirect(xrefRef.num, 0, new PdfStream(dict, rows), w);
      w.text(`startxref\n${xrefAt}\n%%EOF\n`);
    }
    // One allocation, one copy of the input: later bytes are only ever written past it.
    const bytes = Buffer.allocUnsafe(input.length + w.length);
    bytes.set(input, 0);
    if (w.copyInto(bytes, input.length) !== bytes.length) throw new Error('Mise à jour incrémentale : taille écrite incohérente (erreur interne).');
    return { bytes, offsets };
  }

  private trailerDict(): PdfDict {
    const old = this.reader.trailer;
    const t = new PdfDict();
    t.set('Root', old.get('Root')!);
    if (old.has('Info')) t.set('Info', old.get('Info')!);
    const id = old.get('ID');
    const first = Array.isArray(id) && id[0] instanceof PdfString ? id[0] : newId();
    t.set('ID', [first, newId()]);
    t.set('Prev', this.reader.doc.startxref);
    return t;
  }
}

function runs(sorted: number[]): number[][] {
  const out: number[][] = [];
  for (const n of sorted) {
    const cur = out[out.length - 1];
    if (cur && cur[cur.length - 1] === n - 1) cur.push(n);
    else out.push([n]);
  }
  return out;
}

/** 16 random bytes from a pool refilled 256 ids at a time: one system call per 256 signatures. */
const idPool = Buffer.alloc(4096);
let idAt = idPool.length;
function newId(): PdfString {
  if (idAt + 16 > idPool.length) {
    randomFillSync(idPool);
    idAt = 0;
  }
  idAt += 16;
  return new PdfString(Buffer.from(idPool.subarray(idAt - 16, idAt)), true);
}
