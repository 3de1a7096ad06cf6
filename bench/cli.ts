/**
 * CLI start-up and one-file verification as whole processes, as a person (or a script
 * checking a folder file by file) pays them: the wall clock from spawn to exit.
 * Commands, interleaved round by round (each round runs every command once, in order),
 * median and best over the rounds:
 *   - `node -e 0`: the floor, Node's own start;
 *   - `./passeport --help` and `./passeport verify one.pdf` (the compiled CLI, up to date);
 *   - the same two through tsx's loader on the same TypeScript sources (how ./passeport ran
 *     them before: the compilation's own gain, apart from loading one family);
 *   - pyHanko's CLI (pyhanko-cli 0.6.0 over pyHanko 0.38.0): `pyhanko --help` and
 *     `pyhanko sign validate` on the same file with the same trust anchor.
 * The file: a B-B signature by pyHanko (ECDSA, test/fixtures/pades/pyhanko-ecdsa-bb.pdf);
 * our verify gets the CA's and the root's CRLs and passes it (TOTAL_PASSED); pyHanko runs
 * with --no-revocation-check (it would otherwise try to fetch), so it does less work.
 * Run: npx tsx bench/cli.ts [rounds, default 15]
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const rounds = Number(process.argv[2] ?? 15);
const root = path.resolve(import.meta.dirname, '..');
const fixture = (name: string): string => path.join(root, 'test/fixtures/pades', name);
const pdf = fixture('pyhanko-ecdsa-bb.pdf');
const trust = ['--trust', fixture('root.pem'), '--crl', fixture('ca.crl'), '--crl', fixture('root.crl')];
const tsx = ['--import', path.join(root, 'node_modules/tsx/dist/loader.mjs'), path.join(root, 'cli/main.ts')];
const pyhanko = path.join(root, 'tools/pyhanko-venv/bin/pyhanko');
const passeport = path.join(root, 'passeport');

interface Case {
  name: string;
  command: string;
  args: string[];
  expectedExit: number;
}

const cases: Case[] = [
  { name: '`node -e 0`', command: process.execPath, args: ['-e', '0'], expectedExit: 0 },
  { name: '`passeport --help`', command: passeport, args: ['--help'], expectedExit: 0 },
  { name: '`passeport verify one.pdf`', command: passeport, args: ['verify', pdf, ...trust], expectedExit: 0 },
  { name: 'tsx, same sources: `--help`', command: process.execPath, args: [...tsx, '--help'], expectedExit: 0 },
  { name: 'tsx, same sources: `verify one.pdf`', command: process.execPath, args: [...tsx, 'verify', pdf, ...trust], expectedExit: 0 },
  { name: '`pyhanko --help`', command: pyhanko, args: ['--help'], expectedExit: 0 },
  { name: '`pyhanko sign validate one.pdf`', command: pyhanko, args: ['sign', 'validate', '--trust', fixture('root.pem'), '--no-revocation-check', pdf], expectedExit: 0 },
];

function timeOnce(c: Case): number {
  const started = performance.now();
  const result = spawnSync(c.command, c.args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - started;
  if (result.status !== c.expectedExit) throw new Error(`${c.name}: exit ${result.status}\n${result.stdout}\n${result.stderr}`);
  return ms;
}

// Up to date before timing: the build is not what is measured (it is below, apart).
const build = performance.now();
spawnSync(process.execPath, [path.join(root, 'cli/launch.mjs'), '--build-only'], { stdio: 'inherit' });
const buildMs = performance.now() - build;
for (const c of cases) timeOnce(c); // warm the file cache

const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
const loads: number[] = [];
for (let round = 0; round < rounds; round++) {
  loads.push(os.loadavg()[0]!);
  for (const c of cases) samples.get(c.name)!.push(timeOnce(c));
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const floor = median(samples.get(cases[0]!.name)!);
console.log(
  `Node ${process.version}, ${os.cpus()[0]?.model} ×${os.cpus().length}, ${new Date().toISOString()}, ${rounds} rounds, load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
);
console.log(`build of dist/cli (esbuild, forced): ${buildMs.toFixed(0)} ms\n`);
console.log('| command | median | best | median ÷ `node -e 0` |');
console.log('|---|---|---|---|');
for (const c of cases) {
  const xs = samples.get(c.name)!;
  console.log(`| ${c.name} | ${median(xs).toFixed(0)} ms | ${Math.min(...xs).toFixed(0)} ms | ${(median(xs) / floor).toFixed(2)}× |`);
}
