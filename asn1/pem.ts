/** The one PEM reader and writer (RFC 7468): what people hand over is often PEM text, sometimes DER. */
import { Asn1Error } from './errors.ts';
import { parse } from './reader.ts';

/** A file may hold a CRL of many thousands of entries: its element count is not capped. */
const WHOLE_FILE = { maxElements: Number.MAX_SAFE_INTEGER };

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** DER → PEM with the given label (« CERTIFICATE », « X509 CRL »…). */
export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export interface PemOptions {
  /** Only blocks with this label (others are skipped); every block when absent. */
  label?: string;
}

/**
 * Accepts DER (one element, a SEQUENCE), or PEM text with one or several blocks,
 * and returns each object as DER, every one checked to be one whole DER element.
 * Throws an Asn1Error: BAD_PEM when the input is neither, MALFORMED for bad DER.
 */
export function pemOrDerToDerList(input: Uint8Array | string, options: PemOptions = {}): Uint8Array[] {
  const text = typeof input === 'string' ? input : looksLikeText(input) ? Buffer.from(input).toString('latin1') : null;
  if (text === null) {
    const bytes = input as Uint8Array;
    const node = parse(bytes, WHOLE_FILE);
    if (node.tag !== 0x30) throw new Asn1Error('MALFORMED', `DER : SEQUENCE attendue, étiquette 0x${node.tag.toString(16)} trouvée`);
    return [bytes];
  }
  const blocks: Uint8Array[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    if (options.label && match[1] !== options.label) continue;
    const body = match[2]!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) {
      throw new Asn1Error('BAD_PEM', `PEM : le bloc « ${match[1]} » n'est pas du base64 valide`);
    }
    const der = new Uint8Array(Buffer.from(body, 'base64'));
    try {
      parse(der, WHOLE_FILE);
    } catch (error) {
      throw new Asn1Error('MALFORMED', `PEM « ${match[1]} » : ${(error as Error).message}`, { cause: error });
    }
    blocks.push(der);
  }
  if (blocks.length === 0) {
    throw new Asn1Error('BAD_PEM', options.label ? `aucun bloc « ${options.label} » dans le texte PEM fourni` : 'ni DER ni PEM : aucun bloc « -----BEGIN …----- » trouvé');
  }
  return blocks;
}

/** The single (or first) object of a PEM or DER input. */
export function pemOrDerToDer(input: Uint8Array | string, options: PemOptions = {}): Uint8Array {
  return pemOrDerToDerList(input, options)[0]!;
}

function looksLikeText(bytes: Uint8Array): boolean {
  if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).includes('-----BEGIN ')) return true;
  return bytes.length > 0 && bytes[0] !== 0x30 && /^[\s\x20-\x7e]*$/.test(Buffer.from(bytes.subarray(0, 64)).toString('latin1'));
}
