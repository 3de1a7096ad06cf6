/**
 * A minimal DER reader: enough to slice the exact bytes that signatures cover
 * (TBSCertificate, TBSCertList, signed attributes) without re-encoding them.
 */
export class DerFormatError extends Error {
  override name = 'DerFormatError';
}

export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the content. */
  end: number;
}

export function readTlv(bytes: Uint8Array, offset = 0, limit = bytes.length): Tlv {
  readHeader(bytes, offset, limit);
  return { tag: bytes[offset]!, start: offset, contentStart: headerContentStart, end: headerEnd };
}

// Where readHeader leaves the element it read: no object per element for walks that only check.
let headerContentStart = 0;
let headerEnd = 0;

function readHeader(bytes: Uint8Array, offset: number, limit: number): void {
  if (offset >= limit) throw new DerFormatError(`DER tronqué : élément attendu à l'octet ${offset}`);
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerFormatError(`DER : étiquette longue non prise en charge à l'octet ${offset}`);
  let pos = offset + 1;
  if (pos >= limit) throw new DerFormatError(`DER tronqué : longueur manquante à l'octet ${pos}`);
  const first = bytes[pos++]!;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count === 0) throw new DerFormatError(`DER : longueur indéfinie à l'octet ${pos - 1}`);
    if (count > 4) throw new DerFormatError(`DER : longueur sur ${count} octets à l'octet ${pos - 1}`);
    if (pos + count > limit) throw new DerFormatError(`DER tronqué : longueur coupée à l'octet ${pos}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[pos++]!;
  }
  const end = pos + length;
  if (end > limit) throw new DerFormatError(`DER tronqué : l'élément à l'octet ${offset} annonce ${length} octets, il en reste ${limit - pos}`);
  headerContentStart = pos;
  headerEnd = end;
}

/** The direct children of a constructed element. */
export function children(bytes: Uint8Array, parent: Tlv): Tlv[] {
  if ((parent.tag & 0x20) === 0) throw new DerFormatError(`DER : l'élément à l'octet ${parent.start} n'est pas construit`);
  const out: Tlv[] = [];
  let pos = parent.contentStart;
  while (pos < parent.end) {
    const child = readTlv(bytes, pos, parent.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** Reads one whole element that must fill `bytes` exactly. */
export function readWhole(bytes: Uint8Array, what: string): Tlv {
  const tlv = readTlv(bytes, 0);
  if (tlv.end !== bytes.length) throw new DerFormatError(`${what} : ${bytes.length - tlv.end} octets en trop après la structure DER`);
  return tlv;
}

export function slice(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.start, tlv.end);
}

export function content(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.contentStart, tlv.end);
}

/** The first child of the outer SEQUENCE: the signed part of a certificate, CRL or OCSP response. */
export function signedPart(der: Uint8Array, what: string): Uint8Array {
  const outer = readWhole(der, what);
  if (outer.tag !== 0x30) throw new DerFormatError(`${what} : SEQUENCE attendue, étiquette 0x${outer.tag.toString(16)} trouvée`);
  const first = children(der, outer)[0];
  if (!first || first.tag !== 0x30) throw new DerFormatError(`${what} : partie signée absente`);
  return slice(der, first);
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * Accepts DER, or PEM text with one or several blocks (certificates, CRLs…),
 * and returns each object as DER. Throws a DerFormatError on anything else.
 */
export function pemOrDerToDerList(input: Uint8Array | string): Uint8Array[] {
  const text = typeof input === 'string' ? input : looksLikeText(input) ? Buffer.from(input).toString('latin1') : null;
  if (text === null) {
    const bytes = input as Uint8Array;
    const tlv = readWhole(bytes, 'DER');
    if (tlv.tag !== 0x30) throw new DerFormatError(`DER : SEQUENCE attendue, étiquette 0x${tlv.tag.toString(16)} trouvée`);
    return [bytes];
  }
  const blocks: Uint8Array[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const body = match[2]!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) {
      throw new DerFormatError(`PEM : le bloc « ${match[1]} » n'est pas du base64 valide`);
    }
    const der = new Uint8Array(Buffer.from(body, 'base64'));
    readWhole(der, `PEM « ${match[1]} »`);
    blocks.push(der);
  }
  if (blocks.length === 0) throw new DerFormatError('ni DER ni PEM : aucun bloc « -----BEGIN …----- » trouvé');
  return blocks;
}

/** The single (or first) object of a PEM or DER input. */
export function pemOrDerToDer(input: Uint8Array | string): Uint8Array {
  return pemOrDerToDerList(input)[0]!;
}

function looksLikeText(bytes: Uint8Array): boolean {
  if (Buffer.from(bytes).includes('-----BEGIN ')) return true;
  return bytes.length > 0 && bytes[0] !== 0x30 && /^[\s\x20-\x7e]*$/.test(Buffer.from(bytes.subarray(0, 64)).toString('latin1'));
}

export function expect(bytes: Uint8Array, tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv) throw new DerFormatError(`${what} absent`);
  if (tlv.tag !== tag) throw new DerFormatError(`${what} : étiquette 0x${tag.toString(16)} attendue, 0x${tlv.tag.toString(16)} trouvée`);
  return tlv;
}

