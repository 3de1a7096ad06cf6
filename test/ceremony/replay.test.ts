/**
 * Determinism guard for the ceremony workflow: histories of finished
 * ceremonies — signed by the three parties (with a refused attempt on the
 * way), declined, lapsed after a reminder, and a refusal's letter — replayed
 * against the current workflow bundle, live and as committed in
 * histories/*.json (recorded from an earlier build: a change that would break
 * ceremonies already running fails here).
 *
 * To record them again after a deliberate, patched change:
 *   RECORD_HISTORIES=1 npx vitest run test/ceremony/replay.test.ts
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../db/seed.ts';
import { findTemporalCli } from '../../temporal/cli.ts';
import { workflowBundle } from '../../temporal/worker.ts';
import { ceremonyWorkflowId } from '../../workflows/ceremony.ts';
import { historyFromJsonText } from '../integration/support/history-json.ts';
import { call, postSignature, prepare, signAs, waitForStatus } from './support/client.ts';
import { demoDossier, startCeremonyStack, type CeremonyStack } from './support/stack.ts';

const HISTORIES = path.join(import.meta.dirname, 'histories');
const KINDS = ['signed', 'declined', 'lapsed', 'refusal-letter'] as const;

let s: CeremonyStack;
beforeAll(async () => {
  s = await startCeremonyStack();
});
afterAll(async () => s?.stop());

async function finish(kind: (typeof KINDS)[number]): Promise<string> {
  const creator = s.key('creator', DEMO.createurs.small.siren);
  const reseller = s.key('reseller', DEMO.resellers.grenoble);
  const bank = s.key('bank', DEMO.banks.alpes);
  if (kind === 'refusal-letter') {
    const view = await s.start({ ...demoDossier('small'), company: { ...demoDossier('small').company, naf: '56.10A' } });
    await s.engine.decide(view.dossierId, DEMO.banks.alpes, { decision: 'decline', analyst: 'Marc Analyste', reasonCode: 'risk', text: 'Risque trop élevé.' });
    await waitForStatus(s.apiUrl, bank, view.dossierId, 'letter_sealed');
    return view.dossierId;
  }
  const id = await s.submit('small', kind === 'lapsed' ? { offerSeconds: 6, reminderOffsetsSeconds: [2] } : {});
  if (kind === 'lapsed') {
    await waitForStatus(s.apiUrl, creator, id, 'lapsed', 30_000);
    return id;
  }
  await waitForStatus(s.apiUrl, creator, id, 'awaiting_createur');
  const { createurSmall, reseller: resellerSigner } = s.signers();
  // A refused value on the way: its Update failed in history, the workflow went on.
  const prepared = await prepare(s.apiUrl, creator, id, 'createur', createurSmall.certificate, createurSmall.chain);
  expect((await postSignature(s.apiUrl, creator, id, 'createur', prepared.body.preparationId, crypto.randomBytes(72))).status).toBe(422);
  expect((await signAs(s.apiUrl, creator, id, 'createur', createurSmall)).status).toBe(200);
  if (kind === 'declined') {
    expect((await call(s.apiUrl, reseller, 'POST', `/v1/dossiers/${id}/contract/revendeur/decline`, { reason: 'Le devis a changé' })).status).toBe(200);
  } else {
    expect((await signAs(s.apiUrl, reseller, id, 'revendeur', resellerSigner)).status).toBe(200);
    expect((await call(s.apiUrl, bank, 'POST', `/v1/dossiers/${id}/contract/banque/countersignature`)).status).toBe(200);
  }
  await waitForStatus(s.apiUrl, bank, id, kind);
  return id;
}

describe('ceremony replay', () => {
  it.each(KINDS)('replays the history of a finished ceremony (%s) against the current bundle', async (kind) => {
    const id = await finish(kind);
    const handle = s.env.client.workflow.getHandle(ceremonyWorkflowId(id));
    await handle.result();
    const history = await handle.fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, ceremonyWorkflowId(id));
    if (process.env.RECORD_HISTORIES) {
      fs.mkdirSync(HISTORIES, { recursive: true });
      const json = execFileSync(findTemporalCli(), ['workflow', 'show', '--workflow-id', ceremonyWorkflowId(id), '--address', s.env.address, '--output', 'json']);
      fs.writeFileSync(path.join(HISTORIES, `${kind}.json`), json);
    }
  });

  it('replays the committed reference histories', async () => {
    const files = fs.readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(KINDS.map((k) => `${k}.json`).sort());
    for (const file of files) {
      const history = historyFromJsonText(fs.readFileSync(path.join(HISTORIES, file), 'utf8'));
      expect(history.events?.length).toBeGreaterThan(10);
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `reference-${file}`);
    }
  });
});
