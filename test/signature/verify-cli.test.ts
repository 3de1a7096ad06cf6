import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = path.join(import.meta.dirname, '..', '..');
const fixtures = path.join(repo, 'test', 'fixtures', 'pades');
const f = (name: string): string => path.join(fixtures, name);
const trust = ['--trust', f('root.pem'), '--crl', f('ca.crl'), '--crl', f('root.crl')];

/** Runs `./passeport verify …` as a user would; resolves with the exit code and outputs. */
async function passeport(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(path.join(repo, 'passeport'), ['verify', ...args], { cwd: repo, maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// Each spawn starts tsx and the whole CLI: seconds apiece on a busy machine.
describe('passeport verify (subprocess)', { timeout: 120_000 }, () => {
  it('exit 0 and a JSON report when every signature passes', async () => {
    const { code, stdout, stderr } = await passeport([f('pyhanko-ecdsa-bb.pdf'), f('pyhanko-pss-blta-novri.pdf'), ...trust, '--json', '--require-rgs', '1']);
    expect(code, stderr).toBe(0);
    const out = JSON.parse(stdout) as { passed: boolean; reports: { indication: string; signatures: { padesLevel: string | null; meetsRequiredLevel: boolean | null }[] }[] };
    expect(out.passed).toBe(true);
    expect(out.reports.map((r) => r.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED']);
    expect(out.reports[1]!.signatures.map((s) => s.padesLevel)).toEqual(['B-LTA', null]);
    expect(out.reports[0]!.signatures[0]!.meetsRequiredLevel).toBe(true);
  });

  it('exit 1 when one file fails; French text, HTML report and a progress bar', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-verify-cli-'));
    try {
      const html = path.join(dir, 'rapport.html');
      const { code, stdout, stderr } = await passeport([f('signpdf-rsa.pdf'), f('unsigned.pdf'), ...trust, '--html', html, '--progress']);
      expect(code).toBe(1);
      expect(stdout).toContain('Signature valide');
      expect(stdout).toContain('aucune signature');
      expect(stderr).toContain('2/2');
      const page = fs.readFileSync(html, 'utf8');
      expect(page).toContain('Rapport de vérification');
      expect(page).toContain('unsigned.pdf');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exit 1 when a signer is below the required RGS level', async () => {
    const { code, stdout } = await passeport([f('pyhanko-ecdsa-bb.pdf'), ...trust, '--require-rgs', '3', '--json']);
    expect(code).toBe(1);
    const out = JSON.parse(stdout) as { reports: { signatures: { rgsLevel: number; meetsRequiredLevel: boolean }[] }[] };
    expect(out.reports[0]!.signatures[0]).toMatchObject({ rgsLevel: 2, meetsRequiredLevel: false });
  });

  it('exit 2 on usage errors', async () => {
    expect((await passeport([f('pyhanko-ecdsa-bb.pdf'), '--require-rgs', '7'])).code).toBe(2);
    const badTime = await passeport([path.join(fixtures, 'no-such-file.pdf'), '--time', 'hier']);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain('date invalide');
  });
});
