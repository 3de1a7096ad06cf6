/**
 * PAdES verification speed: verifyPdf on three-signature B-LTA contracts
 * (créateur ECDSA P-256, revendeur RSA-PSS, bank seal ECDSA, each with a
 * signature timestamp, then a DSS with every chain and CRL, then a document
 * timestamp), fully: structure, later revisions, digests, signatures, the four
 * timestamp tokens and seven certificate paths with revocation from the DSS.
 * Three cases, one process, sequential:
 *   - "cold": certs/validation's process-wide memory (parsed certificates and CRLs,
 *     imported keys, verified signatures) is cleared before each verification: every
 *     file pays for its whole chain, root included — the worst case;
 *   - "archive stream": distinct contracts (each with its own three signer certificates,
 *     timestamps and CRL copies) under one PKI and TSA, each verified once, the memory
 *     kept as a running verifier keeps it — what an archive checking its intake does;
 *   - "same file": the same contract again and again (everything remembered).
 * Baselines from the same run, on the same three signature CMS:
 *   - `openssl cms -verify` (one process per CMS, as a script would call it);
 *   - the raw native checks alone: the three signature values verified with
 *     node:crypto over their signed attributes, nothing parsed.
 * "One core": wall-clock under `node --single-threaded` (V8's collector and compiler
 * then run on the main thread too); CPU time of all threads is given beside it.
 * Run: node --single-threaded --import tsx bench/verify.ts [seconds per case, default 5] [distinct contracts, default 60]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { verifyPdf } from '../signature/validation/verify-pdf.ts';
import { parseCms } from '../signature/validation/cms.ts';
import { clearMemos, parseCertificate, publicKeyOf, sameBytes, verifySignature } from '../asn1/index.ts';
import { validatePath, verifyTimestampToken } from '../certs/validation/index.ts';
import { PdfRevisions } from '../pdf/index.ts';
import { readDss } from '../signature/validation/dss.ts';
import { makeSignedContract } from '../test/fixtures/contract-fixture.ts';
import { startHarness } from '../test/signature/support/harness.ts';
import { extractSignatures } from '../test/signature/support/judges.ts';

const seconds = Number(process.argv[2] ?? 5);
const distinct = Number(process.argv[3] ?? 60);
const oneCore = process.execArgv.includes('--single-threaded');
const harness = await startHarness();
const contract = await makeSignedContract({ harness });
const { pdf, root } = contract;
const options = { trustAnchors: [root] };
// The archive's intake: distinct contracts under the same PKI; a few more to warm the PKI's own entries.
const stream: Buffer[] = [];
for (let i = 0; i < distinct + 5; i++) stream.push((await makeSignedContract({ harness })).pdf);
await harness.close();

for (const file of [pdf, ...stream]) {
  const report = await verifyPdf(file, options);
  if (report.indication !== 'TOTAL_PASSED' || report.signatures.filter((s) => s.padesLevel === 'B-LTA').length !== 3) {
    throw new Error(`bench contract does not verify at B-LTA: ${JSON.stringify(report.signatures.map((s) => [s.fieldName, s.indication, s.padesLevel, s.reasons]))}`);
  }
}

interface Rate {
  perSecond: number;
  cpuMs: number;
}

async function timed(files: () => Iterable<Buffer>, before: () => void = () => {}): Promise<Rate> {
  let n = 0;
  let busy = 0;
  const cpu0 = process.cpuUsage();
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    before();
    for (const file of files()) {
      const t = performance.now();
      await verifyPdf(file, options);
      busy += performance.now() - t;
      n++;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: (n * 1000) / busy, cpuMs: (cpu.user + cpu.system) / 1000 / n };
}

async function cold(): Promise<Rate> {
  for (let i = 0; i < 20; i++) await verifyPdf(pdf, options);
  return timed(() => [pdf], clearMemos);
}

/** Each round forgets everything, warms the PKI with five other contracts (not counted), then verifies each distinct contract once. */
async function archiveStream(): Promise<Rate> {
  const warmUp = stream.slice(distinct);
  const intake = stream.slice(0, distinct);
  let n = 0;
  let busy = 0;
  let cpuMs = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    clearMemos();
    for (const file of warmUp) await verifyPdf(file, options);
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    for (const file of intake) await verifyPdf(file, options);
    busy += performance.now() - t;
    const cpu = process.cpuUsage(cpu0);
    cpuMs += (cpu.user + cpu.system) / 1000;
    n += intake.length;
  }
  return { perSecond: (n * 1000) / busy, cpuMs: cpuMs / n };
}

