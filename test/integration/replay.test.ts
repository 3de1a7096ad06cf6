/**
 * Determinism guard: histories of finished dossiers replayed against the
 * current workflow bundle. The live ones cover today's code paths; the
 * committed ones (histories/*.json) were recorded from an earlier build, so a
 * change that would break dossiers already running fails here.
 *
 * To record new reference histories after a deliberate, patched change:
 *   RECORD_HISTORIES=1 npx vitest run test/integration/replay.test.ts
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { findTemporalCli } from '../../temporal/cli.ts';
import { dossierWorkflowId } from '../../temporal/dossier-engine.ts';
import { workflowBundle } from '../../temporal/worker.ts';
import { RISKY_NAF, createDossier, workflowInput } from './support/fixtures.ts';
import { startEngineStack, type EngineStack } from './support/engine.ts';
import { historyFromJsonText } from './support/history-json.ts';

const HISTORIES = path.join(import.meta.dirname, 'histories');

let stack: EngineStack;
beforeAll(async () => {
  stack = await startEngineStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function finish(kind: 'default-accord' | 'analyst-decision' | 'deadline'): Promise<string> {
  const sql = stack.db.sql;
  const deadlines = { decisionSeconds: kind === 'deadline' ? 2 : 3600, reminderOffsetsSeconds: [1] };
  const dossier = await createDossier(sql, kind === 'default-accord' ? {} : { naf: RISKY_NAF });
  const view = await stack.engine.start(workflowInput(dossier, deadlines), 3_000);
  if (kind === 'analyst-decision') {
    expect(view.status).toBe('awaiting_analyst');
    await stack.engine.decide(dossier.dossierId, dossier.bankId, {
      decision: 'approve',
      analyst: 'Claire Analyste',
      conditions: { depositCents: 100_000 },
    });
  }
  const handle = stack.client.workflow.getHandle(dossierWorkflowId(dossier.dossierId));
  await handle.result();
  return dossier.dossierId;
}

describe('replay', () => {
  it.concurrent.each(['default-accord', 'analyst-decision', 'deadline'] as const)('replays the history of a finished %s dossier against the current bundle', async (kind) => {
    const dossierId = await finish(kind);
    const workflowId = dossierWorkflowId(dossierId);
    const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
    expect(history.events?.some((e) => e.workflowExecutionCompletedEventAttributes)).toBe(true);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId);
    if (process.env.RECORD_HISTORIES) {
      fs.mkdirSync(HISTORIES, { recursive: true });
      // The CLI writes the same JSON as the Web UI's download, which any SDK's replayer reads.
      const json = execFileSync(findTemporalCli(), ['workflow', 'show', '--workflow-id', workflowId, '--address', stack.env.address, '--output', 'json']);
      fs.writeFileSync(path.join(HISTORIES, `${kind}.json`), json);
    }
  });

  it('replays the committed reference histories', async () => {
    const files = fs.readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(['analyst-decision.json', 'deadline.json', 'default-accord.json']);
    for (const file of files) {
      const history = historyFromJsonText(fs.readFileSync(path.join(HISTORIES, file), 'utf8'));
      expect(history.events?.length).toBeGreaterThan(10);
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `reference-${file}`);
    }
  });
});
