/**
 * The one DER reader. `parse` checks a whole element at once — lengths, nesting,
 * element count — without building anything, then hands out a Node whose children
 * are read only when asked for: a CMS carries certificates and tokens most checks
 * never open. Every node keeps its exact original bytes (`raw`), which is what
 * signatures cover.
 *
 * DER by default. `{ ber: true }` is for the verifier reading what other software
 * wrote (CMS): indefinite lengths, non-minimal lengths, constructed strings and
 * times without seconds are then accepted.
 */
import { Asn1Error, malformed } from './errors.ts';

export interface ReadOptions {
  ber?: boolean;
  /** Most elements in the whole input (default 200,000); a CRL may raise it. */
  maxElements?: number;
}

const MAX_DEPTH = 40;
const MAX_ELEMENTS = 200_000;

const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

/** One element; its children are read on first access. Read-only for every caller. */
export class Node {
  private kids: Node[] | undefined;

  constructor(
    readonly bytes: Uint8Array,
    /** The identifier octet: 0x30 SEQUENCE, 0xa0 [0] constructed… (for a tag number ≥ 31, its first octet). */
    readonly tag: number,
    /** The tag number within its class. */
    readonly number: number,
    /** Offset of the identifier octet. */
    readonly start: number,
    readonly contentStart: number,
    /** End of the content (before the end-of-contents octets of an indefinite length). */
    readonly contentEnd: number,
    /** Offset just past the element. */
    readonly end: number,
    readonly ber: boolean,
  ) {}

  get constructed(): boolean {
    return (this.tag & 0x20) !== 0;
  }

  /** The whole element, header included. */
  get raw(): Uint8Array {
    return this.bytes.subarray(this.start, this.end);
  }

  /** The content octets (for a constructed string, its segments' encodings). */
  get content(): Uint8Array {
    return this.bytes.subarray(this.contentStart, this.contentEnd);
  }

  get children(): Node[] {
    if (this.kids) return this.kids;
    const kids: Node[] = [];
    if (this.constructed) {
      for (let pos = this.contentStart; pos < this.contentEnd;) {
        const kid = nodeAt(this.bytes, pos, this.contentEnd, this.ber);
        kids.push(kid);
        pos = kid.end;
      }
    }
    return (this.kids = kids);
  }

  /** Context-specific [n] (either form). */
  isContext(n: number): boolean {
    return (this.tag & 0xc0) === 0x80 && this.number === n;
  }

  /** The child at `index`, or undefined. */
  at(index: number): Node | undefined {
    return this.children[index];
  }

  /** The child at `index`; `what` names it in the error when absent. */
  child(index: number, what: string): Node {
    const kid = this.children[index];
    if (!kid) throw malformed(`${what} absent`);
    return kid;
  }

  /** This node when its identifier octet is `tag`. */
  expect(tag: number, what: string): this {
    if (this.tag !== tag) throw malformed(`${what} : étiquette ${hex(tag)} attendue, ${hex(this.tag)} trouvée`);
    return this;
  }

  /** The children of a SEQUENCE (or of another constructed `tag`). */
  items(what: string, tag = 0x30): Node[] {
    return this.expect(tag, what).children;
  }

  oid(what = 'OID'): string {
    if (this.tag !== 0x06) throw malformed(`${what} : OID attendu, étiquette ${hex(this.tag)} trouvée`);
    return decodeOid(this.bytes, this.contentStart, this.contentEnd, what);
  }

  /** INTEGER or ENUMERATED, minimally encoded as DER requires. */
  integer(what = 'entier'): bigint {
    if (this.tag !== 0x02 && this.tag !== 0x0a) throw malformed(`${what} : entier attendu, étiquette ${hex(this.tag)} trouvée`);
    const b = this.bytes;
    const s = this.contentStart;
    const n = this.contentEnd - s;
    if (n === 0) throw malformed(`${what} : entier vide`);
    if (n > 1 && ((b[s] === 0 && !(b[s + 1]! & 0x80)) || (b[s] === 0xff && b[s + 1]! & 0x80))) throw malformed(`${what} : entier non minimal`);
    let value = 0n;
    if (n <= 6) {
      let small = 0;
      for (let i = s; i < s + n; i++) small = small * 256 + b[i]!;
      value = BigInt(small);
    } else {
      for (let i = s; i < s + n; i++) value = (value << 8n) | BigInt(b[i]!);
    }
    if (b[s]! & 0x80) value -= 1n << BigInt(n * 8);
    return value;
  }

  /** A small INTEGER (versions, lengths) as a number. */
  smallInteger(what = 'entier'): number {
    const value = this.integer(what);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw malformed(`${what} : entier hors limites`);
    return Number(value);
  }

  boolean(what = 'booléen'): boolean {
    if (this.tag !== 0x01) throw malformed(`${what} : booléen attendu, étiquette ${hex(this.tag)} trouvée`);
    const b = this.bytes[this.contentStart];
    if (this.contentEnd - this.contentStart !== 1 || (b !== 0 && b !== 0xff && !this.ber)) throw malformed(`${what} : booléen invalide`);
    return b !== 0;
  }

