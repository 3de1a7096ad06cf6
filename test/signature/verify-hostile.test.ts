import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pemOrDerToDer } from '../../asn1/index.ts';
import { verifyPdf, type VerifyOptions } from '../../signature/validation/verify-pdf.ts';
import type { VerificationReport } from '../../signature/validation/report.ts';
import { buildPdf } from '../fixtures/pdf-builder.ts';

const dir = path.join(import.meta.dirname, '..', 'fixtures', 'pades');
const read = (name: string): Buffer => fs.readFileSync(path.join(dir, name));
const options: VerifyOptions = {
  trustAnchors: [pemOrDerToDer(read('root.pem'))],
  crls: [read('ca.crl'), read('root.crl')].map((b) => new Uint8Array(b)),
};
// Each case must answer well inside this (vitest fails a test that runs longer): the hang guard.
const BOUND_MS = 15_000;

/** A hostile file must give FORMAT_FAILURE or INDETERMINATE, never a pass and never an exception. */
function expectRefused(report: VerificationReport): void {
  expect(report.indication).not.toBe('TOTAL_PASSED');
  const formatFailure = report.subIndication === 'FORMAT_FAILURE' || report.signatures.some((s) => s.subIndication === 'FORMAT_FAILURE');
  expect(formatFailure || report.indication === 'INDETERMINATE', JSON.stringify(report.reasons)).toBe(true);
}

const sigField = (sigDict: string): string[] => [
  '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>',
  '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
  '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>',
  '<< /FT /Sig /T (Signature1) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R /V 5 0 R >>',
  sigDict,
];

/** Rewrites the /ByteRange array of a signed file in place, keeping every offset. */
function withByteRange(pdf: Buffer, values: string): Buffer {
  const text = pdf.toString('latin1');
  const m = /\/ByteRange\s*\[[^\]]*\]/.exec(text)!;
  const replacement = `/ByteRange [${values}]`;
  expect(replacement.length).toBeLessThanOrEqual(m[0].length);
  return Buffer.from(text.slice(0, m.index) + replacement.padEnd(m[0].length, ' ') + text.slice(m.index + m[0].length), 'latin1');
}

