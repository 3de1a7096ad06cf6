/**
 * pyHanko's own signed test PDFs (test/fixtures/pyhanko/, MIT, see its README) with the
 * outcome pyHanko's test suite states for each (tests/test_diff_analysis.py, test_cms.py,
 * test_signing.py): our verifier must reach the same verdict on integrity, coverage and
 * difference analysis. Chain verdicts may differ (pyHanko soft-fails missing revocation data,
 * we say TRY_LATER); they are not compared. A sample is also run through pyHanko 0.38 itself,
 * so the table is pyHanko's word, not ours.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyPdf } from '../../signature/validation/index.ts';
import { pyhankoJudge } from './support/pyhanko-verdicts.ts';

const dir = path.resolve(import.meta.dirname, '../fixtures/pyhanko');
const rootPem = path.join(dir, 'testing-ca-root.pem');
const root = new crypto.X509Certificate(fs.readFileSync(rootPem)).raw;
/** The time pyHanko's tests freeze. */
const time = new Date('2020-11-01T00:00:00Z');

type Coverage = 'ENTIRE_FILE' | 'ENTIRE_REVISION' | 'CONTIGUOUS_BLOCK_FROM_START' | 'UNCLEAR';
/**
 * Per signature: `format` when pyHanko refuses the CMS outright; else whether pyHanko's
 * difference analysis accepts what came after it (DocMDP satisfied, level below OTHER) and
 * its coverage. Every signature here is intact for pyHanko (digest and signature value hold).
 */
type Expected = { field: string; format: true } | { field: string; allowed: boolean; coverage: Coverage };

