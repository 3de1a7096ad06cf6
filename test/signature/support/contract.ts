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
