import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PdfDict, PdfError, PdfName, PdfRef, PdfRevisions, PdfStream, PdfString, openPdf, sameObject, type PdfErrorCode, type PdfLimits, type PdfValue } from '../../pdf/index.ts';
import { appendUpdate, buildPdf, decompressionBomb } from '../fixtures/pdf-builder.ts';
import { hybridXref, makeContract, withXrefStream } from '../signature/support/contract.ts';

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'pades');
const fixture = (name: string): Buffer => fs.readFileSync(path.join(fixtures, name));
const pdfFixtures = fs.readdirSync(fixtures).filter((f) => f.endsWith('.pdf'));

/** The reader's verdict on `pdf`: the error's code and French message, or null when it reads the whole file. */
function refusal(pdf: Uint8Array, limits: Partial<PdfLimits> = {}, lazy = false): { code: PdfErrorCode; message: string } | null {
  try {
    const state = new PdfRevisions(pdf, { limits, lazy }).latest();
    for (let num = 1; num < state.size(); num++) force(state.load(num));
    return null;
  } catch (error) {
    if (!(error instanceof PdfError)) throw error;
    return { code: error.code, message: error.message };
  }
}

/** Parses every lazy value under `v`. */
function force(v: PdfValue | undefined, depth = 0): void {
  if (depth > 70) return;
  if (Array.isArray(v)) for (const x of v) force(x, depth + 1);
  else if (v instanceof PdfDict) for (const k of [...v.keys()]) force(v.get(k), depth + 1);
  else if (v instanceof PdfStream) force(v.dict, depth + 1);
}

const catalogAndPages = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>'];

