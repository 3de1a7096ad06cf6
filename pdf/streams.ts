import zlib from 'node:zlib';
import { PdfError } from './errors.ts';
import { sizeText } from './limits.ts';
import { PdfDict, nameOf, type PdfStream, type PdfValue } from './objects.ts';

/**
 * The one place where stream data is decoded (none or FlateDecode, with PNG
 * predictors), bounded per stream and per file: inflate stops at the limit instead
 * of allocating what a decompression bomb asks for.
 */
export class StreamDecoder {
  private used = 0;

  constructor(
    private readonly maxStreamBytes: number,
    private readonly maxTotalBytes: number,
  ) {}

  decode(stream: PdfStream): Uint8Array {
    const filterObj = stream.dict.get('Filter');
    const filters = Array.isArray(filterObj) ? filterObj.map((f) => nameOf(f)) : filterObj === undefined ? [] : [nameOf(filterObj)];
    const parmsObj = stream.dict.get('DecodeParms');
    const parmsList: (PdfValue | undefined)[] = Array.isArray(parmsObj) ? parmsObj : [parmsObj];
    let data = stream.data;
    filters.forEach((filter, i) => {
      if (filter !== 'FlateDecode') throw new PdfError('PDF_STREAM', `filtre de flux non pris en charge (${filter ?? '?'})`);
      data = this.inflate(data);
      const parms = parmsList[i];
      if (parms instanceof PdfDict) data = unpredict(data, parms);
    });
    return data;
  }

  private inflate(data: Uint8Array): Uint8Array {
    const left = this.maxTotalBytes - this.used;
    const cap = Math.min(this.maxStreamBytes, left);
    let out: Buffer;
    try {
      out = zlib.inflateSync(data, { maxOutputLength: Math.max(1, cap), finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') {
        throw new PdfError('PDF_STREAM', `flux compressé corrompu (${zlibReason(error)})`);
      }
      const detail =
        cap < this.maxStreamBytes
          ? `les flux décompressés du fichier dépassent ${sizeText(this.maxTotalBytes)} au total`
          : `un flux compressé dépasse ${sizeText(this.maxStreamBytes)} une fois décompressé`;
      throw new PdfError('PDF_LIMIT', detail);
    }
    this.used += out.length;
    return out;
  }
}

function zlibReason(error: unknown): string {
  const code = (error as { code?: string }).code;
  return code === 'Z_DATA_ERROR' ? 'données invalides' : code === 'Z_BUF_ERROR' ? 'données tronquées' : (code ?? 'erreur zlib');
}

function unpredict(data: Uint8Array, parms: PdfDict): Uint8Array {
  const predictor = int(parms.get('Predictor'), 1);
  if (predictor < 10) {
    if (predictor === 1) return data;
    throw new PdfError('PDF_STREAM', `prédicteur ${predictor} non pris en charge`);
  }
  const colors = int(parms.get('Colors'), 1);
  const bpc = int(parms.get('BitsPerComponent'), 8);
  const columns = int(parms.get('Columns'), 1);
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLength = Math.ceil((colors * bpc * columns) / 8);
  if (rowLength <= 0 || rowLength > 1 << 20) throw new PdfError('PDF_STREAM', 'nombre de colonnes du prédicteur invalide');
  const rows = Math.floor(data.length / (rowLength + 1));
  const out = new Uint8Array(rows * rowLength);
  let prev = new Uint8Array(rowLength);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLength + 1)]!;
    const row = data.subarray(r * (rowLength + 1) + 1, (r + 1) * (rowLength + 1));
    const cur = out.subarray(r * rowLength, (r + 1) * rowLength);
    for (let i = 0; i < rowLength; i++) {
      const left = i >= bpp ? cur[i - bpp]! : 0;
      const up = prev[i]!;
      const upLeft = i >= bpp ? prev[i - bpp]! : 0;
      const x = row[i]!;
      switch (type) {
        case 0:
          cur[i] = x;
          break;
        case 1:
          cur[i] = x + left;
          break;
        case 2:
          cur[i] = x + up;
          break;
        case 3:
          cur[i] = x + ((left + up) >> 1);
          break;
        case 4: {
          const p = left + up - upLeft;
          const pa = Math.abs(p - left),
            pb = Math.abs(p - up),
            pc = Math.abs(p - upLeft);
          cur[i] = x + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
          break;
        }
        default:
          throw new PdfError('PDF_STREAM', `type de ligne ${type} invalide pour le prédicteur PNG`);
      }
    }
    prev = cur;
  }
  return out;
}

function int(o: PdfValue | undefined, fallback: number): number {
  return typeof o === 'number' && Number.isInteger(o) ? o : fallback;
}