describe('hostile input: refused within bounded time, never a crash', () => {
  it('empty file and non-PDF bytes', { timeout: BOUND_MS }, async () => {
    const empty = await verifyPdf(new Uint8Array(), options);
    expect(empty).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE' });
    expectRefused(await verifyPdf(Buffer.from('PK\x03\x04 this is a zip, not a PDF'), options));
    expectRefused(await verifyPdf(Buffer.alloc(100_000, 0xff), options));
  });

  it('truncated signed files', { timeout: BOUND_MS }, async () => {
    const pdf = read('pyhanko-ecdsa-bb.pdf');
    for (const length of [1, 9, 100, 700, 1500, Math.floor(pdf.length / 2), pdf.length - 200, pdf.length - 30, pdf.length - 7]) {
      expectRefused(await verifyPdf(pdf.subarray(0, length), options));
    }
  });

  it('broken cross-reference table and startxref pointing nowhere', { timeout: BOUND_MS }, async () => {
    const pdf = read('signpdf-rsa.pdf').toString('latin1');
    const at = pdf.lastIndexOf('xref\n') + 5;
    expectRefused(await verifyPdf(Buffer.from(pdf.slice(0, at) + 'garbage here\n' + pdf.slice(at + 13), 'latin1'), options));
    const sx = pdf.lastIndexOf('startxref') + 10;
    expectRefused(await verifyPdf(Buffer.from(pdf.slice(0, sx) + '999999999'.padEnd(pdf.indexOf('\n', sx) - sx) + pdf.slice(pdf.indexOf('\n', sx)), 'latin1'), options));
  });

  it('cross-reference /Prev loops', { timeout: BOUND_MS }, async () => {
    // The section's /Prev points to itself.
    const base = buildPdf(sigField('<< /Type /Sig >>')).toString('latin1');
    const xref = Number(/startxref\n(\d+)/.exec(base)![1]);
    const loop = base.replace('/Root 1 0 R', `/Root 1 0 R /Prev ${xref}`);
    const report = await verifyPdf(Buffer.from(loop, 'latin1'), options);
    expectRefused(report);
    expect(report.reasons[0]).toMatch(/références croisées bouclent \(\/Prev\)/);
  });

  it('ByteRange outside the file, overlapping, negative, not starting at 0', { timeout: BOUND_MS }, async () => {
    const pdf = read('pyhanko-ecdsa-bb.pdf');
    const [a, b, c, d] = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(pdf.toString('latin1'))!.slice(1).map(Number) as [number, number, number, number];
    expect(a).toBe(0);
    // pyHanko's ByteRange has four digits a piece here: every variant keeps the array's length.
    expect([b, c, d].map((n) => String(n).length)).toEqual([4, 5, 4]);
    for (const values of [`0 ${b} ${c} ${d + 5000}`, `0 ${b} ${b - 10} ${d}`, `0 -1 ${c} ${d}`, `5 ${b} ${c} ${d}`, `0 ${b} ${c}`, `0 ${b - 1} ${c} ${d}`]) {
      const report = await verifyPdf(withByteRange(pdf, values), options);
      expectRefused(report);
      expect(report.signatures[0]?.subIndication, values).toBe('FORMAT_FAILURE');
    }
  });

  it('huge /Contents', { timeout: BOUND_MS }, async () => {
    const huge = `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 100 200 300] /Contents <${'3'.repeat(6_000_000)}> >>`;
    expectRefused(await verifyPdf(buildPdf(sigField(huge)), options));
    const limited = await verifyPdf(read('pyhanko-ecdsa-bb.pdf'), { ...options, limits: { maxContentsHexChars: 1000 } });
    expectRefused(limited);
  });

  it('deeply nested arrays and dictionaries (100,000 levels)', { timeout: BOUND_MS }, async () => {
    const arrays = `<< /Type /Catalog /Pages 2 0 R /Deep ${'['.repeat(100_000)}${']'.repeat(100_000)} >>`;
    const deep = await verifyPdf(buildPdf([arrays, '<< /Type /Pages /Kids [] /Count 0 >>']), options);
    expectRefused(deep);
    expect(deep.reasons[0]).toMatch(/imbriqués sur plus de 64 niveaux/);
    const dicts = `<< /Type /Catalog /Pages 2 0 R /Deep ${'<< /A '.repeat(100_000)}1${' >>'.repeat(100_000)} >>`;
    expectRefused(await verifyPdf(buildPdf([dicts, '<< /Type /Pages /Kids [] /Count 0 >>']), options));
    const sig = `<< /Type /Sig /SubFilter /ETSI.CAdES.detached /ByteRange [0 1 2 3] /Contents <30> /Prop_Build ${'['.repeat(100_000)} >>`;
    expectRefused(await verifyPdf(buildPdf(sigField(sig)), options));
  });

  it('a decompression bomb in an object stream', { timeout: BOUND_MS }, async () => {
    const bomb = zlib.deflateSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    const objects = [
      '<< /Type /Catalog /Pages 2 0 R /AcroForm 3 0 R >>',
      '<< /Type /Pages /Kids [] /Count 0 >>',
      `<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${bomb.length} >>\nstream\n${bomb.toString('latin1')}\nendstream`,
    ];
    expectRefused(await verifyPdf(buildPdf(objects), options));
  });

  it('unknown and legacy SubFilters are reported, never skipped', { timeout: BOUND_MS }, async () => {
    const pdf = read('signpdf-rsa.pdf').toString('latin1');
    for (const [from, to] of [
      ['/adbe.pkcs7.detached', '/adbe.pkcs7.sha1'.padEnd(20)],
      ['/adbe.pkcs7.detached', '/x.unknown.detached_'],
    ] as const) {
      const report = await verifyPdf(Buffer.from(pdf.replace(from, to), 'latin1'), options);
      expect(report.signatures).toHaveLength(1);
      expect(report.signatures[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE' });
    }
  });

  it('seeded random mutations (bytes replaced, deleted, inserted, truncation) never throw and never pass', { timeout: 60_000 }, async () => {
    let seed = 20261124;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const files = ['signpdf-rsa.pdf', 'openssl-noattr.pdf', 'pyhanko-ecdsa-bb.pdf', 'pyhanko-pss-bt-xrefstream.pdf', 'pyhanko-pss-blta-novri.pdf', 'pyhanko-pkcs7-revinfo.pdf'].map(
      read,
    );
    const tokens = ['0', '[', '<<', ' ', '9999999999', '/Prev 0', 'R', '(', '>', '%%EOF'];
    for (let i = 0; i < 300; i++) {
      const original = files[rnd(files.length)]!;
      let b = Buffer.from(original);
      for (let k = 1 + rnd(3); k > 0; k--) {
        const at = rnd(b.length);
        const kind = rnd(4);
        if (kind === 0) b[at] = rnd(256);
        else if (kind === 1) b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rnd(50)))]);
        else if (kind === 2) b = Buffer.concat([b.subarray(0, at), Buffer.from(tokens[rnd(tokens.length)]!), b.subarray(at)]);
        else b = b.subarray(0, at);
      }
      const report = await verifyPdf(b, options);
      // Only an untouched file, or a cut exactly at the end of an earlier complete revision, may pass.
      const unchangedOrEarlierRevision = b.equals(original) || (original.subarray(0, b.length).equals(b) && /%%EOF\s*$/.test(b.subarray(-8).toString('latin1')));
      if (!unchangedOrEarlierRevision) expect(report.indication, `mutation ${i}`).not.toBe('TOTAL_PASSED');
    }
  });

  it('more signatures than the limit: the rest is reported, never silently dropped', { timeout: BOUND_MS }, async () => {
    const pdf = read('pyhanko-two-signatures-blta.pdf');
    expect((await verifyPdf(pdf, { ...options, limits: { maxSignatures: 3 } })).indication).toBe('TOTAL_PASSED');
    const capped = await verifyPdf(pdf, { ...options, limits: { maxSignatures: 2 } });
    expect(capped.indication).toBe('TOTAL_FAILED');
    expect(capped.signatures).toHaveLength(2);
    expect(capped.reasons.join(' ')).toMatch(/plus de 2 signatures/);
  });

  it('a file over the size limit and an exhausted time budget', { timeout: BOUND_MS }, async () => {
    const big = await verifyPdf(read('pyhanko-ecdsa-bb.pdf'), { ...options, limits: { maxFileBytes: 1000 } });
    expect(big).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE' });
    const slow = await verifyPdf(read('pyhanko-two-signatures-blta.pdf'), { ...options, limits: { timeBudgetMs: 0 } });
    expect(slow.indication).toBe('INDETERMINATE');
    expect(slow.reasons[0]).toMatch(/temps/);
  });
});