  /** OCTET STRING content; a constructed (BER) one is joined from its segments. */
  octets(what = 'OCTET STRING'): Uint8Array {
    if (this.tag === 0x04) return this.content;
    if (this.tag === 0x24 && this.ber) return Buffer.concat(this.children.map((c) => c.octets(what)));
    throw malformed(`${what} : OCTET STRING attendue, étiquette ${hex(this.tag)} trouvée`);
  }

  /** BIT STRING content without its unused-bits octet, which must be 0 (signatures, keys). */
  bits(what = 'BIT STRING'): Uint8Array {
    if (this.tag !== 0x03) throw malformed(`${what} : BIT STRING attendue, étiquette ${hex(this.tag)} trouvée`);
    if (this.contentEnd === this.contentStart || this.bytes[this.contentStart] !== 0) throw malformed(`${what} : bits inutilisés inattendus`);
    return this.bytes.subarray(this.contentStart + 1, this.contentEnd);
  }

  /** UTCTime or GeneralizedTime in UTC; BER also accepts times without seconds and a comma fraction. */
  time(what = 'date'): Date {
    const text = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.contentStart, this.contentEnd - this.contentStart).toString('latin1');
    let match: RegExpExecArray | null;
    let date: Date | undefined;
    if (this.tag === 0x17 && (match = (this.ber ? UTC_BER : UTC_DER).exec(text))) {
      const year = Number(match[1]);
      date = utc(year < 50 ? 2000 + year : 1900 + year, match[2]!, match[3]!, match[4]!, match[5]!, match[6], undefined);
    } else if (this.tag === 0x18 && (match = (this.ber ? GENERALIZED_BER : GENERALIZED_DER).exec(text))) {
      date = utc(Number(match[1]), match[2]!, match[3]!, match[4]!, match[5], match[6], match[7]);
    }
    if (!date) throw malformed(`${what} illisible « ${text.slice(0, 40)} »`);
    if (Number.isNaN(date.getTime())) throw malformed(`${what} invalide « ${text} »`);
    return date;
  }
}

const UTC_DER = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const UTC_BER = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/;
const GENERALIZED_DER = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/;
const GENERALIZED_BER = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?([.,]\d+)?Z$/;

function utc(year: number, month: string, day: string, hour: string, minute?: string, second?: string, fraction?: string): Date | undefined {
  const m = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const min = Number(minute ?? 0);
  const s = Number(second ?? 0);
  if (m < 1 || m > 12 || d < 1 || d > 31 || h > 23 || min > 59 || s > 59) return new Date(NaN);
  const ms = fraction ? Number(fraction.slice(1, 4).padEnd(3, '0')) : 0;
  const date = new Date(Date.UTC(year, m - 1, d, h, min, s, ms));
  // 31 February rolls over into March: refuse it rather than read another day.
  return date.getUTCDate() === d ? date : new Date(NaN);
}

/** The node when present; else « <what> absent » (for list items and optional fields a structure requires). */
export function required(node: Node | undefined, what: string): Node {
  if (!node) throw malformed(`${what} absent`);
  return node;
}

/** Reads one element that must fill `bytes` exactly. */
export function parse(bytes: Uint8Array, options: ReadOptions = {}): Node {
  const node = parsePrefix(bytes, options);
  if (node.end !== bytes.length) throw malformed(`${bytes.length - node.end} octets en trop après la structure DER`);
  return node;
}

/** Reads the element at the start of `bytes`; what follows it is left alone (`node.end` says where it stops). */
export function parsePrefix(bytes: Uint8Array, options: ReadOptions = {}): Node {
  const ber = options.ber === true;
  elements = 0;
  elementLimit = options.maxElements ?? MAX_ELEMENTS;
  scan(bytes, 0, bytes.length, 0, ber);
  return nodeAt(bytes, 0, bytes.length, ber);
}

// The header just read (readHeader writes here: no allocation per element while scanning).
let hTag = 0;
let hNumber = 0;
let hContentStart = 0;
/** Offset past the content, or -1 for an indefinite length. */
let hContentEnd = 0;
let elements = 0;
let elementLimit = MAX_ELEMENTS;

