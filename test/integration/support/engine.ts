/**
 * One real stack per test file: a fresh PostgreSQL database with the test
 * registries, a Temporal dev server (the CLI binary, in memory), a worker with
 * the real activities and local guarantor, and the DossierEngine the API uses.
 */
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import { createDossierActivities } from '../../../activities/dossier.ts';
import { createLocalGuarantor } from '../../../guarantor/local.ts';
import { findTemporalCli } from '../../../temporal/cli.ts';
import { createTemporalDossierEngine, dossierWorkflowId } from '../../../temporal/dossier-engine.ts';
import { installTemporalRuntime } from '../../../temporal/runtime.ts';
import type { DossierEngine } from '../../../temporal/types.ts';
import { createWorker } from '../../../temporal/worker.ts';
import { createTestDatabase } from '../../support/db.ts';
import { seedRegistries } from './fixtures.ts';

export type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

export interface EngineStack {
  db: TestDatabase;
  env: TestWorkflowEnvironment;
  client: Client;
  engine: DossierEngine;
  taskQueue: string;
  /** Null when the test runs its workers in child processes. */
  worker: Worker | null;
  stop(): Promise<void>;
}

export async function startEngineStack(options: { inProcessWorker?: boolean } = {}): Promise<EngineStack> {
  installTemporalRuntime();
  const db = await createTestDatabase();
  await seedRegistries(db.sql);
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: findTemporalCli() }, ip: '127.0.0.1' },
  });
  const taskQueue = `dossiers-${crypto.randomBytes(4).toString('hex')}`;
  const worker =
    options.inProcessWorker === false
      ? null
      : await createWorker({
          connection: env.nativeConnection,
          taskQueue,
          activities: createDossierActivities({ sql: db.sql, guarantor: createLocalGuarantor(db.sql) }),
        });
  const running = worker?.run();
  return {
    db,
    env,
    client: env.client,
    engine: createTemporalDossierEngine({ client: env.client, taskQueue }),
    taskQueue,
    worker,
    async stop() {
      worker?.shutdown();
      await running;
      await env.teardown();
      await db.drop();
    },
  };
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export async function historyOf(client: Client, dossierId: string): Promise<HistoryEvent[]> {
  const history = await client.workflow.getHandle(dossierWorkflowId(dossierId)).fetchHistory();
  return history.events ?? [];
}

/** Names of the Updates the workflow accepted, in order (validators' refusals leave none). */
export function acceptedUpdates(events: HistoryEvent[]): string[] {
  return events.flatMap((e) => {
    const name = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
    return name ? [name] : [];
  });
}

export function countEvents(events: HistoryEvent[], attribute: keyof HistoryEvent): number {
  return events.filter((e) => e[attribute] != null).length;
}

export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
