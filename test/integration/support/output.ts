import type { ChildProcess } from 'node:child_process';

export interface WatchedOutput {
  /** Everything the child wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the first match of `pattern` in the child's output; rejects on timeout or exit. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
}

/** Collects a child process's output so tests can wait for a line of it. */
export function watchOutput(child: ChildProcess, label: string): WatchedOutput {
  let text = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return {
    output: () => text,
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
            reject(new Error(`${label}: no ${pattern} within ${timeoutMs} ms; output so far:\n${text}`));
          }
        }, 50);
      });
    },
  };
}