const EXPECTED: Record<string, Expected[]> = {
  'certified-with-indirect-refs-in-dir.pdf': [{ field: 'Sig1', allowed: true, coverage: 'ENTIRE_FILE' }],
  'coverage-one-byterange.pdf': [{ field: 'Sig1', allowed: false, coverage: 'UNCLEAR' }],
  'coverage-signature-gap-too-big.pdf': [{ field: 'Sig1', allowed: false, coverage: 'UNCLEAR' }],
  'coverage-tail-uncovered.pdf': [{ field: 'Sig1', allowed: false, coverage: 'CONTIGUOUS_BLOCK_FROM_START' }],
  'coverage-weird-byterange.pdf': [{ field: 'Sig1', allowed: false, coverage: 'UNCLEAR' }],
  'extensions-direct.pdf': [
    { field: 'Sig1', allowed: true, coverage: 'ENTIRE_REVISION' },
    { field: 'Sig2', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'extensions-indirect-not-all-paths.pdf': [
    { field: 'Sig1', allowed: false, coverage: 'ENTIRE_REVISION' },
    { field: 'Sig2', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'extensions-indirect.pdf': [
    { field: 'Sig1', allowed: true, coverage: 'ENTIRE_REVISION' },
    { field: 'Sig2', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'extensions-update-direct.pdf': [
    { field: 'Sig1', allowed: true, coverage: 'ENTIRE_REVISION' },
    { field: 'Sig2', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'extensions-update-indirect.pdf': [
    { field: 'Sig1', allowed: true, coverage: 'ENTIRE_REVISION' },
    { field: 'Sig2', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'form-update-ap-indirect-sneaky-trailer.pdf': [
    { field: 'Sig1', allowed: false, coverage: 'ENTIRE_REVISION' },
    { field: 'Sig2', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'form-update-no-override-appearance-stream-ap-indirect-sneaky.pdf': [
    { field: 'Sig1', allowed: false, coverage: 'ENTIRE_REVISION' },
    { field: 'Sig2', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'form-update-no-override-appearance-stream-ap-indirect.pdf': [
    { field: 'Sig1', allowed: true, coverage: 'ENTIRE_REVISION' },
    { field: 'Sig2', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'form-update-original-ap-type-wrong.pdf': [
    { field: 'Sig1', allowed: true, coverage: 'ENTIRE_REVISION' },
    { field: 'Sig2', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'form-update-override-appearance-stream-ap-indirect-sneaky.pdf': [
    { field: 'Sig1', allowed: false, coverage: 'ENTIRE_REVISION' },
    { field: 'Sig2', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'form-update-override-appearance-stream-ap-indirect.pdf': [
    { field: 'Sig1', allowed: true, coverage: 'ENTIRE_REVISION' },
    { field: 'Sig2', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'form-update-override-appearance-stream-sneaky.pdf': [
    { field: 'Sig1', allowed: false, coverage: 'ENTIRE_REVISION' },
    { field: 'Sig2', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'form-update-override-appearance-stream.pdf': [
    { field: 'Sig1', allowed: true, coverage: 'ENTIRE_REVISION' },
    { field: 'Sig2', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'minimal-signed-twice-both-created.pdf': [
    { field: 'Signature2', allowed: true, coverage: 'ENTIRE_REVISION' },
    { field: 'Signature3', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'minimal-signed-twice-no-sig-type.pdf': [
    { field: 'Sig1', allowed: true, coverage: 'ENTIRE_REVISION' },
    { field: 'Sig2', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'minimal-signed-twice-second-created.pdf': [
    { field: 'Sig1', allowed: true, coverage: 'ENTIRE_REVISION' },
    { field: 'Signature3', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'minimal-two-fields-signed-twice.pdf': [
    { field: 'Sig2', allowed: true, coverage: 'ENTIRE_REVISION' },
    { field: 'Sig1', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'pades-lta-dss-indirect-arrs-test-2.pdf': [
    { field: 'Sig1', allowed: true, coverage: 'ENTIRE_REVISION' },
    { field: 'Sig2', allowed: true, coverage: 'ENTIRE_REVISION' },
  ],
  'pades-lta-dss-indirect-arrs-test.pdf': [{ field: 'Sig1', allowed: true, coverage: 'ENTIRE_REVISION' }],
  'pades-with-old-style-signing-cert-attr-issser.pdf': [{ field: 'Sig1', allowed: true, coverage: 'ENTIRE_FILE' }],
  'pades-with-old-style-signing-cert-attr.pdf': [{ field: 'Sig1', allowed: true, coverage: 'ENTIRE_FILE' }],
  'pdf-sig-with-econtent.pdf': [{ field: 'Sig1', format: true }],
  'separate-annots-kids-indir.pdf': [
    { field: 'Sig1', allowed: true, coverage: 'ENTIRE_REVISION' },
    { field: 'Sig2', allowed: true, coverage: 'ENTIRE_FILE' },
  ],
  'sig-no-signed-attrs.pdf': [{ field: 'Sig1', allowed: true, coverage: 'ENTIRE_FILE' }],
  'sig-with-ski-sid.pdf': [{ field: 'Sig1', allowed: true, coverage: 'ENTIRE_FILE' }],
};

/** Files whose chain, revocation data and timestamps are all in the file: TOTAL_PASSED here as for pyHanko. */
const FULLY_VALID = new Set(['pades-lta-dss-indirect-arrs-test.pdf', 'pades-lta-dss-indirect-arrs-test-2.pdf']);

describe('pyHanko’s signed test files: pyHanko’s verdict', () => {
  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(file, async () => {
      const report = await verifyPdf(fs.readFileSync(path.join(dir, file)), { trustAnchors: [root], time, fileName: file });
      const signatures = report.signatures.filter((s) => s.type === 'signature');
      expect(signatures.map((s) => s.fieldName).sort()).toEqual(expected.map((e) => e.field).sort());
      for (const e of expected) {
        const s = signatures.find((x) => x.fieldName === e.field)!;
        const context = `${e.field}: ${s.indication}/${s.subIndication} ${s.reasons.join(' ; ')}`;
        if ('format' in e || e.coverage === 'UNCLEAR' || e.coverage === 'CONTIGUOUS_BLOCK_FROM_START') {
          expect(s, context).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE' });
          continue;
        }
        // Intact: the digest, the signature value and the embedded certificates hold.
        expect(['HASH_FAILURE', 'SIG_CRYPTO_FAILURE', 'FORMAT_FAILURE'], context).not.toContain(s.subIndication);
        expect(s.coveredWholeDocument, context).toBe(e.coverage === 'ENTIRE_FILE');
        if (e.allowed) {
          expect(s.modificationsAfter, context).toEqual([]);
          expect(s.indication, context).not.toBe('TOTAL_FAILED');
        } else {
          expect(s.modificationsAfter.length, context).toBeGreaterThan(0);
          expect(s, context).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'SIG_CONSTRAINTS_FAILURE' });
        }
      }
      if (expected.some((e) => 'format' in e || !e.allowed)) expect(report.indication).toBe('TOTAL_FAILED');
      else expect(report.indication).not.toBe('TOTAL_FAILED');
      if (FULLY_VALID.has(file)) expect(report.indication, report.reasons.join(' ; ')).toBe('TOTAL_PASSED');
    });
  }

  it('the table is pyHanko’s word: pyHanko 0.38 run on a sample gives the same outcomes', () => {
    const sample = [
      'form-update-ap-indirect-sneaky-trailer.pdf',
      'form-update-no-override-appearance-stream-ap-indirect-sneaky.pdf',
      'form-update-no-override-appearance-stream-ap-indirect.pdf',
      'extensions-update-indirect.pdf',
      'extensions-indirect-not-all-paths.pdf',
      'separate-annots-kids-indir.pdf',
      'minimal-two-fields-signed-twice.pdf',
      'coverage-tail-uncovered.pdf',
      'pdf-sig-with-econtent.pdf',
    ];
    const judged = pyhankoJudge(
      sample.map((f) => path.join(dir, f)),
      fs.readFileSync(rootPem, 'utf8'),
      time,
    ).filter((j) => !j.field.startsWith('Timestamp-'));
    expect(judged.length).toBeGreaterThanOrEqual(sample.length);
    for (const j of judged) {
      const e = EXPECTED[j.file]!.find((x) => x.field === j.field)!;
      expect(e, `${j.file} ${j.field}`).toBeDefined();
      if ('format' in e) {
        expect(j.error, j.file).toMatch(/FORMAT_FAILURE/);
        continue;
      }
      expect(j.intact, j.file).toBe(true);
      expect({ allowed: j.docmdp_ok === true && j.modification_level !== 'OTHER', coverage: j.coverage }, `${j.file} ${j.field}`).toEqual({
        allowed: e.allowed,
        coverage: e.coverage,
      });
    }
  });
});
