import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What pyHanko 0.38 says of one signature (test/fixtures/pyhanko/judge.py). */
export interface PyhankoVerdict {
  file: string;
  field: string;
  error?: string;
  intact?: boolean;
  valid?: boolean;
  trusted?: boolean;
  bottom_line?: boolean;
  coverage?: 'ENTIRE_FILE' | 'ENTIRE_REVISION' | 'CONTIGUOUS_BLOCK_FROM_START' | 'UNCLEAR';
  modification_level?: string;
  docmdp_ok?: boolean | null;
  diff?: string | null;
}

const judgeScript = path.resolve(import.meta.dirname, '../../fixtures/pyhanko/judge.py');

function python(): string {
  return process.env.PYHANKO_PYTHON ?? execFileSync('bash', [path.resolve(import.meta.dirname, '../../../scripts/ensure-pyhanko.sh')], { encoding: 'utf8' }).trim();
}

/** pyHanko's verdict on every signature of the files (paths or bytes), the root PEM trusted, at `time`. */
export function pyhankoJudge(files: (string | Uint8Array)[], rootPem: string, time = new Date('2020-11-01T00:00:00Z')): PyhankoVerdict[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyhanko-judge-'));
  try {
    const root = path.join(tmp, 'root.pem');
    fs.writeFileSync(root, rootPem);
    const paths = files.map((f, i) => {
      if (typeof f === 'string') return f;
      const p = path.join(tmp, `doc${i}.pdf`);
      fs.writeFileSync(p, f);
      return p;
    });
    let out: string;
    try {
      out = execFileSync(python(), [judgeScript, root, ...paths], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 1 << 24,
        env: { ...process.env, PYHANKO_JUDGE_TIME: time.toISOString() },
      });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`pyHanko judge failed: ${e.message}\n${(e.stderr ?? '').slice(-2000)}`, { cause: error });
    }
    return out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as PyhankoVerdict);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
