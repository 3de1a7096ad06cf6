/**
 * A worker killed with SIGKILL — in the middle of an activity whose database
 * write is done but not yet reported, and while a hard case waits for its
 * analyst — and replaced by a new one: each workflow completes exactly once,
 * with one decision, one event and one notice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDossier } from '../../db/repositories/dossiers.ts';
import { listEvents } from '../../db/repositories/events.ts';
import { listOutbox } from '../../db/repositories/outbox.ts';
import { dossierWorkflowId } from '../../temporal/dossier-engine.ts';
import { RISKY_NAF, createDossier, workflowInput } from './support/fixtures.ts';
import { historyOf, startEngineStack, type EngineStack } from './support/engine.ts';
import { spawnWorker, type ChildWorker } from './support/child.ts';

let stack: EngineStack;
const workers: ChildWorker[] = [];
beforeAll(async () => {
  stack = await startEngineStack({ inProcessWorker: false });
});
afterAll(async () => {
  for (const w of workers) await w.kill('SIGKILL');
  await stack?.stop();
});

function worker(extra: Record<string, string> = {}): ChildWorker {
  const w = spawnWorker({ TEMPORAL_ADDRESS: stack.env.address, TASK_QUEUE: stack.taskQueue, DATABASE_URL: stack.db.url, ...extra });
  workers.push(w);
  return w;
}

describe('a worker killed with SIGKILL', () => {
  it('leaves every workflow to complete exactly once on the next worker', async () => {
    const sql = stack.db.sql;
    const first = worker({ HOLD_AFTER: 'recordDecision' });
    await first.waitFor(/^ready$/m, 60_000);

    const accord = await createDossier(sql, {});
    const hardCase = await createDossier(sql, { naf: RISKY_NAF });
    const [, waiting] = await Promise.all([
      stack.engine.start(workflowInput(accord), 500),
      stack.engine.start(workflowInput(hardCase, { decisionSeconds: 600, reminderOffsetsSeconds: [] }), 10_000),
    ]);
    expect(waiting.status).toBe('awaiting_analyst');
    // The accord's decision is in the database, but its activity has not reported back to Temporal.
    await first.waitFor(new RegExp(`held recordDecision ${accord.dossierId}`), 30_000);
    expect((await getDossier(sql, accord.dossierId))?.status).toBe('approved');

    expect(await first.kill('SIGKILL')).toBe('SIGKILL');
    const second = worker();
    await second.waitFor(/^ready$/m, 60_000);

    const decided = await stack.engine.decide(hardCase.dossierId, hardCase.bankId, { decision: 'approve', analyst: 'Claire Analyste' });
    expect(decided.decision).toMatchObject({ outcome: 'approved', decidedBy: 'analyst' });
    const accordResult = await stack.client.workflow.getHandle(dossierWorkflowId(accord.dossierId)).result();
    expect(accordResult).toMatchObject({ status: 'approved', decision: { decidedBy: 'rule' } });

    for (const dossier of [accord, hardCase]) {
      const events = await listEvents(sql, dossier.dossierId);
      expect(events.filter((e) => e.type === 'decided')).toHaveLength(1);
      const outbox = await listOutbox(sql, dossier.dossierId);
      expect(outbox.filter((m) => m.kind === 'decision_notice')).toHaveLength(1);
      const history = await historyOf(stack.client, dossier.dossierId);
      expect(history.filter((e) => e.workflowExecutionStartedEventAttributes)).toHaveLength(1);
      expect(history.filter((e) => e.workflowExecutionCompletedEventAttributes)).toHaveLength(1);
      // Local steps recorded once each (eligibility, guarantee[, awaiting analyst]); the decision scheduled once.
      expect(history.filter((e) => e.markerRecordedEventAttributes)).toHaveLength(dossier === accord ? 2 : 3);
      const scheduled = history.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
      expect(scheduled).toEqual(['recordDecision']);
    }
    // The held activity really ran twice: the second attempt found the decision already recorded.
    const accordHistory = await historyOf(stack.client, accord.dossierId);
    const attempts = accordHistory.flatMap((e) => e.activityTaskStartedEventAttributes?.attempt ?? []);
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
    expect((await getDossier(sql, accord.dossierId))?.decision).toEqual((accordResult as { decision: unknown }).decision);
  }, 120_000);
});
