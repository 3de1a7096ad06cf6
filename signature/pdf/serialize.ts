import { PdfDict, PdfLazy, PdfName, PdfRaw, PdfRef, PdfStream, PdfString, type PdfValue } from './objects.ts';

const NAME_SAFE = /^[A-Za-z0-9._+\-:*]+$/;

/** Serialises a direct value (streams only as indirect objects: see writeIndirect). */
export function serialize(v: PdfValue | PdfLazy, out: string[] = []): string[] {
  if (v instanceof PdfLazy) out.push(Buffer.from(v.raw.buffer, v.raw.byteOffset, v.raw.length).toString('latin1'));
  else if (v === null) out.push('null');
  else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
  else if (typeof v === 'number') out.push(formatNumber(v));
  else if (v instanceof PdfName) out.push('/' + (NAME_SAFE.test(v.name) ? v.name : escapeName(v.name)));
  else if (v instanceof PdfRef) out.push(`${v.num} ${v.gen} R`);
  else if (v instanceof PdfString) out.push(v.hex ? `<${Buffer.from(v.bytes).toString('hex')}>` : literal(v.bytes));
  else if (v instanceof PdfRaw) out.push(v.text);
  else if (Array.isArray(v)) {
    out.push('[');
    v.forEach((x, i) => {
      if (i) out.push(' ');
      serialize(x, out);
    });
    out.push(']');
  } else if (v instanceof PdfDict) {
    out.push('<<');
    for (const [k, x] of v.map) {
      out.push('/' + (NAME_SAFE.test(k) ? k : escapeName(k)) + ' ');
      serialize(x, out);
      out.push('\n');
    }
    out.push('>>');
  } else if (v instanceof PdfStream) throw new Error('a stream must be an indirect object');
  return out;
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
}

function escapeName(n: string): string {
  let s = '';
  for (const ch of Buffer.from(n, 'latin1')) {
    s += ch > 0x20 && ch < 0x7f && !'()<>[]{}/%#'.includes(String.fromCharCode(ch)) ? String.fromCharCode(ch) : '#' + ch.toString(16).padStart(2, '0');
  }
  return s;
}

function literal(bytes: Uint8Array): string {
  let s = '(';
  for (const b of bytes) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) s += '\\' + String.fromCharCode(b);
    else if (b === 0x0d) s += '\\r';
    else if (b === 0x0a) s += '\\n';
    else if (b < 0x20 || b > 0x7e) s += '\\' + b.toString(8).padStart(3, '0');
    else s += String.fromCharCode(b);
  }
  return s + ')';
}

/** `N G obj ... endobj` as bytes. */
export function writeIndirect(num: number, gen: number, v: PdfValue): Buffer {
  if (v instanceof PdfStream) {
    v.dict.set('Length', v.data.length);
    const head = `${num} ${gen} obj\n${serialize(v.dict).join('')}\nstream\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), v.data, Buffer.from('\nendstream\nendobj\n', 'latin1')]);
  }
  return Buffer.from(`${num} ${gen} obj\n${serialize(v).join('')}\nendobj\n`, 'latin1');
}
