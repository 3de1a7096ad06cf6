import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { Worker, bundleWorkflowCode, type NativeConnection } from '@temporalio/worker';
import type { bareWorkflow } from './engine-bare-workflow.ts';
import { runOpenLoop, type LoadResult } from './engine-load.ts';

const BARE_WORKFLOW = path.join(path.dirname(fileURLToPath(import.meta.url)), 'engine-bare-workflow.ts');

/**
 * The bare one-activity workflow at increasing rates on the same server as the
 * dossiers: what the server and one worker can do before any business code.
 */
export async function measureBaseline(options: {
  connection: NativeConnection;
  client: Client;
  rates: number[];
  seconds: number;
  onStep?: (result: LoadResult) => void;
}): Promise<LoadResult[]> {
  const taskQueue = `bench-bare-${Date.now()}`;
  const worker = await Worker.create({
    connection: options.connection,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: BARE_WORKFLOW, logger: silent }),
    activities: { touch: async (n: number) => n },
  });
  const results: LoadResult[] = [];
  await worker.runUntil(async () => {
    for (const rate of options.rates) {
      const run = `${Date.now()}`;
      const result = await runOpenLoop(rate, options.seconds, async (i) => {
        await options.client.workflow.execute<typeof bareWorkflow>('bareWorkflow', {
          workflowId: `bare-${run}-${i}`,
          taskQueue,
          args: [i],
        });
      });
      results.push(result);
      options.onStep?.(result);
    }
  });
  return results;
}

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
