import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncrementalUpdate, PdfDict, PdfName, PdfRef, PdfRevisions, PdfStream, PdfString, openPdf, sameObject, serialize, type PdfValue } from '../../pdf/index.ts';
import { buildPdf } from '../fixtures/pdf-builder.ts';
import { hybridXref, makeContract, withXrefStream } from '../signature/support/contract.ts';
import { qpdfCheck } from '../signature/support/judges.ts';

let dir: string;
const inputs: Record<string, Buffer> = {};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-pdf-writer-'));
  const contract = await makeContract({ pages: 2, targetKb: 8 });
  inputs['table (pdf-lib)'] = contract;
  inputs['xref stream and object streams (qpdf)'] = withXrefStream(dir, contract);
  inputs['hybrid (table + /XRefStm)'] = hybridXref({ listedAsFree: true });
  inputs['table without /ID or /Info'] = buildPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /ProcSet [/PDF /Text] >> >>',
  ]);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('pdf/ incremental writer', () => {
  it('appends one revision: input unchanged in front, same kind of xref section, /Prev /Size /Root /Info /ID, judged by qpdf', async () => {
    for (const [label, input] of Object.entries(inputs)) {
      const reader = openPdf(input);
      const before = reader.doc;
      const { ref: catalogRef, dict: catalog } = reader.catalog();
      const pageRef = reader.page(1)!;
      const update = new IncrementalUpdate(reader);
      const added = update.add(new PdfDict({ Type: new PdfName('Test'), Label: PdfString.text(`ajout « ${label} »`) }));
      update.set(catalogRef, catalog.clone().set('Extra', added));
      update.set(pageRef, reader.dict(pageRef)!.clone());
      const { bytes, offsets } = update.build();

      expect(bytes.subarray(0, input.length).equals(input), label).toBe(true);
      const after = new PdfRevisions(bytes);
      expect(after.sections, label).toHaveLength(before.sections.length + 1);
      expect(after.lastSection.offset, label).toBeGreaterThanOrEqual(input.length);
      expect(after.lastSection.isStream, label).toBe(before.lastSection.isStream);
      const trailer = after.lastSection.trailer;
      expect(trailer.get('Prev'), label).toBe(before.startxref);
      expect(trailer.get('Size'), label).toBe(added.num + 1 + (after.lastSection.isStream ? 1 : 0));
      expect(trailer.get('Root'), label).toEqual(catalogRef);
      expect(trailer.get('Info'), label).toEqual(reader.trailer.get('Info'));
      const [oldId, newId] = [reader.trailer.get('ID'), trailer.get('ID')] as [PdfValue[] | undefined, PdfValue[]];
      expect(newId).toHaveLength(2);
      if (oldId) expect(sameObject(newId[0], oldId[0]), label).toBe(true);
      expect(sameObject(newId[0], newId[1]), label).toBe(false);

      const latest = after.latest();
      expect(latest.dict(latest.catalog().dict.get('Extra'))?.get('Type'), label).toEqual(new PdfName('Test'));
      expect(latest.offsetOf(added.num), label).toBe(offsets.get(added.num));
      expect(after.stateAt(input.length).catalog().dict.has('Extra'), label).toBe(false);
      // Nested values nobody read are copied back byte for byte.
      const pageText = bytes.toString('latin1', offsets.get(pageRef.num)!);
      const resources = reader.dict(pageRef)!.entries.get('Resources');
      if (resources && !(resources instanceof PdfRef)) expect(pageText, label).toContain(serialize(resources));

      const file = path.join(dir, `out-${Object.keys(inputs).indexOf(label)}.pdf`);
      fs.writeFileSync(file, bytes);
      expect(await qpdfCheck(file), label).toMatch(/No syntax or stream encoding errors found/);
    }
  });

  it('writes streams, strings, names and numbers that read back as written', () => {
    const values: PdfValue[] = [
      null,
      true,
      false,
      0,
      -12,
      3.25,
      0.0001,
      new PdfName('Nom avec espace#et/oblique'),
      new PdfRef(12, 3),
      PdfString.text('Société Générale (Lyon) \\ 5 €'),
      new PdfString(Buffer.from([0, 1, 0x28, 0x29, 0x5c, 0x0d, 0x0a, 0xff])),
      new PdfString(Buffer.from('cafe', 'hex'), true),
      [1, [2, [3, new PdfDict({ A: new PdfName('B') })]]],
      new PdfDict({ Type: new PdfName('Sig'), ByteRange: [0, 1, 2, 3], M: PdfString.text('D:20261204120000Z') }),
    ];
    const pdf = buildPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [] /Count 0 >>']);
    const update = new IncrementalUpdate(openPdf(pdf));
    const refs = values.map((v) => update.add(v));
    const data = Buffer.from('BT /F1 12 Tf (stream data) Tj ET\n', 'latin1');
    const streamRef = update.add(new PdfStream(new PdfDict({ Subtype: new PdfName('Form') }), data));
    const back = new PdfRevisions(update.build().bytes).latest();
    values.forEach((v, i) => expect(sameObject(back.load(refs[i]!.num), v), serialize(v)).toBe(true));
    const stream = back.load(streamRef.num) as PdfStream;
    expect(stream.dict.get('Length')).toBe(data.length);
    expect(Buffer.from(stream.data).equals(data)).toBe(true);
  });
});
