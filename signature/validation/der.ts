/**
 * A minimal, bounded BER/DER reader: enough to walk CMS, timestamp tokens and
 * attributes while keeping every element's exact original bytes.
 */
export class Asn1Error extends Error {
  override readonly name = 'Asn1Error';
}

export interface Tlv {
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  cls: number;
  tag: number;
  constructed: boolean;
  /** The whole element, header included. */
  raw: Uint8Array;
  /** The value bytes (for indefinite lengths: without the end-of-contents octets). */
  value: Uint8Array;
  /** Read on first access: a CMS carries certificates and tokens most checks never open. */
  readonly children: Tlv[];
}

const MAX_DEPTH = 40;
const MAX_NODES = 200_000;

/**
 * Reads the element at the start of `bytes`. The whole element is checked at once
 * (lengths, nesting, element count), so malformed content anywhere inside fails here;
 * the tree itself is built only as far as it is walked.
 */
export function parseDer(bytes: Uint8Array): { node: Tlv; end: number } {
  const end = scan(bytes, 0, bytes.length, 0, { n: 0 });
  return { node: nodeAt(bytes, 0, bytes.length), end };
}

// The header just read (readHeader writes here: no allocation per element while scanning).
let hCls = 0;
let hTag = 0;
let hConstructed = false;
let hValueStart = 0;
/** Offset past the value, or -1 for an indefinite length. */
let hValueEnd = 0;

function readHeader(b: Uint8Array, pos: number, limit: number): void {
  if (pos + 2 > limit) throw new Asn1Error('truncated ASN.1 element');
  const first = b[pos++]!;
  if (first === 0) throw new Asn1Error('unexpected end-of-contents octets');
  hCls = first >> 6;
  hConstructed = (first & 0x20) !== 0;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    for (let k = 0; ; k++) {
      if (k > 4 || pos >= limit) throw new Asn1Error('bad ASN.1 tag');
      const c = b[pos++]!;
      tag = tag * 128 + (c & 0x7f);
      if ((c & 0x80) === 0) break;
    }
  }
  hTag = tag;
  if (pos >= limit) throw new Asn1Error('truncated ASN.1 length');
  const lenByte = b[pos++]!;
  if (lenByte === 0x80) {
    if (!hConstructed) throw new Asn1Error('indefinite length on a primitive element');
    hValueStart = pos;
    hValueEnd = -1;
    return;
  }
  let length = lenByte;
  if (lenByte & 0x80) {
    const n = lenByte & 0x7f;
    if (n > 4) throw new Asn1Error('ASN.1 length too large');
    length = 0;
    for (let k = 0; k < n; k++) {
      if (pos >= limit) throw new Asn1Error('truncated ASN.1 length');
      length = length * 256 + b[pos++]!;
    }
  }
  const end = pos + length;
  if (end > limit) throw new Asn1Error('ASN.1 element longer than its container');
  hValueStart = pos;
  hValueEnd = end;
}

/** Walks the element at `pos` and everything inside it without building anything; returns its end. */
function scan(b: Uint8Array, pos: number, limit: number, depth: number, counter: { n: number }): number {
  if (depth > MAX_DEPTH) throw new Asn1Error('ASN.1 nesting too deep');
  if (++counter.n > MAX_NODES) throw new Asn1Error('too many ASN.1 elements');
  readHeader(b, pos, limit);
  const start = hValueStart;
  const end = hValueEnd;
  if (end < 0) {
    let p = start;
    for (;;) {
      if (p + 2 > limit) throw new Asn1Error('unterminated indefinite length');
      if (b[p] === 0 && b[p + 1] === 0) return p + 2;
      p = scan(b, p, limit, depth + 1, counter);
    }
  }
  if (hConstructed) {
    let p = start;
    while (p < end) p = scan(b, p, end, depth + 1, counter);
  }
  return end;
}

/** An element already checked by scan: its children are read when first asked for. */
class Node implements Tlv {
  constructor(
    readonly cls: number,
    readonly tag: number,
    readonly constructed: boolean,
    readonly raw: Uint8Array,
    readonly value: Uint8Array,
    private readonly buf: Uint8Array,
    private readonly valueStart: number,
    private readonly valueEnd: number,
    private kids?: Tlv[],
  ) {}

