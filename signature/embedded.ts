import { parsePrefix } from '../asn1/index.ts';
import { PdfName, PdfString, type PdfState, type PdfValue } from '../pdf/index.ts';

export interface EmbeddedSignature {
  kind: 'signature' | 'document-timestamp';
  /** The DER CMS (or TimeStampToken), padding removed. */
  cms: Uint8Array;
  /** Start of the signed gap: orders signatures as they appear in the file. */
  gapStart: number;
}

/** Every signature and document timestamp the form holds, in file order. */
export function embeddedSignatures(reader: PdfState): EmbeddedSignature[] {
  const acro = reader.dict(reader.root()?.get('AcroForm'));
  const fields = reader.resolve(acro?.get('Fields'));
  const out: EmbeddedSignature[] = [];
  const stack: PdfValue[] = Array.isArray(fields) ? [...fields] : [];
  for (let n = 0; stack.length && n < 10_000; n++) {
    const f = reader.dict(stack.pop());
    if (!f) continue;
    const kids = reader.resolve(f.get('Kids'));
    if (Array.isArray(kids)) stack.push(...kids);
    const v = reader.dict(f.get('V'));
    const contents = v?.get('Contents');
    const br = reader.resolve(v?.get('ByteRange'));
    if (!v || !(contents instanceof PdfString) || !Array.isArray(br)) continue;
    const type = v.get('Type');
    const kind = type instanceof PdfName && type.name === 'DocTimeStamp' ? 'document-timestamp' : 'signature';
    const end = parsePrefix(contents.bytes, { ber: true }).end;
    out.push({ kind, cms: contents.bytes.subarray(0, end), gapStart: typeof br[1] === 'number' ? br[1] : 0 });
  }
  return out.sort((a, b) => a.gapStart - b.gapStart);
}
