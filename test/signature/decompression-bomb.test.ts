import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPkcs12 } from '../../certs/pkcs12.ts';
import { softwareSigner } from '../../certs/signers.ts';
import { PdfError } from '../../pdf/index.ts';
import { signPdf } from '../../signature/pades.ts';
import { verifyPdf } from '../../signature/validation/verify-pdf.ts';
import { decompressionBomb } from '../fixtures/pdf-builder.ts';
import { createTestPki, type TestCert, type TestPki } from './support/pki.ts';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const PASSPHRASE = 'phrase-secrète-de-test';
const REFUSAL = 'un flux compressé dépasse 16 Mio une fois décompressé';

let pki: TestPki;
let leaf: TestCert;
let bomb: Buffer;
let dir: string;

beforeAll(async () => {
  [pki, bomb] = await Promise.all([createTestPki({ caKeyType: 'rsa2048' }), decompressionBomb()]);
  leaf = await pki.issue({ cn: 'Jeanne Créatrice', keyType: 'rsa2048' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-bomb-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `./passeport ARGS` under /usr/bin/time: exit code, outputs and the peak resident memory in MiB. */
async function passeport(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string; peakMiB: number }> {
  const timeFile = path.join(dir, `time-${args[0]}.txt`);
  let result: { code: number; stdout: string; stderr: string };
  try {
    const { stdout, stderr } = await run('/usr/bin/time', ['-f', '%M', '-o', timeFile, path.join(repo, 'passeport'), ...args], {
      cwd: repo,
      env: { ...process.env, ...env },
      timeout: 150_000,
    });
    result = { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    result = { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
  const kib = Number(fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop());
  return { ...result, peakMiB: kib / 1024 };
}

describe('the decompression bomb of issue 10 (408 KB on disk, 400 MiB inflated)', () => {
  it('is the file the issue describes, and the same construction without the zeros is an ordinary PDF', async () => {
    expect(bomb.length).toBeGreaterThan(400_000);
    expect(bomb.length).toBeLessThan(420_000);
    const small = await decompressionBomb(4096);
    const signed = await signPdf(small, softwareSigner(leaf.privateKey, leaf.der, [pki.ca.der]), { level: 'B-B' });
    expect(signed.subarray(0, small.length).equals(small)).toBe(true);
    expect((await verifyPdf(signed, { trustAnchors: [pki.root.der] })).signatures).toHaveLength(1);
  });

  it('signPdf refuses it with a coded PdfError and a French message', async () => {
    const signing = signPdf(bomb, softwareSigner(leaf.privateKey, leaf.der, [pki.ca.der]), { level: 'B-B' });
    await expect(signing).rejects.toBeInstanceOf(PdfError);
    await expect(signing).rejects.toMatchObject({ code: 'PDF_LIMIT', message: `PDF illisible : ${REFUSAL}.` });
  });

  it('verifyPdf refuses it: TOTAL_FAILED / FORMAT_FAILURE with the same French reason', async () => {
    const report = await verifyPdf(bomb, { trustAnchors: [pki.root.der] });
    expect(report).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE', reasons: [`fichier PDF illisible : ${REFUSAL}`] });
  });

  it('`passeport sign` and `passeport verify` refuse it in French, write nothing and stay small in memory', { timeout: 300_000 }, async () => {
    const input = path.join(dir, 'bombe.pdf');
    const out = path.join(dir, 'signe.pdf');
    const p12 = path.join(dir, 'jeanne.p12');
    fs.writeFileSync(input, bomb);
    fs.writeFileSync(p12, buildPkcs12(leaf.privateKey, leaf.der, [pki.ca.der, pki.root.der], PASSPHRASE));
    fs.writeFileSync(path.join(dir, 'root.pem'), pki.root.pem);

    const sign = await passeport(['sign', input, '--out', out, '--p12', p12], { PASSEPORT_P12_PASSPHRASE: PASSPHRASE });
    expect(sign.code).toBe(1);
    expect(sign.stderr).toBe(`Erreur : PDF illisible : ${REFUSAL}.\n`);
    expect(fs.existsSync(out)).toBe(false);

    const verify = await passeport(['verify', input, '--trust', path.join(dir, 'root.pem')]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(`fichier PDF illisible : ${REFUSAL}`);

    // Inflating the 400 MiB took the signer to 950 MB resident; stopping at 16 MiB keeps both commands near their start-up size.
    expect(sign.peakMiB).toBeLessThan(400);
    expect(verify.peakMiB).toBeLessThan(400);
  });
});