async function sameFile(): Promise<Rate> {
  for (let i = 0; i < 20; i++) await verifyPdf(pdf, options);
  return timed(() => [pdf]);
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
        const run = spawnSync(
          'openssl',
          ['cms', '-verify', '-binary', '-inform', 'DER', '-in', `sig${i}.der`, '-content', `data${i}.bin`, '-CAfile', 'root.pem', '-purpose', 'any', '-out', '/dev/null'],
          { cwd: dir, encoding: 'utf8' },
        );
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
    const signer = cms.certificates.map((c) => parseCertificate(c)).find((c) => sameBytes(c.serialBytes, cms.sid.serial ?? new Uint8Array()))!;
    return { cms, key: publicKeyOf(signer) };
  });
  const once = (): void => {
    for (const { cms, key } of parts) {
      if (!verifySignature(key, cms.signatureAlgorithm, cms.signedAttrsDer!, cms.signature, cms.digestAlgorithm)) throw new Error('raw verify failed');
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
  const dss = readDss(new PdfRevisions(pdf).latest())!;
  const calls: (() => Promise<unknown>)[] = [];
  for (const s of all) {
    const cms = parseCms(s.cms);
    const intermediates = [...cms.certificates, ...dss.certificates];
    const crls = [...cms.crls, ...dss.crls];
    if (s.isDocTimestamp) {
      calls.push(() => verifyTimestampToken(cms.der, { data: s.signedBytes, trustAnchors: [root], intermediates, crls }));
      continue;
    }
    const signer = cms.certificates.find((c) => sameBytes(parseCertificate(c).serialBytes, cms.sid.serial ?? new Uint8Array()))!;
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

const coldRate = await cold();
const streamRate = await archiveStream();
const warm = await sameFile();
const chainCpuMs = await chainShare();
const openssl = opensslCms();
const raw = rawNative();
const cpu = os.cpus()[0]?.model ?? 'unknown';
const line = (label: string, r: Rate): string =>
  `${label}: ${r.perSecond.toFixed(1)} /s (${(1000 / r.perSecond).toFixed(2)} ms each${oneCore ? ', one core' : ''}; ${r.cpuMs.toFixed(2)} ms CPU of all threads)`;
console.log(
  `machine: ${os.cpus().length} cores (nproc), ${cpu}, Node ${process.version}, ${oneCore ? 'node --single-threaded' : 'V8 background threads on'}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(
  `contract: ${pdf.length} bytes, ${(await verifyPdf(pdf, options)).revisions} revisions, 4 signatures and timestamps; archive stream: ${distinct} distinct contracts per round`,
);
console.log(line('verifyPdf, cold (all memory cleared before each file)', coldRate));
console.log(line('verifyPdf, archive stream (distinct contracts, one PKI, each verified once)', streamRate));
console.log(line('verifyPdf, same file again', warm));
console.log(
  `of which certs/validation, cold (3 validatePath + 4 verifyTimestampToken, same inputs, called alone): ${chainCpuMs.toFixed(2)} ms CPU (${((100 * chainCpuMs) / coldRate.cpuMs).toFixed(0)} %)`,
);
console.log(
  `openssl cms -verify of the 3 signature CMS, one process each: ${openssl.toFixed(1)} contracts/s (${(1000 / openssl).toFixed(1)} ms) -> ours x${(coldRate.perSecond / openssl).toFixed(1)} cold, x${(streamRate.perSecond / openssl).toFixed(1)} stream`,
);
console.log(
  `raw node:crypto verify of the 3 signature values: ${raw.toFixed(0)} contracts/s -> ours at ${((100 * coldRate.perSecond) / raw).toFixed(1)} % of it cold, ${((100 * streamRate.perSecond) / raw).toFixed(1)} % stream`,
);
