/**
 * PAdES verification speed: verifyPdf on a three-signature B-LTA contract
 * (créateur ECDSA P-256, revendeur RSA-PSS, bank seal ECDSA, each with a
 * signature timestamp, then a DSS with every chain and CRL, then a document
 * timestamp), fully: structure, later revisions, digests, signatures, the four
 * timestamp tokens and seven certificate paths with revocation from the DSS.
 * Baselines from the same run, on the same three signature CMS:
 *   - `openssl cms -verify` (one process per CMS, as a script would call it);
 *   - the raw native checks alone: the three signature values verified with
 *     node:crypto over their signed attributes, nothing parsed.
 * One core: everything runs in this process, sequentially. "cold": certs/validation's
 * process-wide memory (parsed certificates, CRLs, verified signatures) is cleared before
 * each verification, so every file pays for its own chains — the figure for a stream of
 * distinct files; "warm": the same file again and again, everything remembered.
 * Run: npx tsx bench/verify.ts [seconds per case, default 5]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { verifyPdf } from '../signature/validation/verify-pdf.ts';
import { parseCms } from '../signature/validation/cms.ts';
import { certificateInfo, verifySignatureValue } from '../signature/validation/certificate-info.ts';
import { validatePath, verifyTimestampToken } from '../certs/validation/index.ts';
import { clearMemos } from '../certs/validation/memo.ts';
import { PdfRevisions } from '../signature/validation/pdf-revisions.ts';
import { readDss } from '../signature/validation/dss.ts';
import { Budget, DEFAULT_LIMITS } from '../signature/validation/limits.ts';
import { makeSignedContract } from '../test/fixtures/contract-fixture.ts';
import { extractSignatures } from '../test/signature/support/judges.ts';

const seconds = Number(process.argv[2] ?? 5);
const contract = await makeSignedContract();
await contract.harness.close();
const { pdf, root } = contract;
const options = { trustAnchors: [root] };

const first = await verifyPdf(pdf, options);
if (first.indication !== 'TOTAL_PASSED' || first.signatures.filter((s) => s.padesLevel === 'B-LTA').length !== 3) {
  throw new Error(`bench contract does not verify at B-LTA: ${JSON.stringify(first.signatures.map((s) => [s.fieldName, s.indication, s.padesLevel, s.reasons]))}`);
}

async function ours(cold: boolean): Promise<{ perSecond: number; cpuMs: number }> {
  for (let i = 0; i < 20; i++) await verifyPdf(pdf, options);
  let n = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    if (cold) clearMemos();
    await verifyPdf(pdf, options);
    n++;
  }
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: (n * 1000) / elapsed, cpuMs: (cpu.user + cpu.system) / 1000 / n };
}

const signatures = extractSignatures(pdf).filter((s) => !s.isDocTimestamp);

function opensslCms(): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-bench-verify-'));
  try {
    fs.writeFileSync(path.join(dir, 'root.pem'), new crypto.X509Certificate(root).toString());
    signatures.forEach((s, i) => {
      fs.writeFileSync(path.join(dir, `sig${i}.der`), s.cms);
      fs.writeFileSync(path.join(dir, `data${i}.bin`), s.signedBytes);
    });
    const once = (): void => {
      signatures.forEach((_, i) => {
        const run = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', `sig${i}.der`, '-content', `data${i}.bin`, '-CAfile', 'root.pem', '-purpose', 'any', '-out', '/dev/null'], { cwd: dir, encoding: 'utf8' });
        if (run.status !== 0) throw new Error(`openssl cms -verify failed: ${run.stderr}`);
      });
    };
    once();
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      once();
      n++;
    }
    return (n * 1000) / (performance.now() - start);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function rawNative(): number {
  const parts = signatures.map((s) => {
    const cms = parseCms(s.cms);
    const signer = cms.certificates.map((c) => certificateInfo(c)).find((c) => Buffer.from(c.serial).equals(cms.sid.serial ?? new Uint8Array()))!;
    return { cms, key: signer.publicKey };
  });
  const once = (): void => {
    for (const { cms, key } of parts) {
      if (verifySignatureValue(key, cms.signatureAlgorithm, cms.digestAlgorithm, cms.signedAttrsDer!, cms.signature) !== true) throw new Error('raw verify failed');
    }
  };
  for (let i = 0; i < 200; i++) once();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    once();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

/**
 * The share of certs/validation: the same 3 path validations and 4 token
 * verifications verifyPdf asks for, with the same inputs, called directly.
 */
