import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/**
 * A contract-like PDF written by pdf-lib with a classic xref table, at least
 * `pages` pages and, with `targetKb`, clause pages added until the file weighs that much.
 */
export async function makeContract(opts: { pages?: number; targetKb?: number } = {}): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.setTitle('Contrat de crédit-bail');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const clause = 'Article : le preneur reconnaît avoir reçu le matériel désigné et s’engage à régler les loyers aux échéances convenues. ';
  const addPage = (n: number): void => {
    const page = doc.addPage([595, 842]);
    page.setFont(font);
    page.drawText(`Contrat de location financière — page ${n}`, { x: 50, y: 800, size: 14 });
    for (let y = 770, i = 0; y > 60; y -= 9, i++) page.drawText(`${n}.${i} ${clause.slice(0, 90)}`, { x: 50, y, size: 7 });
  };
  let pages = 0;
  while (pages < (opts.pages ?? 2)) addPage(++pages);
  let bytes = Buffer.from(await doc.save({ useObjectStreams: false }));
  const target = (opts.targetKb ?? 0) * 1024;
  while (bytes.length < target) {
    const perPage = bytes.length / pages;
    const more = Math.max(1, Math.ceil((target - bytes.length) / perPage));
    for (let i = 0; i < more; i++) addPage(++pages);
    bytes = Buffer.from(await doc.save({ useObjectStreams: false }));
  }
  return bytes;
}

/** The same document rewritten by qpdf with object streams and an xref stream. */
export function withXrefStream(dir: string, pdf: Buffer): Buffer {
  const inFile = path.join(dir, `in-${process.pid}-${Date.now()}.pdf`);
  const outFile = inFile.replace(/\.pdf$/, '-os.pdf');
  fs.writeFileSync(inFile, pdf);
  execFileSync('qpdf', ['--object-streams=generate', inFile, outFile]);
  return fs.readFileSync(outFile);
}

/**
 * Appends a hand-written revision (a new /Info) with a classic xref section,
 * so the signer meets a file that already has several revisions.
 */
export function withExtraRevision(pdf: Buffer): Buffer {
  const text = pdf.toString('latin1');
  const startxref = Number(/startxref\s+(\d+)\s*%%EOF\s*$/.exec(text)![1]);
  const size = Number(/\/Size (\d+)/.exec(text.slice(startxref))![1]);
  const root = /\/Root (\d+ \d+ R)/.exec(text.slice(startxref))![1];
  const sep = pdf[pdf.length - 1] === 0x0a ? '' : '\n';
  const body = `${sep}${size} 0 obj\n<< /Title (Contrat - revision 2) /Producer (main) >>\nendobj\n`;
  const objAt = pdf.length + sep.length;
  const xrefAt = pdf.length + body.length;
  const tail = `xref\n0 1\n0000000000 65535 f\r\n${size} 1\n${String(objAt).padStart(10, '0')} 00000 n\r\ntrailer\n<< /Size ${size + 1} /Root ${root} /Info ${size} 0 R /Prev ${startxref} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.concat([pdf, Buffer.from(body + tail, 'latin1')]);
}

/**
 * A hand-written hybrid-reference file (ISO 32000-1, 7.5.8.4): a classic xref table whose
 * trailer points (/XRefStm) at a cross-reference stream for the one object kept in an
 * object stream — the page's font, which the table leaves out or, with `listedAsFree`
 * (as some writers do), lists as a free entry that the stream outranks.
 */
export function hybridXref(opts: { listedAsFree?: boolean } = {}): Buffer {
  const parts: string[] = ['%PDF-1.5\n%\xe2\xe3\xcf\xd3\n'];
  const offsets = new Map<number, number>();
  let at = Buffer.byteLength(parts[0]!, 'latin1');
  const add = (num: number, body: string): void => {
    offsets.set(num, at);
    const text = `${num} 0 obj\n${body}\nendobj\n`;
    parts.push(text);
    at += Buffer.byteLength(text, 'latin1');
  };
  const content = 'BT /F1 14 Tf 50 800 Td (Contrat de location - fichier hybride) Tj ET';
  const packed = '4 0 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
  add(1, '<< /Type /Catalog /Pages 2 0 R >>');
  add(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
  add(3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 7 0 R >>');
  add(5, `<< /Type /ObjStm /N 1 /First 4 /Length ${packed.length} >>\nstream\n${packed}\nendstream`);
  add(7, `<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  const row = Buffer.from([2, 0, 0, 0, 5, 0, 0]).toString('latin1'); // object 4: compressed, in stream 5, index 0
  add(6, `<< /Type /XRef /Size 8 /W [1 4 2] /Index [4 1] /Length ${row.length} >>\nstream\n${row}\nendstream`);
  const entry = (num: number): string => `${String(offsets.get(num)!).padStart(10, '0')} 00000 n\r\n`;
  const xrefAt = at;
  parts.push(
    `xref\n0 ${opts.listedAsFree ? 8 : 4}\n0000000000 65535 f\r\n${entry(1)}${entry(2)}${entry(3)}${opts.listedAsFree ? '0000000000 00001 f\r\n' : '5 3\n'}${entry(5)}${entry(6)}${entry(7)}` +
      `trailer\n<< /Size 8 /Root 1 0 R /XRefStm ${offsets.get(6)} >>\nstartxref\n${xrefAt}\n%%EOF\n`,
  );
  return Buffer.from(parts.join(''), 'latin1');
}
