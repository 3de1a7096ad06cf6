/**
 * Chain validation speed: validatePath on a 3-level chain (root → CA → leaf) with one CRL
 * per issuer, next to `openssl verify -crl_check_all` on the same files.
 * Run: npx tsx bench/validation.ts [seconds per case, default 3]
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { validatePath } from '../certs/validation/index.ts';
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

async function ours(c: Awaited<ReturnType<typeof chain>>): Promise<number> {
  const input = { certificate: c.leaf.der, intermediates: [c.ca.der], trustAnchors: [c.root.der], crls: c.crls, time: new Date(), purpose: 'signature' as const };
  const first = await validatePath(input);
  if (first.indication !== 'PASSED') throw new Error(`bench chain does not validate: ${first.reasons.join('; ')}`);
  let n = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    await validatePath(input);
    n++;
  }
  return n / seconds;
}

function openssl(c: Awaited<ReturnType<typeof chain>>, copies: number): number {
  const dir = tempDir();
  try {
    fs.writeFileSync(path.join(dir, 'root.pem'), c.root.pem);
    fs.writeFileSync(path.join(dir, 'ca.pem'), c.ca.pem);
    fs.writeFileSync(path.join(dir, 'leaf.pem'), c.leaf.pem);
    fs.writeFileSync(path.join(dir, 'crls.pem'), c.crls.map((d) => derToPem(d, 'X509 CRL')).join(''));
    const args = ['verify', '-CAfile', 'root.pem', '-untrusted', 'ca.pem', '-CRLfile', 'crls.pem', '-crl_check_all', ...Array(copies).fill('leaf.pem')];
    const start = performance.now();
    const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    const ms = performance.now() - start;
    if (run.status !== 0) throw new Error(`openssl verify failed: ${run.stderr}`);
    return ms;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const version = spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout.trim();
console.log(`node ${process.version}, ${version}, ${seconds} s per case`);
for (const kind of ['ec', 'rsa'] as const) {
  const c = await chain(kind);
  const perSecond = await ours(c);
  const single = openssl(c, 1);
  const batch = openssl(c, 500);
  console.log(
    `${kind === 'ec' ? 'ECDSA P-256' : 'RSA-2048   '}: validatePath ${perSecond.toFixed(0)} /s (${(1000 / perSecond).toFixed(2)} ms each)` +
      ` | openssl verify: ${single.toFixed(1)} ms for one process, ${(batch / 500).toFixed(2)} ms per certificate over 500 in one process (${(500_000 / batch).toFixed(0)} /s)`,
  );
}
