import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
let dir: string;
const files: Record<string, string> = {};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-bad-input-'));
  files.directory = dir;
  files.fifo = path.join(dir, 'tube.pdf');
  execFileSync('mkfifo', [files.fifo]);
  files.device = '/dev/zero';
  files.missing = path.join(dir, 'absent.pdf');
  files.sparse = path.join(dir, 'enorme.pdf');
  // 3 GiB that take no room on disk: past the 64 MiB limit and past what Node can read into one buffer.
  execFileSync('truncate', ['-s', '3G', files.sparse]);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `./passeport ARGS` killed after 30 s: a hang shows as signal SIGTERM, not as a stuck suite. */
function passeport(args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(path.join(repo, 'passeport'), args, { cwd: dir, timeout: 30_000, env: { ...process.env, PASSEPORT_P12_PASSPHRASE: 'x' } }, (error, stdout, stderr) => {
      const e = error as (Error & { code?: number; signal?: string }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}

const expected: Record<string, RegExp> = {
  directory: /est un dossier, pas un fichier/,
  fifo: /n’est pas un fichier ordinaire/,
  device: /n’est pas un fichier ordinaire/,
  missing: /PDF introuvable/,
  sparse: /trop volumineux \(3 Gio\) : la limite est de 64 Mio/,
};

const commands: Record<string, (file: string) => string[]> = {
  verify: (file) => ['verify', file],
  sign: (file) => ['sign', file, '--out', path.join(dir, 'signe.pdf'), '--p12', path.join(dir, 'absent.p12')],
  extend: (file) => ['extend', file, '--out', path.join(dir, 'prolonge.pdf'), '--level', 'B-LT'],
};

describe('a path that is not a readable PDF: exit 2 and a French message, before any reading', { timeout: 120_000 }, () => {
  for (const [command, argsFor] of Object.entries(commands)) {
    it(`passeport ${command}`, async () => {
      for (const [kind, file] of Object.entries(files)) {
        const result = await passeport(argsFor(file));
        expect({ kind, signal: result.signal, code: result.code }).toEqual({ kind, signal: null, code: 2 });
        expect(result.stderr, kind).toMatch(expected[kind]!);
        expect(result.stderr, kind).not.toMatch(/\n\s+at |ERR_|EISDIR/);
        expect(fs.existsSync(path.join(dir, 'signe.pdf')) || fs.existsSync(path.join(dir, 'prolonge.pdf'))).toBe(false);
      }
    });
  }

  it('verify checks every file before verifying the first', async () => {
    const result = await passeport(['verify', path.join(repo, 'test/fixtures/pades/pyhanko-ecdsa-bb.pdf'), files.sparse!, '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/trop volumineux/);
  });
});
