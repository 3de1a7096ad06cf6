/**
 * The Temporal dev server killed with SIGKILL while hard cases wait, then
 * restarted on the same SQLite file: the waiting workflows are still there,
 * their timers still fire, the decisions sent after the restart complete
 * them, and nothing is lost or done twice.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { createDossierActivities } from '../../activities/dossier.ts';
import { getDossier } from '../../db/repositories/dossiers.ts';
import { listEvents } from '../../db/repositories/events.ts';
import { listOutbox } from '../../db/repositories/outbox.ts';
import { createLocalGuarantor } from '../../guarantor/local.ts';
import { connectWorker } from '../../temporal/connection.ts';
import { startDevServer, type DevServer } from '../../temporal/dev-server.ts';
import { createTemporalDossierEngine, dossierWorkflowId } from '../../temporal/dossier-engine.ts';
import { installTemporalRuntime } from '../../temporal/runtime.ts';
import type { DossierEngine } from '../../temporal/types.ts';
import { createWorker } from '../../temporal/worker.ts';
import { createTestDatabase } from '../support/db.ts';
import { RISKY_NAF, createDossier, seedRegistries, workflowInput, type CreatedDossier } from './support/fixtures.ts';
import type { TestDatabase } from './support/engine.ts';

let dir: string;
let db: TestDatabase;
let server: DevServer;
let worker: Worker;
let running: Promise<void>;
let client: Client;
let engine: DossierEngine;
const taskQueue = `dossiers-${crypto.randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  installTemporalRuntime();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-restart-'));
  db = await createTestDatabase();
  await seedRegistries(db.sql);
  server = await startDevServer({ dbFile: path.join(dir, 'temporal.db'), uiPort: null });
  const connection = await connectWorker({ address: server.address, namespace: 'default' });
  worker = await createWorker({
    connection,
    taskQueue,
    activities: createDossierActivities({ sql: db.sql, guarantor: createLocalGuarantor(db.sql) }),
  });
  running = worker.run();
  client = new Client({ connection: await Connection.connect({ address: server.address }) });
  engine = createTemporalDossierEngine({ client, taskQueue });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await client?.connection.close();
  await server?.stop();
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function countRuns(dossierId: string): Promise<number> {
  let n = 0;
  for await (const _ of client.workflow.list({ query: `WorkflowId = "${dossierWorkflowId(dossierId)}"` })) n++;
  return n;
}

describe('the Temporal dev server killed and restarted on its SQLite file', () => {
  it('keeps the waiting hard cases, delivers later decisions and fires their deadlines once', async () => {
    const sql = db.sql;
    const waiting: CreatedDossier[] = [];
    for (let i = 0; i < 3; i++) {
      const dossier = await createDossier(sql, { naf: RISKY_NAF });
      const view = await engine.start(workflowInput(dossier, { decisionSeconds: 600, reminderOffsetsSeconds: [] }), 10_000);
      expect(view.status).toBe('awaiting_analyst');
      waiting.push(dossier);
    }
    // This one's deadline falls while the server is down or just after its restart.
    const expiring = await createDossier(sql, { naf: RISKY_NAF });
    const expiringView = await engine.start(workflowInput(expiring, { decisionSeconds: 4, reminderOffsetsSeconds: [2] }), 10_000);
    expect(expiringView.status).toBe('awaiting_analyst');

    const port = server.port;
    await server.kill();
    await expect(server.exited).resolves.toBe('SIGKILL');
    server = await startDevServer({ dbFile: path.join(dir, 'temporal.db'), port, uiPort: null });

    const decisions = await Promise.all(
      waiting.map((d, i) =>
        engine.decide(
          d.dossierId,
          d.bankId,
          i === 0 ? { decision: 'decline', analyst: 'Marc Analyste', reasonCode: 'sector', text: 'Secteur trop risqué.' } : { decision: 'approve', analyst: 'Claire Analyste' },
        ),
      ),
    );
    expect(decisions.map((v) => v.status)).toEqual(['declined', 'approved', 'approved']);
    const expired = await client.workflow.getHandle(dossierWorkflowId(expiring.dossierId)).result();
    expect(expired).toMatchObject({ status: 'declined', decision: { decidedBy: 'deadline', reasonCode: 'deadline_expired' } });

    // The restarted server still takes new dossiers.
    const fresh = await createDossier(sql, {});
    expect((await engine.start(workflowInput(fresh), 10_000)).status).toBe('approved');

    for (const dossier of [...waiting, expiring, fresh]) {
      expect(await countRuns(dossier.dossierId)).toBe(1);
      const row = await getDossier(sql, dossier.dossierId);
      expect(row?.decision).not.toBeNull();
      const events = await listEvents(sql, dossier.dossierId);
      expect(events.filter((e) => e.type === 'decided')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'awaiting_analyst').length).toBeLessThanOrEqual(1);
      const notices = (await listOutbox(sql, dossier.dossierId)).filter((m) => m.kind === 'decision_notice');
      expect(notices).toHaveLength(1);
    }
    const reminders = (await listOutbox(sql, expiring.dossierId)).filter((m) => m.kind === 'bank_reminder');
    expect(reminders.map((m) => m.offsetSeconds)).toEqual([2]);
    for (const [i, d] of waiting.entries()) {
      expect((await getDossier(sql, d.dossierId))?.decision).toEqual(decisions[i]?.decision);
    }
  }, 150_000);
});
