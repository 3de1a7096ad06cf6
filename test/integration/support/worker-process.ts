/**
 * A dossier worker in its own process, so a test can kill it with SIGKILL.
 * Env: TEMPORAL_ADDRESS, TASK_QUEUE, DATABASE_URL; HOLD_AFTER=<activity> makes
 * that activity do its real work and then never complete (the crash window).
 * Prints "ready" once polling, and "held <activity> <dossierId>" in the window.
 */
import type { DossierActivities } from '../../../activities/types.ts';
import { createDossierActivities } from '../../../activities/dossier.ts';
import { openDatabase } from '../../../db/connect.ts';
import { createLocalGuarantor } from '../../../guarantor/local.ts';
import { connectWorker } from '../../../temporal/connection.ts';
import { installTemporalRuntime } from '../../../temporal/runtime.ts';
import { createWorker } from '../../../temporal/worker.ts';

const { TEMPORAL_ADDRESS, TASK_QUEUE, DATABASE_URL, HOLD_AFTER } = process.env;
if (!TEMPORAL_ADDRESS || !TASK_QUEUE || !DATABASE_URL) throw new Error('TEMPORAL_ADDRESS, TASK_QUEUE and DATABASE_URL are required');

installTemporalRuntime();
const db = await openDatabase({ url: DATABASE_URL, dataDir: 'unused', max: 4 });
const activities = createDossierActivities({ sql: db.sql, guarantor: createLocalGuarantor(db.sql) });
if (HOLD_AFTER) {
  const name = HOLD_AFTER as keyof DossierActivities;
  const real = activities[name] as (dossierId: string, ...rest: unknown[]) => Promise<unknown>;
  (activities as unknown as Record<string, unknown>)[name] = async (dossierId: string, ...rest: unknown[]) => {
    await real(dossierId, ...rest);
    console.log(`held ${name} ${dossierId}`);
    await new Promise(() => {});
  };
}
const connection = await connectWorker({ address: TEMPORAL_ADDRESS, namespace: 'default' });
const worker = await createWorker({ connection, taskQueue: TASK_QUEUE, activities });
const running = worker.run();
console.log('ready');
process.once('SIGTERM', () => worker.shutdown());
await running;
await connection.close();
await db.close();
