/**
 * A minimal DER writer and a strict reader, shared by the TSA, the CRL and the
 * OCSP responder (the writer also by the PAdES signer, signature/cms/der.ts).
 * Hand-written because the TSA hot path must cost little more than the signature
 * itself: pkijs' schema machinery would dominate it.
 */

export class DerError extends Error {}

// ---------------------------------------------------------------- writing

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Any TLV: `tag` is the full identifier octet. */
export function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  const body = content.length === 1 ? content[0]! : Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export const seq = (...items: Uint8Array[]): Buffer => tlv(0x30, ...items);
export const octets = (bytes: Uint8Array): Buffer => tlv(0x04, bytes);
export const nullValue = (): Buffer => Buffer.from([0x05, 0x00]);
export const bool = (value: boolean): Buffer => Buffer.from([0x01, 0x01, value ? 0xff : 0x00]);
/** Context-specific constructed tag [n], i.e. EXPLICIT or IMPLICIT of a constructed type. */
export const ctx = (n: number, ...items: Uint8Array[]): Buffer => tlv(0xa0 | n, ...items);

/** SET OF in DER: elements sorted by their encodings. */
export function setOf(...items: Uint8Array[]): Buffer {
  const sorted = [...items].sort((a, b) => Buffer.compare(a, b));
  return tlv(0x31, ...sorted);
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map((p) => BigInt(p));
  if (parts.length < 2) throw new DerError(`OID invalide : ${dotted}`);
  const arcs = [parts[0]! * 40n + parts[1]!, ...parts.slice(2)];
  const out: number[] = [];
  for (const arc of arcs) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** Non-negative INTEGER from a bigint or number. */
export function integer(value: bigint | number): Buffer {
  let v = BigInt(value);
  if (v < 0n) throw new DerError('entier négatif non pris en charge');
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

/** INTEGER from unsigned big-endian magnitude bytes (e.g. a serial number in hex). */
export function unsignedInteger(magnitude: Uint8Array): Buffer {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const body = Buffer.from(magnitude.subarray(i));
  if (body.length === 0) return Buffer.from([0x02, 0x01, 0x00]);
  return body[0]! & 0x80 ? tlv(0x02, Buffer.from([0]), body) : tlv(0x02, body);
}

export const enumerated = (value: number): Buffer => {
  const int = integer(value);
  int[0] = 0x0a;
  return int;
};

/** BIT STRING with no unused bits (signatures, keys). */
export const bitString = (bytes: Uint8Array): Buffer => tlv(0x03, Buffer.from([0]), bytes);

/** A named-bit BIT STRING with the given bits set, trailing zero bits removed as DER wants. */
export function namedBits(...bits: number[]): Buffer {
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  return tlv(0x03, Buffer.from([7 - (highest & 7)]), bytes);
}

export const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** GeneralizedTime in UTC; milliseconds written only when asked and non-zero (no trailing zeros). */
export function generalizedTime(date: Date, withMillis = false): Buffer {
  let text =
    `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
  const ms = date.getUTCMilliseconds();
  if (withMillis && ms !== 0) text += `.${pad(ms, 3).replace(/0+$/, '')}`;
  return tlv(0x18, Buffer.from(`${text}Z`, 'ascii'));
}

/** RFC 5280 Time: UTCTime until 2049, GeneralizedTime from 2050. */
export function x509Time(date: Date): Buffer {
  const year = date.getUTCFullYear();
  if (year >= 2050 || year < 1950) return generalizedTime(date);
  const text =
    `${pad(year % 100)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

// ---------------------------------------------------------------- reading

/** One decoded TLV; `raw` is the whole encoding, `content` the value bytes. */
export interface Node {
  tag: number;
  raw: Buffer;
  content: Buffer;
}

/** Reads exactly one TLV at `offset`; lengths are checked against the buffer. */
export function readNode(buf: Buffer, offset = 0): Node {
  if (offset + 2 > buf.length) throw new DerError('structure DER tronquée');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('étiquette DER multi-octets non prise en charge');
  let length = buf[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new DerError('longueur DER invalide');
    if (offset + 2 + count > buf.length) throw new DerError('structure DER tronquée');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[offset + 2 + i]!;
    if (length < 0x80 || buf[offset + 2] === 0) throw new DerError('longueur DER non minimale');
    header += count;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new DerError('structure DER tronquée');
  return { tag, raw: buf.subarray(offset, end), content: buf.subarray(offset + header, end) };
}

/** Decodes a whole buffer as one TLV, refusing trailing bytes. */
export function parseDer(bytes: Uint8Array): Node {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const node = readNode(buf, 0);
  if (node.raw.length !== buf.length) throw new DerError('octets en trop après la structure DER');
  return node;
}

/** The children of a constructed node. */
export function children(node: Node): Node[] {
  if (!(node.tag & 0x20)) throw new DerError('structure DER construite attendue');
  const out: Node[] = [];
  for (let offset = 0; offset < node.content.length; ) {
    const child = readNode(node.content, offset);
    out.push(child);
    offset += child.raw.length;
  }
  return out;
}

export function expectTag(node: Node | undefined, tag: number, what: string): Node {
  if (!node || node.tag !== tag) throw new DerError(`${what} : structure inattendue`);
  return node;
}

export function readOid(node: Node | undefined, what = 'OID'): string {
  const { content } = expectTag(node, 0x06, what);
  if (content.length === 0 || content[content.length - 1]! & 0x80) throw new DerError(`${what} : OID invalide`);
  const arcs: bigint[] = [];
  let value = 0n;
  for (const byte of content) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0n;
    }
  }
  const first = arcs[0]!;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

export function readInteger(node: Node | undefined, what = 'INTEGER'): bigint {
  const { content } = expectTag(node, 0x02, what);
  if (content.length === 0) throw new DerError(`${what} : entier vide`);
  if (content.length > 1 && ((content[0] === 0 && !(content[1]! & 0x80)) || (content[0] === 0xff && content[1]! & 0x80))) {
    throw new DerError(`${what} : entier non minimal`);
  }
  let value = 0n;
  for (const byte of content) value = (value << 8n) | BigInt(byte);
  if (content[0]! & 0x80) value -= 1n << BigInt(content.length * 8);
  return value;
}

export function readBoolean(node: Node | undefined, what = 'BOOLEAN'): boolean {
  const { content } = expectTag(node, 0x01, what);
  if (content.length !== 1 || (content[0] !== 0 && content[0] !== 0xff)) throw new DerError(`${what} : booléen invalide`);
  return content[0] === 0xff;
}
