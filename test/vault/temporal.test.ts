import crypto from 'node:crypto';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultActivities } from '../../activities/vault.ts';
import { findTemporalCli } from '../../temporal/cli.ts';
import { installTemporalRuntime } from '../../temporal/runtime.ts';
import { ensureVaultSchedules, VAULT_SCHEDULES } from '../../temporal/vault-schedules.ts';
import { DEFAULT_SETTINGS } from '../../vault/config.ts';
import { ENGINE, contractPackage, createTestbed, type Testbed } from './support/testbed.ts';

/** The vault's workflows on a real Temporal dev server, with the real activities over a real vault. */
let t: Testbed;
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `vault-${crypto.randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  installTemporalRuntime();
  t = await createTestbed({ locations: 2, settings: { ...DEFAULT_SETTINGS, preservation: { horizonDays: 30, weakAlgorithms: [], hash: 'SHA-512' } } });
  env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: findTemporalCli() }, ip: '127.0.0.1' } });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: path.resolve(import.meta.dirname, '../../workflows/vault.ts'),
    activities: createVaultActivities({ vault: t.vault }),
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await t?.close();
});

async function until<T>(probe: () => Promise<T | null | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the vault on Temporal', () => {
  it('creates its three schedules, and updates them when the settings change', async () => {
    await ensureVaultSchedules(env.client, { taskQueue, sealEveryMinutes: 60, auditEveryHours: 168, preservationEveryHours: 24 });
    const seal = await env.client.schedule.getHandle(VAULT_SCHEDULES.seal.id).describe();
    expect(seal.spec.intervals?.map((i) => i.every)).toEqual([3_600_000]);
    expect(seal.action).toMatchObject({ type: 'startWorkflow', workflowType: 'vaultSealWorkflow', taskQueue });
    const audit = await env.client.schedule.getHandle(VAULT_SCHEDULES.audit.id).describe();
    expect(audit.spec.intervals?.map((i) => i.every)).toEqual([168 * 3_600_000]);
    await ensureVaultSchedules(env.client, { taskQueue, sealEveryMinutes: 15, auditEveryHours: 24, preservationEveryHours: 12 });
    expect((await env.client.schedule.getHandle(VAULT_SCHEDULES.seal.id).describe()).spec.intervals?.map((i) => i.every)).toEqual([900_000]);
    await expect(ensureVaultSchedules(env.client, { taskQueue, sealEveryMinutes: 1441, auditEveryHours: 24, preservationEveryHours: 24 })).rejects.toThrow(
      /au moins une fois par jour/,
    );
  });

  it('the sealing schedule seals the journal', async () => {
    await t.vault.deposit(ENGINE, {
      documentClass: 'rapport',
      objects: [{ name: 'r.json', mediaType: 'application/json', content: new Uint8Array(Buffer.from('{"scelle":true}')) }],
    });
    await env.client.schedule.getHandle(VAULT_SCHEDULES.seal.id).trigger();
    const row = await until(
      async () => (await t.db.sql<{ id: string; actor: string }[]>`select s.id, j.actor from vault_seal s join vault_journal j on j.object_id = s.id and j.operation = 'seal'`)[0],
      'a seal',
    );
    expect(row).toEqual({ id: 'SC-000001', actor: 'systeme:scellement' });
  });

  it('the audit workflow audits the vault and keeps its report', async () => {
    const summary = await env.client.workflow.execute('vaultAuditWorkflow', { taskQueue, workflowId: `audit-${crypto.randomUUID()}` });
    expect(summary).toMatchObject({ clean: true, errors: 0 });
    const [row] = await t.db.sql<{ clean: boolean; actor: string }[]>`select clean, actor from vault_audit where id = ${(summary as { id: number }).id}`;
    expect(row).toEqual({ clean: true, actor: 'systeme:audit' });
  });

  it('the preservation workflow re-extends what is due, one activity per document', async () => {
    const { authority } = await t.pki.authority(t.db.sql, 10, 'Horodatage de dix jours');
    const due = (await t.vault.deposit(ENGINE, contractPackage(await t.signedContract({ authority }), { dossierId: 'D-TEMPORAL' }))).objects[0]!;
    const outcomes = await env.client.workflow.execute('vaultPreservationWorkflow', { taskQueue, workflowId: `preservation-${crypto.randomUUID()}` });
    expect(outcomes).toEqual([{ status: 'extended', objectId: due.id, newObjectId: expect.any(String), reason: expect.stringContaining('expire le') }]);
    expect(await t.vault.preservationCandidates(ENGINE)).toEqual([]);
  });
});
