import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

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
  let text = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    process: child,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const timer = setInterval(() => {
          const match = text.match(pattern);
          if (match) {
            clearInterval(timer);
            resolve(match);
          } else if (Date.now() - started > timeoutMs || child.exitCode !== null) {
            clearInterval(timer);
            reject(new Error(`worker: no ${pattern} within ${timeoutMs} ms; output:\n${text}`));
          }
        }, 50);
      });
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