async function chainShare(): Promise<number> {
  const all = extractSignatures(pdf);
  const dss = readDss(new PdfRevisions(pdf, DEFAULT_LIMITS, new Budget(10_000)).latest(), pdf, DEFAULT_LIMITS)!;
  const calls: (() => Promise<unknown>)[] = [];
  for (const s of all) {
    const cms = parseCms(s.cms);
    const intermediates = [...cms.certificates, ...dss.certificates];
    const crls = [...cms.crls, ...dss.crls];
    if (s.isDocTimestamp) {
      calls.push(() => verifyTimestampToken(cms.der, { data: s.signedBytes, trustAnchors: [root], intermediates, crls }));
      continue;
    }
    const signer = cms.certificates.find((c) => Buffer.from(certificateInfo(c).serial).equals(cms.sid.serial ?? new Uint8Array()))!;
    const token = cms.signatureTimestamps[0]!;
    const v = await verifyTimestampToken(token, { data: cms.signature, trustAnchors: [root], intermediates, crls });
    calls.push(() => verifyTimestampToken(token, { data: cms.signature, trustAnchors: [root], intermediates, crls }));
    calls.push(() => validatePath({ certificate: signer, intermediates, trustAnchors: [root], crls, time: v.genTime!, purpose: 'signature' }));
  }
  const once = async (): Promise<void> => {
    clearMemos();
    for (const call of calls) await call();
  };
  for (let i = 0; i < 10; i++) await once();
  let n = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await once();
    n++;
  }
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000 / n;
}

const result = await ours(true);
const warm = await ours(false);
const chainCpuMs = await chainShare();
const openssl = opensslCms();
const raw = rawNative();
const cpu = os.cpus()[0]?.model ?? 'unknown';
console.log(`machine: ${os.cpus().length} cores (nproc), ${cpu}, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`contract: ${pdf.length} bytes, ${first.revisions} revisions, ${first.signatures.length} signatures and timestamps, DSS ${JSON.stringify(first.dss)}`);
console.log(`verifyPdf, full B-LTA verification, cold: ${result.perSecond.toFixed(1)} /s (${(1000 / result.perSecond).toFixed(2)} ms wall, ${result.cpuMs.toFixed(2)} ms CPU each)`);
console.log(`verifyPdf, same file again (warm certs/validation memory): ${warm.perSecond.toFixed(1)} /s (${warm.cpuMs.toFixed(2)} ms CPU each; one core from CPU time: ${(1000 / warm.cpuMs).toFixed(0)} /s)`);
console.log(`of which certs/validation, cold (3 validatePath + 4 verifyTimestampToken, same inputs, called alone): ${chainCpuMs.toFixed(2)} ms CPU (${((100 * chainCpuMs) / result.cpuMs).toFixed(0)} %)`);
console.log(`one core, cold, from CPU time: ${(1000 / result.cpuMs).toFixed(0)} verifications/s`);
console.log(`openssl cms -verify of the 3 signature CMS, one process each: ${openssl.toFixed(1)} contracts/s (${(1000 / openssl).toFixed(1)} ms) -> ours x${(result.perSecond / openssl).toFixed(1)}`);
console.log(`raw node:crypto verify of the 3 signature values: ${raw.toFixed(0)} contracts/s -> ours at ${((100 * result.perSecond) / raw).toFixed(1)} % of it`);