describe('pdf/ reader: what real files hold', () => {
  it('reads every fixture the same way lazily (signer) and eagerly (verifier), object by object', () => {
    for (const name of pdfFixtures) {
      const pdf = fixture(name);
      const eager = new PdfRevisions(pdf).latest();
      const lazy = new PdfRevisions(pdf, { lazy: true }).latest();
      expect(lazy.size(), name).toBe(eager.size());
      for (let num = 1; num < eager.size(); num++) {
        const a = eager.load(num);
        const b = lazy.load(num);
        force(b);
        const same = a instanceof PdfStream && b instanceof PdfStream ? sameObject(a.dict, b.dict) && Buffer.compare(a.data, b.data) === 0 : sameObject(a, b);
        expect(same, `${name}, object ${num}`).toBe(true);
      }
    }
  });

  it('xref streams and object streams (a pdf-lib contract rewritten by qpdf)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-pdf-'));
    try {
      const classic = await makeContract({ pages: 3, targetKb: 8 });
      const packed = withXrefStream(dir, classic);
      const doc = new PdfRevisions(packed);
      expect(doc.lastSection.isStream).toBe(true);
      const state = doc.latest();
      const pages = state.pages();
      expect(pages.length).toBe(new PdfRevisions(classic).latest().pages().length);
      expect(pages.map((_, i) => state.page(i + 1))).toEqual(pages);
      expect(state.page(pages.length + 1)).toBeUndefined();
      const compressed = [...doc.lastSection.entries].filter(([, e]) => e.kind === 'c');
      expect(compressed.length).toBeGreaterThan(3);
      for (const [num] of compressed) expect(state.load(num), `object ${num}`).toBeDefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hybrid files: the /XRefStm stream gives what the table leaves out or lists as free, never what the table says', () => {
    for (const listedAsFree of [false, true]) {
      const state = new PdfRevisions(hybridXref({ listedAsFree })).latest();
      expect(state.entry(4)).toEqual({ kind: 'c', stream: 5, index: 0 });
      expect(state.dict(new PdfRef(4, 0))?.get('BaseFont')).toEqual(new PdfName('Helvetica'));
      expect(state.entry(3)?.kind).toBe('n');
    }
  });

  it('several revisions: each state sees the objects as they stood, the latest sees every update', () => {
    const first = buildPdf([...catalogAndPages, '<< /Title (un) >>'], '/Info 4 0 R');
    const second = appendUpdate(first, { 4: '<< /Title (deux) >>', 5: '<< /Extra true >>' });
    const doc = new PdfRevisions(second);
    expect(doc.sections).toHaveLength(2);
    const [old, latest] = [doc.stateAt(doc.sections[1]!.offset), doc.latest()];
    expect(Buffer.from((old.dict(new PdfRef(4, 0))!.get('Title') as PdfString).bytes).toString()).toBe('un');
    expect(Buffer.from((latest.dict(new PdfRef(4, 0))!.get('Title') as PdfString).bytes).toString()).toBe('deux');
    expect(old.load(5)).toBeUndefined();
    expect(latest.size()).toBe(6);
  });

  it('free-list oddities: object 0, a freed object, a reused number, a table starting at 1, a row a few bytes off', () => {
    const base = buildPdf([...catalogAndPages, '<< /A 1 >>', '<< /B 2 >>']).toString('latin1');
    const startxref = Number(/startxref\n(\d+)/.exec(base)![1]);
    // A second revision freeing object 4 and reusing number 5 with generation 1; its table starts at 1 (no row for object 0),
    // lists a free-list chain that points nowhere, and gives object 5's offset two bytes early.
    const obj5 = `5 1 obj\n<< /B 3 >>\nendobj\n`;
    const at5 = base.length;
    const tableAt = at5 + obj5.length;
    const table =
      `xref\n4 2\n0000000099 00001 f \n${String(at5 - 2).padStart(10, '0')} 00001 n \n` + `trailer\n<< /Size 6 /Root 1 0 R /Prev ${startxref} >>\nstartxref\n${tableAt}\n%%EOF\n`;
    const pdf = Buffer.from(base + obj5 + table, 'latin1');
    for (const lazy of [false, true]) {
      const state = new PdfRevisions(pdf, { lazy }).latest();
      expect(state.entry(0)).toBeUndefined();
      expect(state.load(4)).toBeUndefined();
      expect(state.dict(new PdfRef(5, 1))?.get('B')).toBe(3);
      expect(state.size()).toBe(6);
    }
  });

  it('rows that are not 20 bytes long (19-byte rows, extra spaces) are read token by token', () => {
    const pdf = buildPdf(catalogAndPages).toString('latin1').replace(/ \n/g, '\n').replace('0000000000 65535 f', '0000000000   65535   f');
    for (const lazy of [false, true]) expect(refusal(Buffer.from(pdf, 'latin1'), {}, lazy)).toBeNull();
  });

  it('a damaged row: the verifier (eager) refuses the file at once, the signer (lazy) when it needs that object', () => {
    const pdf = buildPdf([...catalogAndPages, '<< /A 1 >>', '<< /B 2 >>']).toString('latin1');
    const rows = pdf.indexOf('xref\n0 6\n') + 'xref\n0 6\n'.length;
    const damaged = Buffer.from(pdf.slice(0, rows + 4 * 20) + '00000x0015 00000 n \n' + pdf.slice(rows + 5 * 20), 'latin1');
    expect(() => new PdfRevisions(damaged)).toThrow(expect.objectContaining({ code: 'PDF_XREF' }));
    const lazy = new PdfRevisions(damaged, { lazy: true }).latest();
    expect(lazy.catalog().dict.get('Type')).toEqual(new PdfName('Catalog'));
    expect(() => lazy.load(4)).toThrow(
      expect.objectContaining({ code: 'PDF_XREF', message: expect.stringMatching(/^PDF illisible : entrée de la table de références croisées illisible/) }),
    );
  });
});

