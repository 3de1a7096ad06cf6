/** pyHanko (PyPI, pinned, the test command's private venv) as an outside judge of long-term validation. */
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { root } from '../../support/cli.ts';

const run = promisify(execFile);

export interface PyhankoVerdict {
  field: string;
  indication: string;
  bottomLine: boolean;
  modificationLevel: string | null;
}

/** The interpreter the test command exported, or the venv it makes (installed on first use). */
function pyhankoPython(): string {
  return process.env.PYHANKO_PYTHON ?? execFileSync('bash', [path.join(root, 'scripts/ensure-pyhanko.sh')], { encoding: 'utf8' }).trim();
}

export async function pyhankoLta(pdfFile: string, rootPemFile: string): Promise<PyhankoVerdict[]> {
  const { stdout } = await run(pyhankoPython(), [path.join(import.meta.dirname, 'pyhanko_lta.py'), pdfFile, rootPemFile], { maxBuffer: 1 << 22 });
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as PyhankoVerdict);
}
