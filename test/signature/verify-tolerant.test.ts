import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pemOrDerToDer } from '../../asn1/index.ts';
import { verifyPdf, type VerifyOptions } from '../../signature/validation/verify-pdf.ts';
import { pyhankoJudge } from './support/pyhanko.ts';

/** Tolerant reading: what other software writes is read, and the verdict is pyHanko's. */
const dir = path.join(import.meta.dirname, '..', 'fixtures', 'pades');
const read = (name: string): Buffer => fs.readFileSync(path.join(dir, name));
const rootPem = read('root.pem').toString('latin1');
const trusted: VerifyOptions = { trustAnchors: [pemOrDerToDer(read('root.pem'))], crls: [read('ca.crl'), read('root.crl')].map((b) => new Uint8Array(b)) };

interface Tlv {
  tag: number;
  header: number;
  length: number;
  start: number;
  end: number;
}

/** One DER element at `at` (short or long definite lengths only, single-byte tags). */
function tlv(b: Uint8Array, at: number): Tlv {
  const tag = b[at]!;
  let length = b[at + 1]!;
  let header = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + b[at + 2 + i]!;
    header += n;
  }
  return { tag, header, length, start: at, end: at + header + length };
}

function children(b: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = t.start + t.header; at < t.end; ) {
    const c = tlv(b, at);
    out.push(c);
    at = c.end;
  }
  return out;
}

/**
 * Re-encodes a DER timestamp token as many TSAs send it: ContentInfo, its [0], SignedData,
 * encapContentInfo and its [0] with indefinite lengths (0x80 … 00 00). What is signed is untouched.
 */
function toIndefinite(der: Uint8Array): Buffer {
  const enc = (t: Tlv, path: number[]): Buffer => {
    const deep = path.length === 0 || (path.length === 1 && path[0] === 1) || (path.length === 2 && path[1] === 0) || (path.length === 3 && path[2] === 2) || (path.length === 4 && path[2] === 2 && path[3] === 1);
    if (!deep || !(t.tag & 0x20)) return Buffer.from(der.subarray(t.start, t.end));
    const inner = children(der, t).map((c, i) => enc(c, [...path, i]));
    return Buffer.concat([Buffer.from([t.tag, 0x80]), ...inner, Buffer.from([0, 0])]);
  };
  return enc(tlv(der, 0), []);
}

/** The last document timestamp's /Contents: its hex string bounds and the DER token inside. */
function lastContents(pdf: Buffer): { from: number; to: number; token: Uint8Array } {
  const text = pdf.toString('latin1');
  const at = text.lastIndexOf('/Contents <');
  const from = at + 11;
  const to = text.indexOf('>', from);
  const raw = Buffer.from(text.slice(from, to), 'hex');
  return { from, to, token: raw.subarray(0, tlv(raw, 0).end) };
}

function withContents(pdf: Buffer, from: number, to: number, bytes: Uint8Array): Buffer {
  const hex = Buffer.from(bytes).toString('hex');
  expect(hex.length).toBeLessThanOrEqual(to - from);
  const copy = Buffer.from(pdf);
  copy.write(hex.padEnd(to - from, '0'), from, 'latin1');
  return copy;
}

describe('tolerant reading', () => {
  const blta = read('pyhanko-pss-blta-novri.pdf');

  it('a document timestamp token in BER with indefinite lengths is read: valid, as pyHanko says', async () => {
    const { from, to, token } = lastContents(blta);
    const ber = toIndefinite(token);
    expect(ber[1]).toBe(0x80);
    expect(ber.equals(Buffer.from(token))).toBe(false);
    const pdf = withContents(blta, from, to, ber);
    const report = await verifyPdf(pdf, trusted);
    const ts = report.signatures.find((s) => s.type === 'document-timestamp')!;
    expect(ts.indication, ts.reasons.join(' ; ')).toBe('TOTAL_PASSED');
    expect(report.indication, report.reasons.join(' ; ')).toBe('TOTAL_PASSED');
    const judged = pyhankoJudge([pdf], rootPem, new Date());
    expect(judged.every((j) => j.intact === true && j.valid === true), JSON.stringify(judged)).toBe(true);
  });

  it('trailing zeros after the CMS in /Contents: read and valid, as pyHanko says', async () => {
    const { from, to, token } = lastContents(blta);
    // The token moved to the front of a /Contents that is mostly zeros: valid for both.
    const pdf = withContents(blta, from, to, Buffer.concat([token, Buffer.alloc(64)]));
    const report = await verifyPdf(pdf, trusted);
    expect(report.indication, report.reasons.join(' ; ')).toBe('TOTAL_PASSED');
    const judged = pyhankoJudge([pdf], rootPem, new Date());
    expect(judged.every((j) => j.intact === true && j.valid === true), JSON.stringify(judged)).toBe(true);
  });
});