/** The same few dozen OIDs recur in every certificate, CRL and token: each is decoded once. */
const oids = new Map<string, string>();

export function readOid(bytes: Uint8Array, tlv: Tlv): string {
  if (tlv.tag !== 0x06) throw new DerFormatError(`OID attendu, étiquette 0x${tlv.tag.toString(16)} trouvée`);
  const body = content(bytes, tlv);
  if (body.length === 0) throw new DerFormatError('OID vide');
  const key = Buffer.from(body.buffer, body.byteOffset, body.length).toString('latin1');
  let dotted = oids.get(key);
  if (dotted === undefined) {
    dotted = decodeOid(body);
    if (body.length <= 64 && oids.size < 10_000) oids.set(key, dotted);
  }
  return dotted;
}

function decodeOid(body: Uint8Array): string {
  const arcs: bigint[] = [];
  let value = 0n;
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    value = (value << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    } else if (i === body.length - 1) {
      throw new DerFormatError('OID tronqué');
    }
  }
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

/** UTCTime or GeneralizedTime (Z form, optional fraction) as a Date. */
export function readTime(bytes: Uint8Array, tlv: Tlv): Date {
  const text = Buffer.from(content(bytes, tlv)).toString('latin1');
  let match: RegExpExecArray | null;
  let iso: string;
  if (tlv.tag === 0x17 && (match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))) {
    const year = Number(match[1]) < 50 ? `20${match[1]}` : `19${match[1]}`;
    iso = `${year}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`;
  } else if (tlv.tag === 0x18 && (match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/.exec(text))) {
    const fraction = match[7] ? match[7].slice(0, 4).padEnd(4, '0') : '';
    iso = `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}${fraction}Z`;
  } else {
    throw new DerFormatError(`date illisible « ${text.slice(0, 40)} »`);
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new DerFormatError(`date invalide « ${text} »`);
  return date;
}

export function readInteger(bytes: Uint8Array, tlv: Tlv): bigint {
  if (tlv.tag !== 0x02 && tlv.tag !== 0x0a) throw new DerFormatError(`entier attendu, étiquette 0x${tlv.tag.toString(16)} trouvée`);
  const body = content(bytes, tlv);
  if (body.length === 0) throw new DerFormatError('entier vide');
  let value = BigInt(`0x${Buffer.from(body).toString('hex')}`);
  if (body[0]! & 0x80) value -= 1n << BigInt(body.length * 8);
  return value;
}

/** Parses DER, turning any exception into a DerFormatError that names the object. */
export function guard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof DerFormatError && error.message.startsWith(what)) throw error;
    throw new DerFormatError(`${what} : ${(error as Error).message}`);
  }
}

/** Encodes one DER element (for the few structures this module writes: OCSP requests). */
export function encodeTlv(tag: number, body: Uint8Array): Uint8Array {
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Uint8Array.from([tag, ...length, ...body]);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export interface RawExtension {
  oid: string;
  critical: boolean;
  /** The extnValue OCTET STRING's content: the extension's own DER. */
  value: Uint8Array;
}

/** Extensions ::= SEQUENCE OF Extension { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
export function parseExtensions(bytes: Uint8Array, list: Tlv | undefined): RawExtension[] {
  return children(bytes, expect(bytes, list, 0x30, 'extensions')).map((ext) => {
    const parts = children(bytes, expect(bytes, ext, 0x30, 'extension'));
    const oid = readOid(bytes, expect(bytes, parts[0], 0x06, 'identifiant d’extension'));
    const critical = parts[1]?.tag === 0x01 ? content(bytes, parts[1])[0] !== 0 : false;
    const value = parts[parts.length - 1];
    return { oid, critical, value: content(bytes, expect(bytes, value, 0x04, `valeur de l’extension ${oid}`)) };
  });
}

/** Walks every constructed element: damage in parts no signature covers is still refused. */
export function assertWellFormed(bytes: Uint8Array, tlv: Tlv = readWhole(bytes, 'DER'), depth = 0): void {
  if (depth > 64) throw new DerFormatError('DER imbriqué trop profondément');
  if ((tlv.tag & 0x20) === 0) return;
  // The same checks as readTlv and children, without building an element per node.
  let pos = tlv.contentStart;
  while (pos < tlv.end) pos = wellFormedEnd(bytes, pos, tlv.end, depth + 1);
}

function wellFormedEnd(bytes: Uint8Array, offset: number, limit: number, depth: number): number {
  if (depth > 64) throw new DerFormatError('DER imbriqué trop profondément');
  readHeader(bytes, offset, limit);
  const end = headerEnd;
  if (bytes[offset]! & 0x20) {
    let p = headerContentStart;
    while (p < end) p = wellFormedEnd(bytes, p, end, depth + 1);
  }
  return end;
}
