import zlib from 'node:zlib';
import { PdfDict, PdfStream, nameOf, type PdfObject } from './pdf-objects.ts';
import { PdfFormatError } from './limits.ts';

/** Decodes a stream's data (none or FlateDecode, with PNG or TIFF predictors), bounded in size. */
export function decodeStream(bytes: Uint8Array, stream: PdfStream, maxBytes: number): Uint8Array {
  const raw = bytes.subarray(stream.dataStart, stream.dataEnd);
  const filterObj = stream.dict.get('Filter');
  const filters = Array.isArray(filterObj) ? filterObj.map((f) => nameOf(f)) : filterObj === undefined ? [] : [nameOf(filterObj)];
  const parmsObj = stream.dict.get('DecodeParms');
  const parmsList: (PdfObject | undefined)[] = Array.isArray(parmsObj) ? parmsObj : [parmsObj];
  let data: Uint8Array = raw;
  filters.forEach((filter, i) => {
    if (filter === 'FlateDecode') {
      try {
        data = zlib.inflateSync(data, { maxOutputLength: maxBytes, finishFlush: zlib.constants.Z_SYNC_FLUSH });
      } catch (error) {
        throw new PdfFormatError(`cannot inflate stream: ${(error as Error).message}`);
      }
      const parms = parmsList[i];
      if (parms instanceof PdfDict) data = unpredict(data, parms);
    } else {
      throw new PdfFormatError(`unsupported stream filter ${filter ?? '?'}`);
    }
  });
  if (data.length > maxBytes) throw new PdfFormatError('decoded stream too large');
  return data;
}

function unpredict(data: Uint8Array, parms: PdfDict): Uint8Array {
  const predictor = num(parms.get('Predictor'), 1);
  if (predictor < 10) {
    if (predictor === 1) return data;
    throw new PdfFormatError(`unsupported predictor ${predictor}`);
  }
  const colors = num(parms.get('Colors'), 1);
  const bpc = num(parms.get('BitsPerComponent'), 8);
  const columns = num(parms.get('Columns'), 1);
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLength = Math.ceil((colors * bpc * columns) / 8);
  if (rowLength <= 0 || rowLength > 1 << 20) throw new PdfFormatError('invalid predictor columns');
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
        case 0: cur[i] = x; break;
        case 1: cur[i] = x + left; break;
        case 2: cur[i] = x + up; break;
        case 3: cur[i] = x + ((left + up) >> 1); break;
        case 4: {
          const p = left + up - upLeft;
          const pa = Math.abs(p - left), pb = Math.abs(p - up), pc = Math.abs(p - upLeft);
          cur[i] = x + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
          break;
        }
        default: throw new PdfFormatError(`invalid PNG predictor row type ${type}`);
      }
    }
    prev = cur;
  }
  return out;
}

function num(o: PdfObject | undefined, fallback: number): number {
  return typeof o === 'number' && Number.isInteger(o) ? o : fallback;
}
