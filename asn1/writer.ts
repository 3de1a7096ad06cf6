/**
 * The one DER writer: small functions that return finished encodings, and a tree
 * encoder that writes a whole structure in one allocation (the signing hot path).
 * Hand-written because a token or a signature must cost little more than its
 * private-key operation: schema-driven encoders would dominate it.
 */
import { Asn1Error } from './errors.ts';

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Any element: `tag` is the identifier octet. */
export function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  const body = content.length === 1 ? content[0]! : Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export const seq = (...items: Uint8Array[]): Buffer => tlv(0x30, ...items);
/** SET with its elements in the order given (callers that need DER SET OF order use setOf). */
export const set = (...items: Uint8Array[]): Buffer => tlv(0x31, ...items);
export const octets = (bytes: Uint8Array): Buffer => tlv(0x04, bytes);
export const NULL = Buffer.from([0x05, 0x00]);
export const bool = (value: boolean): Buffer => Buffer.from([0x01, 0x01, value ? 0xff : 0x00]);
/** Context-specific constructed [n]: EXPLICIT, or IMPLICIT of a constructed type. */
export const ctx = (n: number, ...items: Uint8Array[]): Buffer => tlv(0xa0 | n, ...items);
/** Context-specific primitive [n]: IMPLICIT of a primitive type (URIs, key identifiers). */
export const ctxPrimitive = (n: number, content: Uint8Array): Buffer => tlv(0x80 | n, content);

/** SET OF in DER: elements sorted by their encodings. */
export function setOf(...items: Uint8Array[]): Buffer {
  return tlv(0x31, ...[...items].sort(Buffer.compare));
}

/** OIDs are few and fixed: each is encoded once. */
const oids = new Map<string, Buffer>();

export function oid(dotted: string): Buffer {
  let encoded = oids.get(dotted);
  if (!encoded) {
    encoded = tlv(0x06, oidContent(dotted));
    if (oids.size < 10_000) oids.set(dotted, encoded);
  }
  return encoded;
}

function oidContent(dotted: string): Buffer {
  if (!/^[0-2](\.\d+)+$/.test(dotted)) throw new Asn1Error('MALFORMED', `OID invalide : ${dotted}`);
  const parts = dotted.split('.').map((p) => BigInt(p));
  const arcs = [parts[0]! * 40n + parts[1]!, ...parts.slice(2)];
  const out: number[] = [];
  for (const arc of arcs) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...chunk);
  }
  return Buffer.from(out);
}

/** Non-negative INTEGER. */
export function integer(value: bigint | number): Buffer {
  let v = BigInt(value);
  if (v < 0n) throw new Asn1Error('MALFORMED', 'entier négatif non pris en charge');
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

/** INTEGER from unsigned big-endian magnitude bytes (a serial number, an ECDSA r or s). */
export function unsignedInteger(magnitude: Uint8Array): Buffer {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const body = Buffer.from(magnitude.subarray(i));
  if (body.length === 0) return Buffer.from([0x02, 0x01, 0x00]);
  return body[0]! & 0x80 ? tlv(0x02, Buffer.from([0]), body) : tlv(0x02, body);
}

/** INTEGER from lower-case hex magnitude (how serials are stored). */
export const hexInteger = (hex: string): Buffer => unsignedInteger(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'));

export function enumerated(value: number): Buffer {
  const int = integer(value);
  int[0] = 0x0a;
  return int;
}

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
export const printable = (text: string): Buffer => tlv(0x13, Buffer.from(text, 'latin1'));
export const ia5 = (text: string): Buffer => tlv(0x16, Buffer.from(text, 'latin1'));

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
  const text = `${pad(year % 100)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` + `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

/** A DER tree encoded in one allocation: leaves are finished encodings. */
export type DerNode = Uint8Array | { tag: number; kids: DerNode[]; size?: number };

const headerLength = (n: number): number => (n < 0x80 ? 2 : n < 0x100 ? 3 : n < 0x10000 ? 4 : n < 0x1000000 ? 5 : 6);

function sizeOf(n: DerNode): number {
  if (n instanceof Uint8Array) return n.length;
  let content = 0;
  for (const k of n.kids) content += sizeOf(k);
  n.size = content;
  return headerLength(content) + content;
}

function writeNode(buf: Buffer, at: number, n: DerNode): number {
  if (n instanceof Uint8Array) {
    buf.set(n, at);
    return at + n.length;
  }
  const content = n.size!;
  buf[at++] = n.tag;
  if (content < 0x80) buf[at++] = content;
  else {
    const bytes = headerLength(content) - 2;
    buf[at++] = 0x80 | bytes;
    for (let i = bytes - 1; i >= 0; i--) buf[at++] = (content >>> (8 * i)) & 0xff;
  }
  for (const k of n.kids) at = writeNode(buf, at, k);
  return at;
}

export function encodeTree(n: DerNode): Buffer {
  const out = Buffer.allocUnsafe(sizeOf(n));
  writeNode(out, 0, n);
  return out;
}

/** Length of the identifier and length octets of a finished encoding (to re-tag its content). */
export function headerSize(der: Uint8Array): number {
  const first = der[1]!;
  return first & 0x80 ? 2 + (first & 0x7f) : 2;
}
