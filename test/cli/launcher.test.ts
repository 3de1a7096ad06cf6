import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SUMMARY } from '../../cli/summaries.ts';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const manifestFile = path.join(repo, 'dist/cli/manifest.json');

describe('./passeport runs compiled JavaScript, never stale', { timeout: 120_000 }, () => {
  it('lists every command in its help, from any folder', async () => {
    const { stdout } = await run(path.join(repo, 'passeport'), ['--help'], { cwd: os.tmpdir() });
    for (const name of Object.keys(SUMMARY)) expect(stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    expect(stdout).toContain(SUMMARY.verify.slice(0, 30));
  });

  it('rebuilds when a source it was built from changed', async () => {
    await run(path.join(repo, 'passeport'), ['--help']);
    const before = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { entry: string; inputs: string[] };
    expect(before.inputs).toContain('cli/verify.ts');
    expect(fs.existsSync(path.join(repo, 'dist/cli', before.entry))).toBe(true);
    const builtAt = fs.statSync(manifestFile).mtimeMs;
    // A source saved after the build (its content unchanged: the tree stays as it is).
    const source = path.join(repo, 'cli/summaries.ts');
    const now = new Date();
    fs.utimesSync(source, now, now);
    const { stdout } = await run(path.join(repo, 'passeport'), ['verify', '--help']);
    expect(stdout).toContain('--trust');
    expect(fs.statSync(manifestFile).mtimeMs).toBeGreaterThan(builtAt);
  });
});
