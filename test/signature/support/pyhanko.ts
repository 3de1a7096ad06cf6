/** pyHanko (PyPI, pinned, the test command's private venv) as an outside judge of long-term validation. */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../../..');

export interface PyhankoVerdict {
  kind: 'signature' | 'document-timestamp';
  field: string;
  /** AdES indication/sub-indication of ades_lta_validation (signatures only), e.g. « AdESPassed.OK ». */
  indication: string | null;
  bottomLine: boolean;
  /** pyHanko's difference analysis of everything after this revision. */
  docmdpOk: boolean;
  modificationLevel: string | null;
  trusted?: boolean;
  error?: string;
}

/** The interpreter the test command exported, or the venv it makes (installed on first use). */
function pyhankoPython(): string {
  return process.env.PYHANKO_PYTHON ?? execFileSync('bash', [path.join(repoRoot, 'scripts/ensure-pyhanko.sh')], { encoding: 'utf8' }).trim();
}

/** Which validation fits the level asked for (see pyhanko_judge.py). */
export type PyhankoMode = 'lta' | 'lt' | 'external';

/** One pyHanko run over a whole file: every signature and document timestamp, in file order. */
export async function pyhankoJudge(dir: string, pdf: Uint8Array, rootPem: string, mode: PyhankoMode, externalCrls: Uint8Array[] = []): Promise<PyhankoVerdict[]> {
  const d = fs.mkdtempSync(path.join(dir, 'pyhanko-'));
  fs.writeFileSync(path.join(d, 'doc.pdf'), pdf);
  fs.writeFileSync(path.join(d, 'root.pem'), rootPem);
  const crlFiles = externalCrls.map((crl, i) => {
    const f = path.join(d, `${i}.crl`);
    fs.writeFileSync(f, crl);
    return f;
  });
  const { stdout } = await run(pyhankoPython(), [path.join(import.meta.dirname, 'pyhanko_judge.py'), mode, path.join(d, 'doc.pdf'), path.join(d, 'root.pem'), ...crlFiles], {
    maxBuffer: 1 << 22,
  });
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as PyhankoVerdict);
}
