/**
 * A child process that cannot outlive us: started through util-linux's
 * `setpriv --pdeathsig`, so the kernel signals it when its parent dies, even
 * by SIGKILL; in its own process group (a terminal's Ctrl-C reaches only the
 * parent, which stops its children in order) that `kill()` ends as a whole.
 * Optionally under another user (PostgreSQL refuses to run as root).
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  exited: Promise<ChildExit>;
  running(): boolean;
  /** Sends `signal` to the child, SIGKILL to its group past `graceMs`; resolves once it has exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ChildExit>;
  /** SIGKILL to the whole group at once. */
  kill(): Promise<ChildExit>;
}

export interface SpawnChildOptions {
  name: string;
  command: string;
  args: string[];
  /** What the kernel sends the child when this process dies. */
  parentDeathSignal: 'TERM' | 'INT' | 'KILL';
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdio?: StdioOptions;
  /** A system user to run as (only when we are root). */
  user?: string | null;
}

export function spawnChild(options: SpawnChildOptions): Child {
  const wrapper = ['--pdeathsig', options.parentDeathSignal];
  if (options.user) wrapper.push('--reuid', options.user, '--regid', options.user, '--init-groups');
  const child = spawn('setpriv', [...wrapper, '--', options.command, ...options.args], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: options.stdio ?? ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A spawn failure (setpriv missing) emits 'error' and never 'exit'.
    child.once('error', () => resolve({ code: -1, signal: null }));
  });
  const running = () => child.exitCode === null && child.signalCode === null && child.pid !== undefined;
  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  return {
    name: options.name,
    pid: child.pid ?? -1,
    process: child,
    exited,
    running,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (!running()) {
        signalGroup('SIGKILL'); // whatever the child left behind in its group
        return exited;
      }
      child.kill(signal);
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      signalGroup('SIGKILL');
      return exit;
    },
    async kill() {
      signalGroup('SIGKILL');
      return exited;
    },
  };
}

export function describeExit(exit: ChildExit): string {
  if (exit.signal) return `signal ${exit.signal}`;
  return `code ${exit.code ?? '?'}`;
}
