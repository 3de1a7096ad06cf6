/**
 * The vault's Temporal Schedules: sealing (hourly by default; NF Z42-013 asks for at least
 * daily), the full audit and preservation. Creates them, or updates them to the settings
 * given, so that every start can call it.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction, type ScheduleSpec } from '@temporalio/client';

export interface VaultScheduleOptions {
  taskQueue: string;
  sealEveryMinutes: number;
  auditEveryHours: number;
  preservationEveryHours: number;
}

export const VAULT_SCHEDULES = {
  seal: { id: 'passeport-vault-seal', workflowType: 'vaultSealWorkflow' },
  audit: { id: 'passeport-vault-audit', workflowType: 'vaultAuditWorkflow' },
  preservation: { id: 'passeport-vault-preservation', workflowType: 'vaultPreservationWorkflow' },
} as const;

export async function ensureVaultSchedules(client: Client, options: VaultScheduleOptions): Promise<void> {
  if (!Number.isInteger(options.sealEveryMinutes) || options.sealEveryMinutes < 1 || options.sealEveryMinutes > 24 * 60) {
    throw new RangeError('Le journal du coffre-fort se scelle au moins une fois par jour : période de 1 à 1440 minutes.');
  }
  const every = {
    seal: `${options.sealEveryMinutes}m`,
    audit: `${options.auditEveryHours}h`,
    preservation: `${options.preservationEveryHours}h`,
  } as const;
  for (const [key, { id, workflowType }] of Object.entries(VAULT_SCHEDULES) as [keyof typeof VAULT_SCHEDULES, (typeof VAULT_SCHEDULES)[keyof typeof VAULT_SCHEDULES]][]) {
    const spec: ScheduleSpec = { intervals: [{ every: every[key] }] };
    const action: ScheduleOptionsAction = { type: 'startWorkflow', workflowType, workflowId: id, taskQueue: options.taskQueue, args: [] };
    try {
      // An audit still running when the next is due is not doubled; missed runs are not replayed in a burst.
      await client.schedule.create({ scheduleId: id, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' } });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await client.schedule.getHandle(id).update((previous) => ({ ...previous, spec, action }));
    }
  }
}
