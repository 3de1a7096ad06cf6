/**
 * Chain validation speed: validatePath on a 3-level chain (root → CA → leaf) with one CRL
 * per issuer, next to `openssl verify -crl_check_all` on the same files. Rates count CPU
 * time (ours: process.cpuUsage; openssl: /usr/bin/time), so other load on shared cores
 * does not skew the comparison; wall-clock figures are printed beside them.
 * Run: npx tsx bench/validation.ts [seconds per case, default 3]
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { validatePath } from '../certs/validation/index.ts';
import { clearMemos } from '../asn1/index.ts';
import { crl, derToPem, ecKeys, issue, rsaKeys, tempDir } from '../test/certs/validation/fixtures.ts';

const seconds = Number(process.argv[2] ?? 3);

async function chain(kind: 'ec' | 'rsa') {
  const keys = kind === 'ec' ? await Promise.all([ecKeys(), ecKeys(), ecKeys()]) : await Promise.all([rsaKeys(), rsaKeys(), rsaKeys()]);
  const root = await issue({ subject: `CN=Racine ${kind}, C=FR`, keys: keys[0]!, ca: true });
  const ca = await issue({ subject: `CN=AC ${kind}, C=FR`, keys: keys[1]!, issuer: root, ca: true });
  const leaf = await issue({ subject: `CN=Signataire ${kind}, C=FR`, keys: keys[2]!, issuer: ca });
  const entries = Array.from({ length: 100 }, (_, i) => ({ serial: (0x900000 + i).toString(16), date: new Date(Date.now() - 86_400_000) }));
  return { root, ca, leaf, crls: [await crl(ca, { entries }), await crl(root)] };
}

/** Validations per second; `cold` forgets parsed objects and verified signatures before each call. */
async function ours(c: Awaited<ReturnType<typeof chain>>, cold: boolean): Promise<{ cpu: number; wall: number }> {
  const input = { certificate: c.leaf.der, intermediates: [c.ca.der], trustAnchors: [c.root.der], crls: c.crls, time: new Date(), purpose: 'signature' as const };
  const first = await validatePath(input);
  if (first.indication !== 'PASSED') throw new Error(`bench chain does not validate: ${first.reasons.join('; ')}`);
  let n = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    if (cold) clearMemos();
    await validatePath(input);
    n++;
  }
  const cpu = process.cpuUsage(cpuStart);
  return { cpu: n / ((cpu.user + cpu.system) / 1e6), wall: n / ((performance.now() - start) / 1000) };
}

/** CPU and wall milliseconds of one `openssl verify` process checking `copies` times the leaf. */
function openssl(c: Awaited<ReturnType<typeof chain>>, copies: number): { cpu: number; wall: number } {
  const dir = tempDir();
  try {
    fs.writeFileSync(path.join(dir, 'root.pem'), c.root.pem);
    fs.writeFileSync(path.join(dir, 'ca.pem'), c.ca.pem);
    fs.writeFileSync(path.join(dir, 'leaf.pem'), c.leaf.pem);
    fs.writeFileSync(path.join(dir, 'crls.pem'), c.crls.map((d) => derToPem(d, 'X509 CRL')).join(''));
    const args = ['-f', '%U %S', 'openssl', 'verify', '-CAfile', 'root.pem', '-untrusted', 'ca.pem', '-CRLfile', 'crls.pem', '-crl_check_all', ...Array(copies).fill('leaf.pem')];
    const start = performance.now();
    const run = spawnSync('/usr/bin/time', args, { cwd: dir, encoding: 'utf8' });
    const wall = performance.now() - start;
    if (run.status !== 0) throw new Error(`openssl verify failed: ${run.stderr}`);
    const [user, system] = run.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    return { cpu: ((user ?? 0) + (system ?? 0)) * 1000, wall };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const version = spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout.trim();
console.log(`node ${process.version}, ${version}, ${seconds} s per case`);
for (const kind of ['ec', 'rsa'] as const) {
  const c = await chain(kind);
  const cold = await ours(c, true);
  const warm = await ours(c, false);
  const single = openssl(c, 1);
  const batch = openssl(c, 1000);
  const rate = (r: { cpu: number; wall: number }) => `${r.cpu.toFixed(0)} /s CPU (${r.wall.toFixed(0)} /s wall)`;
  console.log(
    `${kind === 'ec' ? 'ECDSA P-256' : 'RSA-2048'}: validatePath cold ${rate(cold)}, warm ${rate(warm)}` +
      ` | openssl verify: one process ${single.cpu < 10 ? '<10' : single.cpu.toFixed(0)} ms CPU (${single.wall.toFixed(0)} ms wall);` +
      ` 1000 certificates in one process ${(1_000_000 / batch.cpu).toFixed(0)} /s CPU (${(1_000_000 / batch.wall).toFixed(0)} /s wall)`,
  );
}
