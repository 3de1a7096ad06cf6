/**
 * Starts the workflows of dossiers stored while the engine was unreachable
 * (POST /v1/dossiers answered 503 and the reseller never retried). Safe to run
 * at every start and on a timer: starting is idempotent per dossier.
 */
import type { Sql } from '../db/connect.ts';
import { listStalledDossiers } from '../db/repositories/dossiers.ts';
import type { DossierEngine } from '../temporal/types.ts';
import { workflowInputOf, type ApiConfig } from './context.ts';

export async function resumeStalledDossiers(options: {
  sql: Sql;
  engine: DossierEngine;
  config: Pick<ApiConfig, 'deadlines'>;
  /** Leave recent dossiers to the request that is starting them. */
  olderThanSeconds?: number;
}): Promise<{ resumed: string[]; failed: string[] }> {
  const stalled = await listStalledDossiers(options.sql, options.olderThanSeconds ?? 60);
  const resumed: string[] = [];
  const failed: string[] = [];
  for (const dossier of stalled) {
    try {
      await options.engine.start(workflowInputOf(dossier, options.config), 0);
      resumed.push(dossier.id);
    } catch {
      failed.push(dossier.id);
    }
  }
  return { resumed, failed };
}
