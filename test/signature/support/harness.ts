import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { createTestPki, type TestPki } from './pki.ts';
import { startFileServer, startOpensslTsa, startRootOcsp, type TestServer, type TestTsa } from './servers.ts';
import { extractSignatures, isPrefix, nssDb, opensslCmsPrint, opensslCmsVerify, opensslTsVerify, pdfsig, qpdfCheck, signerParts, sha1Hex } from './judges.ts';
import { pyhankoJudge } from './pyhanko.ts';
import type { PadesLevel } from '../../../signature/levels.ts';

export interface Harness {
  dir: string;
  pki: TestPki;
  tsa: TestTsa;
  crls: TestServer & { hits: string[] };
  nss: string;
  /** With `rootOcsp`: the engine's OCSP responder signed by the root key, named in the issuing CA's certificate. */
  rootOcsp?: Awaited<ReturnType<typeof startRootOcsp>>;
  close(): Promise<void>;
}

/** A temp dir, a test PKI whose certificates point at a local CRL server, an openssl TSA and an NSS db. */
export async function startHarness(opts: { rootOcsp?: boolean } = {}): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-sign-'));
  const files = new Map<string, () => Promise<Uint8Array>>();
  const crls = await startFileServer(files);
  let late: TestPki | undefined;
  const rootOcsp = opts.rootOcsp ? await startRootOcsp(() => late!) : undefined;
  const pki = (late = await createTestPki({ crlBase: crls.url, ...(rootOcsp ? { caOcspUrl: rootOcsp.url } : {}) }));
  files.set('/ca.crl', () => pki.caCrl());
  files.set('/root.crl', () => pki.rootCrl());
  const tsa = await startOpensslTsa(dir, pki);
  const nss = nssDb(dir, pki.root.pem);
  return {
    dir,
    pki,
    tsa,
    crls,
    nss,
    ...(rootOcsp ? { rootOcsp } : {}),
    async close() {
      await rootOcsp?.close();
      await tsa.close();
      await crls.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface JudgeExpectations {
  /** Number of signatures (not counting document timestamps). */
  signatures: number;
  documentTimestamps?: number;
  /** Signatures carry a signature-time-stamp (B-T and above). */
  signatureTimestamps?: boolean;
  /** DER blobs that must sit in the file (certificates, CRLs for B-LT). */
  embedded?: Uint8Array[];
  /** VRI keys expected: the CMS of each signature. */
  vri?: boolean;
  /** False when a DSS update follows the last signature (B-LT). */
  lastCoversAll?: boolean;
}

/** Every outside judge, on one output: pdfsig, openssl cms/ts, qpdf, and the prefix rule. */
export async function judge(h: Harness, input: Buffer, output: Buffer, e: JudgeExpectations): Promise<void> {
  expect(isPrefix(input, output)).toBe(true);
  const file = path.join(fs.mkdtempSync(path.join(h.dir, 'out-')), 'signed.pdf');
  fs.writeFileSync(file, output);
  expect(await qpdfCheck(file)).toMatch(/No syntax or stream encoding errors found/);

  const sigs = extractSignatures(output);
  const docTs = sigs.filter((s) => s.isDocTimestamp);
  const plain = sigs.filter((s) => !s.isDocTimestamp);
  expect(plain).toHaveLength(e.signatures);
  expect(docTs).toHaveLength(e.documentTimestamps ?? 0);
  const last = sigs.reduce((a, b) => (b.byteRange[2] > a.byteRange[2] ? b : a));
  const coversAll = e.lastCoversAll ?? true;
  expect(last.byteRange[2] + last.byteRange[3] === output.length).toBe(coversAll);

  const report = await pdfsig(file, h.nss);
  expect(report).toHaveLength(sigs.length);
  report.forEach((r, i) => {
    // poppler 22 does not check document timestamps: it lists them as "unknown" type, signed by the TSA.
    if ((r.subFilter === 'ETSI.RFC3161' || r.subFilter === 'unknown') && /Common Name: Horodatage de test/.test(r.raw)) return;
    expect(r.valid, r.raw).toBe(true);
    expect(r.trusted, r.raw).toBe(true);
    if (i < report.length - 1) expect(r.totalDocument, r.raw).toBe(false);
  });
  expect(report[report.length - 1]!.totalDocument).toBe(coversAll);

  const untrusted = h.pki.ca.pem + h.pki.tsa.pem;
  for (const s of plain) {
    await opensslCmsVerify(h.dir, s, h.pki.root.pem);
    const printed = await opensslCmsPrint(h.dir, s.cms);
    // The signer's own signed attributes only: a TSA token nested in unsignedAttrs may carry its own signingTime.
    const signedPart = printed.slice(printed.indexOf('signedAttrs:'), printed.indexOf('unsignedAttrs:') >= 0 ? printed.indexOf('unsignedAttrs:') : undefined);
    expect(signedPart).toMatch(/id-smime-aa-signingCertificateV2/);
    expect(signedPart).toMatch(/messageDigest/);
    expect(signedPart).not.toMatch(/signingTime/);
    const parts = signerParts(s.cms);
    if (e.signatureTimestamps) {
      expect(parts.timestampToken, 'signature-time-stamp').toBeDefined();
      expect(await opensslTsVerify(h.dir, parts.timestampToken!, parts.signatureValue, h.pki.root.pem, untrusted)).toMatch(/Verification: OK/);
    }
  }
  for (const s of docTs) {
    expect(await opensslTsVerify(h.dir, s.cms, s.signedBytes, h.pki.root.pem, untrusted)).toMatch(/Verification: OK/);
  }
  if (e.embedded || e.vri) {
    const text = output.toString('latin1');
    expect(text).toMatch(/\/DSS \d+ 0 R/);
    for (const blob of e.embedded ?? []) expect(output.includes(Buffer.from(blob)), 'DER blob in the DSS').toBe(true);
    if (e.vri) for (const s of plain) expect(text.includes(`/${sha1Hex(s.cms)}`), `VRI entry /${sha1Hex(s.cms)}`).toBe(true);
  }
}

/**
 * pyHanko's judgment of a whole file (one run): every signature PASSED at the level asked for —
 * B-LTA: ades_lta_validation on the file's own data; B-LT: validate_pdf_signature on the DSS's
 * data; B-B and B-T: validate_pdf_signature with the CRLs given — and every document timestamp
 * trusted, with no change after any revision that pyHanko's difference analysis refuses.
 */
export async function expectPyhankoPassed(
  h: Harness,
  pdf: Buffer,
  e: { level: PadesLevel; signatures: number; documentTimestamps?: number; externalCrls?: Uint8Array[]; extraRootsPem?: string },
): Promise<void> {
  const mode = e.level === 'B-LTA' ? 'lta' : e.level === 'B-LT' ? 'lt' : 'external';
  const verdicts = await pyhankoJudge(h.dir, pdf, h.pki.root.pem + (e.extraRootsPem ?? ''), mode, e.externalCrls);
  const all = JSON.stringify(verdicts);
  expect(
    verdicts.filter((v) => v.kind === 'signature'),
    all,
  ).toHaveLength(e.signatures);
  expect(
    verdicts.filter((v) => v.kind === 'document-timestamp'),
    all,
  ).toHaveLength(e.documentTimestamps ?? 0);
  for (const v of verdicts) {
    expect(v.error, all).toBeUndefined();
    expect(v.bottomLine, all).toBe(true);
    expect(v.docmdpOk, all).toBe(true);
    if (v.kind === 'signature' && mode === 'lta') expect(v.indication, all).toBe('AdESPassed.OK');
  }
}
