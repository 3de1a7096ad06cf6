import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

let installed = false;

export interface TemporalRuntimeOptions {
  level?: LogLevel;
  /** host:port where the SDK serves its own Prometheus metrics (workers, pollers, task latencies); absent = none. */
  metricsAddress?: string | undefined;
}

/**
 * Sets the Temporal SDK's log level and metrics for this process (its default
 * prints every worker state change). Must run before the first worker
 * connection; later calls are no-ops.
 */
export function installTemporalRuntime(options: TemporalRuntimeOptions = {}): void {
  if (installed) return;
  installed = true;
  Runtime.install({
    logger: new DefaultLogger(options.level ?? 'WARN'),
    // The process decides when workers stop (cli/part.ts orders the shutdown), not the SDK's own signal handlers.
    shutdownSignals: [],
    ...(options.metricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: options.metricsAddress } } } } : {}),
  });
}
