import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

let installed = false;

/**
 * Sets the Temporal SDK's log level for this process (its default prints every
 * worker state change). Must run before the first worker connection; later calls are no-ops.
 */
export function installTemporalRuntime(level: LogLevel = 'WARN'): void {
  if (installed) return;
  installed = true;
  // The process decides when workers stop (cli/start.ts orders the shutdown), not the SDK's own signal handlers.
  Runtime.install({ logger: new DefaultLogger(level), shutdownSignals: [] });
}
