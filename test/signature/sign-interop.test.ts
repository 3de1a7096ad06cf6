import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { softwareSigner } from '../../certs/signers.ts';
import type { Signer } from '../../certs/types.ts';
import { createTsaClient } from '../../certs/tsa/client.ts';
import { extendPdf, signPdf } from '../../signature/pades.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { extractSignatures, isPrefix, opensslCmsVerify, opensslTsVerify, pdfsig } from './support/judges.ts';

const run = promisify(execFile);

/** qpdf --check: exit code (0 clean, 2 errors, 3 warnings only) and the warnings, file names removed. */
async function qpdf(file: string): Promise<{ code: number; warnings: string[] }> {
  const r = await run('qpdf', ['--check', file]).then(
    (x) => ({ code: 0, out: x.stdout + x.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
  return {
    code: r.code,
    warnings: r.out
      .split('\n')
      .filter((l) => /WARNING|ERROR/.test(l))
      .map((l) => l.replace(file, 'FILE')),
  };
}

/** Files signed by other tools (pyHanko, @signpdf; fixtures of the verifier's tests), signed again here. */
const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'pades');
const others = [
  'pyhanko-ecdsa-bb.pdf',
  'pyhanko-pss-bt-xrefstream.pdf',
  'pyhanko-ecdsa-blt-vri.pdf',
  'pyhanko-pkcs7-revinfo.pdf',
  'pyhanko-two-signatures-blta.pdf',
  'signpdf-rsa.pdf',
];

let h: Harness;
let signer: Signer;

beforeAll(async () => {
  h = await startHarness();
  const leaf = await h.pki.issue({ cn: 'Paul Revendeur', keyType: 'ec256' });
  signer = softwareSigner(leaf.privateKey, leaf.der, [h.pki.ca.der, h.pki.root.der]);
});
afterAll(async () => h?.close());

async function check(input: Buffer, output: Buffer): Promise<void> {
  expect(isPrefix(input, output)).toBe(true);
  const file = path.join(fs.mkdtempSync(path.join(h.dir, 'interop-')), 'out.pdf');
  fs.writeFileSync(file, output);
  const inFile = path.join(path.dirname(file), 'in.pdf');
  fs.writeFileSync(inFile, input);
  // No new qpdf finding: a clean input stays clean; an input with warnings gains none.
  const [was, is] = [await qpdf(inFile), await qpdf(file)];
  expect(is.code === 0 || (is.code === 3 && was.code === 3), is.warnings.join('\n')).toBe(true);
  expect(is.warnings.map((w) => w.replace('out.pdf', 'in.pdf'))).toEqual(was.warnings);
  const report = await pdfsig(file, h.nss);
  const ours = report[report.length - 1]!;
  // Every earlier signature (not the document timestamps poppler cannot check) is still valid.
  for (const r of report.slice(0, -1)) if (r.subFilter !== 'unknown' && r.subFilter !== 'ETSI.RFC3161') expect(r.valid, r.raw).toBe(true);
  expect(ours.valid, ours.raw).toBe(true);
  expect(ours.trusted, ours.raw).toBe(true);
  expect(ours.totalDocument, ours.raw).toBe(true);
  const sigs = extractSignatures(output);
  await opensslCmsVerify(h.dir, sigs[sigs.length - 1]!, h.pki.root.pem);
}

describe('signing files signed by other tools', () => {
  for (const name of others) {
    it(`adds a B-T signature to ${name} without breaking the earlier ones`, async () => {
      const input = fs.readFileSync(path.join(fixtures, name));
      const out = await signPdf(input, signer, { level: 'B-T', timestamper: createTsaClient(h.tsa.url) });
      await check(input, out);
    });
  }

  it('extends a pyHanko B-LTA file signed again here: merges into its DSS (VRI added) and re-timestamps', async () => {
    const input = fs.readFileSync(path.join(fixtures, 'pyhanko-pss-blta-novri.pdf'));
    const signed = await signPdf(input, signer, { level: 'B-T', timestamper: createTsaClient(h.tsa.url) });
    const theirs = ['ca.crl', 'root.crl', 'root.pem'].map((f) => fs.readFileSync(path.join(fixtures, f)));
    const theirRoot = Buffer.from(theirs[2]!.toString('latin1').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const noNetwork = {
      crl: async (url: string): Promise<Uint8Array> => {
        throw new Error(`pas de réseau : ${url}`);
      },
    };
    const lt = await extendPdf(signed, {
      level: 'B-LT',
      material: { crls: [theirs[0]!, theirs[1]!, await h.pki.caCrl(), await h.pki.rootCrl()], certificates: [theirRoot] },
      fetchers: noNetwork,
    });
    const tail = lt.subarray(signed.length).toString('latin1');
    // The existing DSS object is updated in place (same object number), not replaced by a second one.
    const oldDss = /\/DSS (\d+) 0 R/.exec(signed.toString('latin1'))![1];
    const dssObject = new RegExp(`(?:^|\\n)${oldDss} 0 obj\\n<<([^]*?)endobj`).exec(tail);
    expect(dssObject?.[1]).toMatch(/\/Type \/DSS/);
    expect(tail.match(/\/Type \/DSS/g)).toHaveLength(1);
    expect(tail).toMatch(/\/VRI <</);
    for (const crl of theirs.slice(0, 2)) expect(lt.includes(crl)).toBe(true);
    const lta = await extendPdf(lt, {
      level: 'B-LTA',
      timestamper: createTsaClient(h.tsa.url),
      material: { crls: [theirs[0]!, theirs[1]!, await h.pki.caCrl(), await h.pki.rootCrl()], certificates: [theirRoot] },
      fetchers: noNetwork,
    });
    expect(lta.subarray(lt.length).toString('latin1')).toMatch(/\/Type \/DocTimeStamp/);
    expect(isPrefix(signed, lta)).toBe(true);
    const file = path.join(fs.mkdtempSync(path.join(h.dir, 'interop-lta-')), 'out.pdf');
    fs.writeFileSync(file, lta);
    expect((await qpdf(file)).code).toBe(0);
    const report = await pdfsig(file, h.nss);
    const ours = report.find((r) => /Paul Revendeur/.test(r.raw))!;
    expect(ours.valid && ours.trusted, ours.raw).toBe(true);
    for (const r of report) if (r.subFilter === 'ETSI.CAdES.detached') expect(r.valid, r.raw).toBe(true);
    const last = extractSignatures(lta).pop()!;
    expect(last.isDocTimestamp).toBe(true);
    expect(await opensslTsVerify(h.dir, last.cms, last.signedBytes, h.pki.root.pem, h.pki.ca.pem + h.pki.tsa.pem)).toMatch(/Verification: OK/);
  });

  it('refuses to sign a document certified with DocMDP P1 (no change allowed)', async () => {
    const input = fs.readFileSync(path.join(fixtures, 'pyhanko-certified-p1.pdf'));
    await expect(signPdf(input, signer, { level: 'B-B' })).rejects.toThrow(/DocMDP P1/);
  });
});
