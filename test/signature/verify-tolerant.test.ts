import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pemOrDerToDer } from '../../asn1/index.ts';
import { verifyPdf, type VerifyOptions } from '../../signature/validation/verify-pdf.ts';
import { pyhankoJudge } from './support/pyhanko-verdicts.ts';

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
  for (let at = t.start + t.header; at < t.end;) {
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
    const deep =
      path.length === 0 ||
      (path.length === 1 && path[0] === 1) ||
      (path.length === 2 && path[1] === 0) ||
      (path.length === 3 && path[2] === 2) ||
      (path.length === 4 && path[2] === 2 && path[3] === 1);
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
    expect(
      judged.every((j) => j.intact === true && j.valid === true),
      JSON.stringify(judged),
    ).toBe(true);
  });

  it('trailing zeros after the CMS in /Contents: read and valid, as pyHanko says', async () => {
    const { from, to, token } = lastContents(blta);
    // The token moved to the front of a /Contents that is mostly zeros: valid for both.
    const pdf = withContents(blta, from, to, Buffer.concat([token, Buffer.alloc(64)]));
    const report = await verifyPdf(pdf, trusted);
    expect(report.indication, report.reasons.join(' ; ')).toBe('TOTAL_PASSED');
    const judged = pyhankoJudge([pdf], rootPem, new Date());
    expect(
      judged.every((j) => j.intact === true && j.valid === true),
      JSON.stringify(judged),
    ).toBe(true);
  });
});

/** pyHanko 0.38 does not read this SubFilter at all (« not a recognized SubFilter type »): the verdict is EU DSS's. */
describe('legacy adbe.pkcs7.sha1', () => {
  /** pyhanko-ecdsa-bb.pdf turned into an adbe.pkcs7.sha1 signature by a key of a fresh test PKI (openssl signs the SHA-1 digest, encapsulated). */
  async function sha1Signed(): Promise<{ pdf: Buffer; root: Uint8Array; rootPem: string }> {
    const { createTestPki } = await import('./support/pki.ts');
    const { execFileSync } = await import('node:child_process');
    const os = await import('node:os');
    const crypto = await import('node:crypto');
    const pki = await createTestPki();
    const cert = await pki.issue({ cn: 'Signataire SHA-1', keyType: 'rsa2048' });
    const base = Buffer.from(read('pyhanko-ecdsa-bb.pdf').toString('latin1').replace('/SubFilter /ETSI.CAdES.detached', '/SubFilter /adbe.pkcs7.sha1     '), 'latin1');
    const text = base.toString('latin1');
    const br = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text)!.slice(1).map(Number) as [number, number, number, number];
    const digest = crypto
      .createHash('sha1')
      .update(base.subarray(br[0], br[0] + br[1]))
      .update(base.subarray(br[2], br[2] + br[3]))
      .digest();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sha1-'));
    fs.writeFileSync(path.join(tmp, 'digest.bin'), digest);
    fs.writeFileSync(path.join(tmp, 'cert.pem'), cert.pem);
    fs.writeFileSync(path.join(tmp, 'ca.pem'), pki.ca.pem);
    fs.writeFileSync(path.join(tmp, 'key.pem'), cert.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const cms = execFileSync('openssl', [
      'cms',
      '-sign',
      '-binary',
      '-nodetach',
      '-md',
      'sha256',
      '-in',
      path.join(tmp, 'digest.bin'),
      '-signer',
      path.join(tmp, 'cert.pem'),
      '-inkey',
      path.join(tmp, 'key.pem'),
      '-certfile',
      path.join(tmp, 'ca.pem'),
      '-outform',
      'DER',
    ]);
    fs.rmSync(tmp, { recursive: true, force: true });
    return { pdf: withContents(base, br[1] + 1, br[2] - 1, cms), root: pki.root.der, rootPem: pki.root.pem };
  }

  it('is read and verified; SHA-1 makes it INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE, and a changed byte HASH_FAILURE', async () => {
    const { pdf, root } = await sha1Signed();
    const report = await verifyPdf(pdf, { trustAnchors: [root] });
    const s = report.signatures[0]!;
    expect(s, s.reasons.join(' ; ')).toMatchObject({ subFilter: 'adbe.pkcs7.sha1', indication: 'INDETERMINATE', subIndication: 'CRYPTO_CONSTRAINTS_FAILURE', padesLevel: 'PKCS7' });
    expect(s.reasons[0]).toMatch(/SHA-1.*ETSI TS 119 312/);
    expect(s.signer?.subject).toMatch(/Signataire SHA-1/);
    const at = pdf.indexOf('/MediaBox');
    const changed = Buffer.from(pdf);
    changed[at + 2] = changed[at + 2]! ^ 0x01;
    expect((await verifyPdf(changed, { trustAnchors: [root] })).signatures[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
  });
});
