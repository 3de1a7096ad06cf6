import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { findTemporalCli } from './cli.ts';
import { spawnChild } from '../processes/child.ts';
import { freePort, portAnswers } from '../processes/free-port.ts';
import { PasseportError } from '../errors/index.ts';

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
  running(): boolean;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once: for crash tests. */
  kill(): Promise<void>;
}

/** WAL lets readers and the single writer overlap; the file stays a plain SQLite database. */
const DEFAULT_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

/** A port the dev server needs is taken: by a server of an earlier run, most likely. Never joined silently. */
export class PortInUseError extends PasseportError<'PORT_IN_USE'> {
  constructor(
    readonly port: number,
    what: string,
  ) {
    super(
      'PORT_IN_USE',
      `Le port ${port} (${what}) est déjà utilisé, sans doute par un serveur Temporal d’une exécution précédente ou par un autre programme : ` +
        'arrêtez-le, ou choisissez un autre port (TEMPORAL_PORT, TEMPORAL_UI_PORT), ou donnez TEMPORAL_ADDRESS pour utiliser un serveur existant.',
    );
  }
}

/**
 * Runs `temporal server start-dev` on 127.0.0.1 with its state in a SQLite file,
 * and resolves once the namespace answers — from this process, not from
 * whatever else may listen there: a taken port is refused before starting.
 * The server dies with us (parent-death signal), even when we are SIGKILLed.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const executable = options.executable ?? findTemporalCli();
  const port = options.port || (await freePort());
  const uiPort = options.uiPort === null ? null : options.uiPort || (await freePort());
  if (await portAnswers(port)) throw new PortInUseError(port, 'Temporal');
  if (uiPort !== null && (await portAnswers(uiPort))) throw new PortInUseError(uiPort, 'interface de Temporal');
  const namespace = options.namespace ?? 'default';
  fs.mkdirSync(path.dirname(path.resolve(options.dbFile)), { recursive: true });

  const args = ['server', 'start-dev', '--db-filename', options.dbFile, '--ip', '127.0.0.1', '--port', String(port)];
  args.push(...(uiPort === null ? ['--headless'] : ['--ui-port', String(uiPort)]));
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const pragma of options.sqlitePragmas ?? DEFAULT_PRAGMAS) args.push('--sqlite-pragma', pragma);
  args.push('--log-level', 'warn');

  const child = spawnChild({ name: 'temporal', command: executable, args, parentDeathSignal: 'TERM', stdio: ['ignore', 'ignore', 'pipe'] });
  let stderrTail = '';
  child.process.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
  });
  const exited = child.exited.then(({ code, signal }) => code ?? signal ?? 'unknown');

  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilReady(address, namespace, child.running, options.readyTimeoutMs ?? 30_000);
  } catch (error) {
    await child.kill();
    throw new PasseportError('TEMPORAL_START_FAILED', `Le serveur Temporal de développement n’a pas démarré sur ${address} : ${(error as Error).message}\n${stderrTail}`, {
      cause: error,
    });
  }

  return {
    address,
    port,
    uiUrl: uiPort === null ? null : `http://127.0.0.1:${uiPort}`,
    pid: child.pid,
    exited,
    running: child.running,
    async stop(graceMs = 10_000) {
      await child.stop('SIGTERM', graceMs);
    },
    async kill() {
      await child.kill();
    },
  };
}

async function waitUntilReady(address: string, namespace: string, running: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!running()) throw new Error('le processus s’est arrêté');
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        // The answer counts only if our server is the one listening.
        if (!running()) throw new Error('le processus s’est arrêté');
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`pas de réponse en ${timeoutMs} ms (${(lastError as Error | undefined)?.message ?? 'aucune erreur'})`);
}