  get children(): Tlv[] {
    if (this.kids) return this.kids;
    const kids: Tlv[] = [];
    if (this.constructed) {
      for (let p = this.valueStart; p < this.valueEnd; ) {
        const kid = nodeAt(this.buf, p, this.valueEnd);
        kids.push(kid);
        p = kid.raw.byteOffset - this.buf.byteOffset + kid.raw.length;
      }
    }
    return (this.kids = kids);
  }
}

function nodeAt(b: Uint8Array, pos: number, limit: number): Tlv {
  readHeader(b, pos, limit);
  const cls = hCls;
  const tag = hTag;
  const constructed = hConstructed;
  const valueStart = hValueStart;
  if (hValueEnd >= 0) return new Node(cls, tag, constructed, b.subarray(pos, hValueEnd), b.subarray(valueStart, hValueEnd), b, valueStart, hValueEnd);
  // Indefinite length (BER): the end is only known by reading the children.
  let p = valueStart;
  const kids: Tlv[] = [];
  while (!(b[p] === 0 && b[p + 1] === 0)) {
    const kid = nodeAt(b, p, limit);
    kids.push(kid);
    p = kid.raw.byteOffset - b.byteOffset + kid.raw.length;
  }
  return new Node(cls, tag, constructed, b.subarray(pos, p + 2), b.subarray(valueStart, p), b, valueStart, p, kids);
}

export function child(node: Tlv | undefined, index: number): Tlv {
  const c = node?.children[index];
  if (!c) throw new Asn1Error('missing ASN.1 element');
  return c;
}

export function isContext(node: Tlv | undefined, tag: number): boolean {
  return node !== undefined && node.cls === 2 && node.tag === tag;
}

const oidCache = new Map<string, string>();

export function oid(node: Tlv): string {
  if (node.cls !== 0 || node.tag !== 6) throw new Asn1Error('OBJECT IDENTIFIER expected');
  const v = node.value;
  // The same few dozen OIDs recur in every structure: decode each once.
  const key = Buffer.from(v.buffer, v.byteOffset, v.length).toString('latin1');
  const hit = oidCache.get(key);
  if (hit !== undefined) return hit;
  const dotted = decodeOid(v);
  if (oidCache.size < 10_000) oidCache.set(key, dotted);
  return dotted;
}

function decodeOid(v: Uint8Array): string {
  const parts: number[] = [];
  let acc = 0;
  for (const byte of v) {
    acc = acc * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      if (parts.length === 0) {
        const first = acc < 80 ? Math.floor(acc / 40) : 2;
        parts.push(first, acc - first * 40);
      } else parts.push(acc);
      acc = 0;
    }
  }
  return parts.join('.');
}

/** OCTET STRING contents, joining the segments of a constructed (BER) one. */
export function octets(node: Tlv): Uint8Array {
  if (node.tag !== 4 && node.cls === 0) throw new Asn1Error('OCTET STRING expected');
  if (!node.constructed) return node.value;
  return Buffer.concat(node.children.map((c) => octets(c)));
}

export function time(node: Tlv): Date {
  const s = Buffer.from(node.value).toString('latin1');
  if (node.tag === 23) {
    const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s);
    if (!m) throw new Asn1Error('bad UTCTime');
    const y = Number(m[1]);
    return new Date(Date.UTC(y < 50 ? 2000 + y : 1900 + y, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
  }
  if (node.tag === 24) {
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?([.,]\d+)?Z$/.exec(s);
    if (!m) throw new Asn1Error('bad GeneralizedTime');
    const ms = m[7] ? Math.round(Number(`0.${m[7].slice(1)}`) * 1000) : 0;
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5] ?? 0), Number(m[6] ?? 0), ms));
  }
  throw new Asn1Error('time expected');
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Asserts the element's class and tag (universal SEQUENCE = 0/16, SET = 0/17, context [n] = 2/n). */
export function expectTag(node: Tlv, cls: number, tag: number, constructed = true): Tlv {
  if (node.cls !== cls || node.tag !== tag || node.constructed !== constructed) {
    throw new Asn1Error(`unexpected ASN.1 element (class ${node.cls}, tag ${node.tag})`);
  }
  return node;
}
