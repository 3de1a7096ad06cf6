/** Minimal DER encoding and reading: the signing hot path avoids object models. */

export function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  let len = 0;
  for (const c of content) len += c.length;
  return Buffer.concat([Buffer.from([tag, ...lengthBytes(len)]), ...content]);
}

export function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return [0x80 | out.length, ...out];
}

export const seq = (...c: Uint8Array[]): Buffer => tlv(0x30, ...c);
export const set = (...c: Uint8Array[]): Buffer => tlv(0x31, ...c);
export const octets = (c: Uint8Array): Buffer => tlv(0x04, c);
export const nul = Buffer.from([0x05, 0x00]);

export function int(n: number): Buffer {
  const bytes: number[] = [];
  do {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  } while (n > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Uint8Array.from(bytes));
}

const oidCache = new Map<string, Buffer>();
export function oid(dotted: string): Buffer {
  let cached = oidCache.get(dotted);
  if (cached) return cached;
  const parts = dotted.split('.').map(Number);
  const body: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    let v = Math.floor(p / 128);
    while (v > 0) {
      chunk.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    body.push(...chunk);
  }
  cached = tlv(0x06, Uint8Array.from(body));
  oidCache.set(dotted, cached);
  return cached;
}

/** One decoded element: tag, and where its header and content sit in `buf`. */
export interface Element {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

export function readElement(buf: Uint8Array, at: number): Element {
  const tag = buf[at];
  let p = at + 1;
  const first = buf[p++];
  if (tag === undefined || first === undefined) throw new Error('DER: truncated');
  let len = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4) throw new Error('DER: unsupported length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
  }
  const end = p + len;
  if (end > buf.length) throw new Error('DER: truncated');
  return { tag, start: at, contentStart: p, end };
}

/** The children of a constructed element. */
export function children(buf: Uint8Array, e: Element): Element[] {
  const out: Element[] = [];
  for (let p = e.contentStart; p < e.end; ) {
    const c = readElement(buf, p);
    out.push(c);
    p = c.end;
  }
  return out;
}

export const slice = (buf: Uint8Array, e: Element): Uint8Array => buf.subarray(e.start, e.end);

/** Dotted OID from its content bytes; BigInt because UUID arcs (2.25.x) exceed 2^53. */
export function decodeOid(content: Uint8Array): string {
  const arcs: bigint[] = [];
  let v = 0n;
  for (const b of content) {
    v = (v << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0n;
    }
  }
  const first = arcs.shift() ?? 0n;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs].join('.');
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
