import { PdfReader } from './reader.ts';

/** Opens a PDF for an incremental update, with the refusals in plain French. */
export function openPdf(pdf: Uint8Array): PdfReader {
  if (Buffer.from(pdf.buffer, pdf.byteOffset, Math.min(1024, pdf.length)).indexOf('%PDF-') < 0) {
    throw new Error('Le fichier n’est pas un PDF.');
  }
  let reader: PdfReader;
  try {
    reader = new PdfReader(pdf);
    void reader.catalog;
  } catch (e) {
    throw new Error(`PDF illisible : ${(e as Error).message}.`);
  }
  if (reader.trailer.has('Encrypt')) throw new Error('Les PDF chiffrés ne peuvent pas être signés.');
  return reader;
}
