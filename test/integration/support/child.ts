import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { watchOutput } from './output.ts';

const root = path.resolve(import.meta.dirname, '../../..');

export interface ChildWorker {
  process: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the child's output. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

/** Runs test/integration/support/worker-process.ts with tsx. */
export function spawnWorker(env: Record<string, string>): ChildWorker {
  // tsx's CLI runs the script in a child node process; run node with tsx's loader directly so the pid we kill is the worker's.
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/integration/support/worker-process.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watched = watchOutput(child, 'worker');
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    process: child,
    ...watched,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