describe('pdf/ reader: hostile files get a coded PdfError with a French message', () => {
  const stream = (dict: string, data: Buffer): string => `<< ${dict} /Length ${data.length} >>\nstream\n${data.toString('latin1')}\nendstream`;

  it('not a PDF, no startxref, a /Prev loop, a trailer that is no dictionary, no catalog, an encrypted file', () => {
    expect(refusal(Buffer.from('PK\x03\x04 an archive'))).toEqual({ code: 'PDF_NOT_PDF', message: 'Le fichier n’est pas un PDF.' });
    expect(refusal(Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'))).toEqual({ code: 'PDF_XREF', message: 'PDF illisible : mot-clé startxref absent.' });
    const base = buildPdf(catalogAndPages).toString('latin1');
    const xref = Number(/startxref\n(\d+)/.exec(base)![1]);
    expect(refusal(Buffer.from(base.replace('/Root 1 0 R', `/Root 1 0 R /Prev ${xref}`), 'latin1'))).toEqual({
      code: 'PDF_XREF',
      message: 'PDF illisible : les sections de références croisées bouclent (/Prev).',
    });
    expect(refusal(Buffer.from(base.replace(/trailer\n<<[^]*?>>/, 'trailer\n[1 2]'), 'latin1'))?.code).toBe('PDF_XREF');
    expect(() => openPdf(Buffer.from(base.replace('/Root 1 0 R', '/Root 9 0 R'), 'latin1'))).toThrow(
      expect.objectContaining({ code: 'PDF_NO_CATALOG', message: 'PDF illisible : le catalogue du document (/Root) est introuvable.' }),
    );
    expect(() => openPdf(buildPdf(catalogAndPages, '/Encrypt << /Filter /Standard >>'))).toThrow(
      expect.objectContaining({ code: 'PDF_ENCRYPTED', message: 'Les PDF chiffrés ne peuvent pas être signés.' }),
    );
  });

  it('limits: file size, revisions, objects, nesting, hex strings', () => {
    const small = buildPdf(catalogAndPages);
    expect(refusal(small, { maxFileBytes: 100 })).toEqual({ code: 'PDF_LIMIT', message: 'PDF illisible : le fichier dépasse 100 octets.' });
    const three = appendUpdate(appendUpdate(small, { 4: '<< >>' }), { 5: '<< >>' });
    expect(refusal(three, { maxRevisions: 3 })).toBeNull();
    expect(refusal(three, { maxRevisions: 2 })?.message).toBe('PDF illisible : plus de 2 sections de références croisées.');
    expect(refusal(small, { maxObjects: 3 })?.message).toBe('PDF illisible : plus de 3 objets déclarés.');
    const deep = buildPdf([`<< /Type /Catalog /Pages 2 0 R /Deep ${'['.repeat(70)}${']'.repeat(70)} >>`, ...catalogAndPages.slice(1)]);
    for (const lazy of [false, true]) {
      expect(refusal(deep, {}, lazy)).toEqual({ code: 'PDF_LIMIT', message: 'PDF illisible : des tableaux ou dictionnaires sont imbriqués sur plus de 64 niveaux.' });
    }
    const hex = buildPdf([`<< /Type /Catalog /Pages 2 0 R /Blob <${'ab'.repeat(600)}> >>`, ...catalogAndPages.slice(1)]);
    expect(refusal(hex, { maxContentsHexChars: 1000 })).toEqual({ code: 'PDF_LIMIT', message: 'PDF illisible : une chaîne hexadécimale dépasse 1000 caractères.' });
    expect(refusal(hex, { maxContentsHexChars: 1200 })).toBeNull();
  });

  it('decoded streams: bounded one by one and all together; unknown filters and corrupt data refused', () => {
    const objStm = (n: number, size: number): string => {
      const body = `${n} 0 << /N ${n} >>`;
      return stream(
        `/Type /ObjStm /N 1 /First ${String(n).length + 3} /Filter /FlateDecode`,
        zlib.deflateSync(Buffer.concat([Buffer.from(body), Buffer.alloc(size - body.length, 0x20)])),
      );
    };
    // Objects 4, 5 and 6 live in three object streams (7, 8, 9) of 600 bytes each once inflated.
    const packed = (extra = ''): Buffer => {
      const pdf = buildPdf([...catalogAndPages, '<< >>', '<< >>', '<< >>', objStm(4, 600), objStm(5, 600), objStm(6, 600)], extra);
      return appendXrefStream(pdf, { 4: [7, 0], 5: [8, 0], 6: [9, 0] });
    };
    expect(refusal(packed())).toBeNull();
    expect(refusal(packed(), { maxDecodedStreamBytes: 500 })).toEqual({ code: 'PDF_LIMIT', message: 'PDF illisible : un flux compressé dépasse 500 octets une fois décompressé.' });
    expect(refusal(packed(), { maxDecodedTotalBytes: 1500 })).toEqual({
      code: 'PDF_LIMIT',
      message: 'PDF illisible : les flux décompressés du fichier dépassent 1500 octets au total.',
    });
    const lzw = buildPdf([...catalogAndPages, '<< >>', stream('/Type /ObjStm /N 1 /First 4 /Filter /LZWDecode', Buffer.from('4 0 << >>'))]);
    expect(refusal(appendXrefStream(lzw, { 4: [5, 0] }))).toEqual({ code: 'PDF_STREAM', message: 'PDF illisible : filtre de flux non pris en charge (LZWDecode).' });
    const corrupt = buildPdf([...catalogAndPages, '<< >>', stream('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', Buffer.from('not zlib'))]);
    expect(refusal(appendXrefStream(corrupt, { 4: [5, 0] }))).toEqual({ code: 'PDF_STREAM', message: 'PDF illisible : flux compressé corrompu (données invalides).' });
  });

  it('the 400 MiB bomb: inflate stops at 16 MiB, for the signer and the verifier alike', async () => {
    const bomb = await decompressionBomb();
    const before = process.memoryUsage().rss;
    for (const lazy of [false, true])
      expect(refusal(bomb, {}, lazy)).toEqual({ code: 'PDF_LIMIT', message: 'PDF illisible : un flux compressé dépasse 16 Mio une fois décompressé.' });
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('an exhausted time budget', () => {
    const pdf = appendUpdate(buildPdf(catalogAndPages), { 4: '<< >>' });
    expect(refusal(pdf, { timeBudgetMs: -1 })).toEqual({ code: 'PDF_TIME_BUDGET', message: 'La lecture du PDF a dépassé le temps imparti.' });
  });
});

/**
 * Appends a revision whose cross-reference section is a stream (W [1 4 2]) putting
 * each given object at [object stream, index]. The stream is itself the next object.
 */
function appendXrefStream(pdf: Buffer, compressed: Record<number, [number, number]>): Buffer {
  const text = pdf.toString('latin1');
  const prev = Number(/startxref\s+(\d+)/.exec(text.slice(text.lastIndexOf('startxref')))![1]);
  const size = Number(/\/Size (\d+)/.exec(text.slice(text.lastIndexOf('trailer')))![1]);
  const nums = Object.keys(compressed).map(Number);
  const rows = Buffer.alloc((nums.length + 1) * 7);
  nums.forEach((num, i) => {
    const [stream, index] = compressed[num]!;
    rows[i * 7] = 2;
    rows.writeUInt32BE(stream, i * 7 + 1);
    rows.writeUInt16BE(index, i * 7 + 5);
  });
  const at = pdf.length;
  rows[nums.length * 7] = 1;
  rows.writeUInt32BE(at, nums.length * 7 + 1);
  const index = [...nums.flatMap((n) => [n, 1]), size, 1].join(' ');
  const head = `${size} 0 obj\n<< /Type /XRef /Size ${size + 1} /W [1 4 2] /Index [${index}] /Root 1 0 R /Prev ${prev} /Length ${rows.length} >>\nstream\n`;
  return Buffer.concat([pdf, Buffer.from(head, 'latin1'), rows, Buffer.from(`\nendstream\nendobj\nstartxref\n${at}\n%%EOF\n`, 'latin1')]);
}