function readHeader(b: Uint8Array, offset: number, limit: number, ber: boolean): void {
  if (offset >= limit) throw malformed(`DER tronqué : élément attendu à l'octet ${offset}`);
  const tag = b[offset]!;
  let pos = offset + 1;
  let number = tag & 0x1f;
  if (number === 0x1f) {
    number = 0;
    for (let k = 0; ; k++) {
      if (pos >= limit) throw malformed(`DER tronqué : étiquette coupée à l'octet ${pos}`);
      const c = b[pos++]!;
      if (k === 0 && c === 0x80) throw malformed(`DER : étiquette non minimale à l'octet ${offset}`);
      if (k > 3) throw malformed(`DER : étiquette trop longue à l'octet ${offset}`);
      number = number * 128 + (c & 0x7f);
      if ((c & 0x80) === 0) break;
    }
    if (number < 0x1f) throw malformed(`DER : étiquette non minimale à l'octet ${offset}`);
  } else if (tag === 0) {
    throw malformed(`DER : octets de fin de contenu inattendus à l'octet ${offset}`);
  }
  if (pos >= limit) throw malformed(`DER tronqué : longueur manquante à l'octet ${pos}`);
  const first = b[pos++]!;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else if (first === 0x80) {
    if (!ber) throw malformed(`DER : longueur indéfinie à l'octet ${pos - 1}`);
    if ((tag & 0x20) === 0) throw malformed(`BER : longueur indéfinie sur un élément primitif à l'octet ${pos - 1}`);
    hTag = tag;
    hNumber = number;
    hContentStart = pos;
    hContentEnd = -1;
    return;
  } else {
    const count = first & 0x7f;
    if (count > 4) throw malformed(`DER : longueur sur ${count} octets à l'octet ${pos - 1}`);
    if (pos + count > limit) throw malformed(`DER tronqué : longueur coupée à l'octet ${pos}`);
    if (!ber && b[pos] === 0) throw malformed(`DER : longueur non minimale à l'octet ${pos - 1}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + b[pos++]!;
    if (!ber && length < 0x80) throw malformed(`DER : longueur non minimale à l'octet ${pos - count - 1}`);
  }
  const end = pos + length;
  if (end > limit) throw malformed(`DER tronqué : l'élément à l'octet ${offset} annonce ${length} octets, il en reste ${limit - pos}`);
  hTag = tag;
  hNumber = number;
  hContentStart = pos;
  hContentEnd = end;
}

/** Checks the element at `pos` and everything inside it without building anything; returns its end. */
function scan(b: Uint8Array, pos: number, limit: number, depth: number, ber: boolean): number {
  if (depth > MAX_DEPTH) throw new Asn1Error('LIMIT_EXCEEDED', `DER imbriqué sur plus de ${MAX_DEPTH} niveaux`);
  if (++elements > elementLimit) throw new Asn1Error('LIMIT_EXCEEDED', `plus de ${elementLimit} éléments DER`);
  readHeader(b, pos, limit, ber);
  const constructed = (hTag & 0x20) !== 0;
  if (constructed && !ber && isStringTag(hTag & 0xdf)) throw malformed(`DER : chaîne construite à l'octet ${pos}`);
  const start = hContentStart;
  const end = hContentEnd;
  if (end < 0) {
    for (let p = start; ;) {
      if (p + 2 > limit) throw malformed(`BER : longueur indéfinie sans fin de contenu (élément à l'octet ${pos})`);
      if (b[p] === 0 && b[p + 1] === 0) return p + 2;
      p = scan(b, p, limit, depth + 1, ber);
    }
  }
  if (constructed) {
    for (let p = start; p < end;) p = scan(b, p, end, depth + 1, ber);
  }
  return end;
}

/** Universal string types (BIT STRING, OCTET STRING, the character strings): DER writes them primitive. */
const isStringTag = (primitiveTag: number): boolean =>
  primitiveTag === 0x03 || primitiveTag === 0x04 || (primitiveTag >= 0x0c && primitiveTag <= 0x1e && primitiveTag !== 0x10 && primitiveTag !== 0x11);

/** An element already checked by scan. */
function nodeAt(b: Uint8Array, pos: number, limit: number, ber: boolean): Node {
  readHeader(b, pos, limit, ber);
  if (hContentEnd >= 0) return new Node(b, hTag, hNumber, pos, hContentStart, hContentEnd, hContentEnd, ber);
  // Indefinite length (BER): the end is known only by walking the children.
  const tag = hTag;
  const number = hNumber;
  const contentStart = hContentStart;
  let p = contentStart;
  while (!(b[p] === 0 && b[p + 1] === 0)) p = nodeAt(b, p, limit, ber).end;
  return new Node(b, tag, number, pos, contentStart, p, p + 2, ber);
}

/** The same few dozen OIDs recur in every certificate, CRL and token: each is decoded once. */
const oidCache = new Map<string, string>();

function decodeOid(b: Uint8Array, start: number, end: number, what: string): string {
  if (end === start) throw malformed(`${what} : OID vide`);
  if (b[end - 1]! & 0x80) throw malformed(`${what} : OID tronqué`);
  const key = Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
  let dotted = oidCache.get(key);
  if (dotted === undefined) {
    dotted = oidText(b, start, end);
    if (end - start <= 64 && oidCache.size < 10_000) oidCache.set(key, dotted);
  }
  return dotted;
}

/** Arcs in bigint: UUID arcs (2.25.…) go far above 2^53. */
function oidText(b: Uint8Array, start: number, end: number): string {
  const arcs: bigint[] = [];
  let value = 0n;
  for (let i = start; i < end; i++) {
    value = (value << 7n) | BigInt(b[i]! & 0x7f);
    if ((b[i]! & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    }
  }
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}
