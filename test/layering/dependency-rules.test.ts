/**
 * The layering check of the test command (.dependency-cruiser.cjs): it passes on the
 * project's own tree, and fails — naming the rule — on a tree that breaks each rule.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from '../support/cli.ts';

const run = promisify(execFile);
const depcruise = path.join(root, 'node_modules/.bin/depcruise');
const config = path.join(root, '.dependency-cruiser.cjs');

interface Outcome {
  code: number;
  output: string;
}

async function cruise(cwd: string): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(depcruise, ['--config', config, '--output-type', 'err', '.'], { cwd, maxBuffer: 16 << 20 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const fixtures: string[] = [];
afterAll(() => {
  for (const dir of fixtures) fs.rmSync(dir, { recursive: true, force: true });
});

/** A small tree of the project's top-level folders, written to a temporary folder. */
function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layering-'));
  fixtures.push(dir);
  const all = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true } }),
    ...files,
  };
  for (const [name, text] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('the layering check', () => {
  it('passes on the project itself', async () => {
    const outcome = await cruise(root);
    expect(outcome.output).toContain('no dependency violations found');
    expect(outcome.code).toBe(0);
  });

  it('passes on a tree that keeps every direction, type-only activity imports in a workflow included', async () => {
    const outcome = await cruise(
      tree({
        'errors/index.ts': 'export class CodedError extends Error {}\n',
        'domain/rules.ts': "import { CodedError } from '../errors/index.ts';\nexport const limit = 1;\nexport class RuleError extends CodedError {}\n",
        'activities/types.ts': 'export interface Acts { run(): Promise<number> }\n',
        'workflows/flow.ts':
          "import type { Acts } from '../activities/types.ts';\nimport { limit } from '../domain/rules.ts';\nexport const flow = (a: Acts) => a.run().then((n) => n + limit);\n",
        'asn1/der.ts': "import { CodedError } from '../errors/index.ts';\nexport const der = 1;\nexport class DerError extends CodedError {}\n",
        'pdf/reader.ts': "import { CodedError } from '../errors/index.ts';\nexport const reader = 1;\nexport class PdfError extends CodedError {}\n",
        'certs/chain.ts': "import { der } from '../asn1/der.ts';\nexport const chain = der;\n",
        'signature/sign.ts': "import { chain } from '../certs/chain.ts';\nimport { reader } from '../pdf/reader.ts';\nexport const sign = chain + reader;\n",
        'api/routes.ts': "import { sign } from '../signature/sign.ts';\nexport const routes = sign;\n",
      }),
    );
    expect(outcome.output).toContain('no dependency violations found');
    expect(outcome.code).toBe(0);
  });

  it.each([
    ['domain-is-pure', { 'domain/io.ts': "import fs from 'node:fs';\nexport const read = fs.readFileSync;\n" }, 'domain/io.ts → fs'],
    ['domain-is-pure', { 'domain/r.ts': "import { x } from '../db/x.ts';\nexport const r = x;\n", 'db/x.ts': 'export const x = 1;\n' }, 'domain/r.ts → db/x.ts'],
    ['errors-is-the-base', { 'errors/e.ts': "import { d } from '../domain/d.ts';\nexport const e = d;\n", 'domain/d.ts': 'export const d = 1;\n' }, 'errors/e.ts → domain/d.ts'],
    ['asn1-stands-alone', { 'asn1/a.ts': "import { c } from '../certs/c.ts';\nexport const a = c;\n", 'certs/c.ts': 'export const c = 1;\n' }, 'asn1/a.ts → certs/c.ts'],
    ['pdf-stands-alone', { 'pdf/p.ts': "import { a } from '../asn1/a.ts';\nexport const p = a;\n", 'asn1/a.ts': 'export const a = 1;\n' }, 'pdf/p.ts → asn1/a.ts'],
    ['modules-not-to-adapters', { 'signature/s.ts': "import { x } from '../api/x.ts';\nexport const s = x;\n", 'api/x.ts': 'export const x = 1;\n' }, 'signature/s.ts → api/x.ts'],
    [
      'modules-not-to-adapters',
      { 'vault/v.ts': "import { w } from '../workflows/w.ts';\nexport const v = w;\n", 'workflows/w.ts': 'export const w = 1;\n' },
      'vault/v.ts → workflows/w.ts',
    ],
    ['certs-through-its-store', { 'certs/c.ts': "import { q } from '../db/q.ts';\nexport const c = q;\n", 'db/q.ts': 'export const q = 1;\n' }, 'certs/c.ts → db/q.ts'],
    ['stores-not-to-adapters', { 'db/d.ts': "import { t } from '../temporal/t.ts';\nexport const d = t;\n", 'temporal/t.ts': 'export const t = 1;\n' }, 'db/d.ts → temporal/t.ts'],
    [
      'workflows-deterministic',
      { 'workflows/w.ts': "import { x } from '../vault/x.ts';\nexport const w = x;\n", 'vault/x.ts': 'export const x = 1;\n' },
      'workflows/w.ts → vault/x.ts',
    ],
    [
      'workflows-activity-types-only',
      { 'workflows/w.ts': "import { act } from '../activities/a.ts';\nexport const w = act;\n", 'activities/a.ts': 'export const act = 1;\n' },
      'workflows/w.ts → activities/a.ts',
    ],
    [
      'no-circular',
      { 'certs/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n", 'certs/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n" },
      'certs/a.ts',
    ],
    ['not-to-unresolvable', { 'signature/s.ts': "import { gone } from './moved-away.ts';\nexport const s = gone;\n" }, 'signature/s.ts → ./moved-away.ts'],
  ])('fails on a tree that breaks %s', async (rule, files, edge) => {
    const outcome = await cruise(tree(files));
    expect(outcome.code).not.toBe(0);
    expect(outcome.output).toContain(`error ${rule}: ${edge}`);
  });
});
