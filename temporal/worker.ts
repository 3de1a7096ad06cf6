import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, bundleWorkflowCode, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { DossierActivities } from '../activities/types.ts';
import type { CeremonyActivities } from '../activities/ceremony-types.ts';
import type { VaultActivities } from '../activities/vault.ts';

const WORKFLOWS_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../workflows/index.ts');

type WorkflowBundle = Awaited<ReturnType<typeof bundleWorkflowCode>>;
let bundle: Promise<WorkflowBundle> | undefined;

/** Webpack runs once per process (about a second); every worker and replay reuses its output. */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  return bundle;
}

export interface CreateWorkerOptions {
  connection: NativeConnection;
  taskQueue: string;
  namespace?: string;
  /** The dossier activities, the ceremony's, and the vault's for a worker that also runs its schedules' workflows. */
  activities: DossierActivities & Partial<CeremonyActivities> & Partial<VaultActivities>;
  /** Tuning knobs (cache size, concurrency); defaults suit one machine. */
  tuning?: Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'shutdownGraceTime'>;
}

export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: options.activities,
    shutdownGraceTime: '5s',
    ...options.tuning,
  });
}

const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string, meta?: unknown) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: unknown) => console.error(message, meta ?? ''),
};
