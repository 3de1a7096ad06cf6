import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { findTemporalCli } from './cli.ts';
import { freePort } from './free-port.ts';

export interface DevServerOptions {
  /** SQLite file holding the server's state; survives restarts. */
  dbFile: string;
  /** gRPC port; 0 picks a free one. */
  port?: number;
  /** Web UI port; 0 picks a free one; null disables the UI. */
  uiPort?: number | null;
  namespace?: string;
  executable?: string;
  /** Extra `--sqlite-pragma` values (WAL and relaxed fsync by default). */
  sqlitePragmas?: string[];
  readyTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  port: number;
  uiUrl: string | null;
  pid: number;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once: for crash tests. */
  kill(): Promise<void>;
}

/** WAL lets readers and the single writer overlap; the file stays a plain SQLite database. */
const DEFAULT_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

/**
 * Runs `temporal server start-dev` on 127.0.0.1 with its state in a SQLite file,
 * and resolves once the namespace answers.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const executable = options.executable ?? findTemporalCli();
  const port = options.port || (await freePort());
  const uiPort = options.uiPort === null ? null : options.uiPort || (await freePort());
  const namespace = options.namespace ?? 'default';
  fs.mkdirSync(path.dirname(path.resolve(options.dbFile)), { recursive: true });

  const args = ['server', 'start-dev', '--db-filename', options.dbFile, '--ip', '127.0.0.1', '--port', String(port)];
  args.push(...(uiPort === null ? ['--headless'] : ['--ui-port', String(uiPort)]));
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const pragma of options.sqlitePragmas ?? DEFAULT_PRAGMAS) args.push('--sqlite-pragma', pragma);
  args.push('--log-level', 'warn');

  const child = spawn(executable, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderrTail = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });

  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilReady(address, namespace, exited, options.readyTimeoutMs ?? 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`Temporal dev server did not start on ${address}: ${(error as Error).message}\n${stderrTail}`);
  }

  return {
    address,
    port,
    uiUrl: uiPort === null ? null : `http://127.0.0.1:${uiPort}`,
    pid: child.pid ?? -1,
    exited,
    stop: (graceMs = 10_000) => terminate(child, exited, graceMs),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

async function terminate(child: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

async function waitUntilReady(
  address: string,
  namespace: string,
  exited: Promise<unknown>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (gone) throw new Error('the process exited');
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`no answer within ${timeoutMs} ms (${(lastError as Error | undefined)?.message ?? 'no error'})`);
}
