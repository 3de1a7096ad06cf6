/**
 * DER encoding for the signing side: the basic writers are certs/tsa/der.ts's (shared with
 * the TSA, CRL and OCSP code), reading is certs/validation/der.ts's; what is added here is
 * the one-allocation tree encoder of the hot path.
 */
import { integer, nullValue, octets, oid as encodeOid, seq, tlv } from '../../certs/tsa/der.ts';

export { integer as int, octets, seq, tlv };

/** SET with its elements in the order given (callers that need DER SET OF order sort first). */
export const set = (...c: Uint8Array[]): Buffer => tlv(0x31, ...c);
export const nul = nullValue();

/** OIDs are few and fixed on this side: each is encoded once. */
const oids = new Map<string, Buffer>();
export function oid(dotted: string): Buffer {
  let encoded = oids.get(dotted);
  if (!encoded) oids.set(dotted, (encoded = encodeOid(dotted)));
  return encoded;
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
